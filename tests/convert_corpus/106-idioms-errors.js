// Errors as a k6 user logs them, and calls that may not happen. rload wrote a caught error of
// its own as "[object Object]" (`${e}`, String(e), 'failed: ' + e), `new Error('boom')` as
// "boom" rather than "Error: boom", `new TypeError(m)`'s name as Error, and a thrown object's
// missing name as Error; `o.cb?.()` and `cb?.()` stopped the iteration when there was no
// function, where JavaScript gives undefined.
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

function notify(cb, opts) {
  return [cb?.(1), opts?.onDone?.('x'), opts.onDone?.('y')];
}

export default function () {
  let runtime = '';
  let plain = '';
  try {
    const o = null;
    o.x;
  } catch (e) {
    runtime = `${e}|${String(e)}|${'failed: ' + e}`;
  }
  try {
    throw new Error('boom');
  } catch (e) {
    plain = `${e}|${String(e)}|${e.toString()}|${e.name}|${e.message}`;
  }
  let typed = '';
  try {
    throw new TypeError('bad type');
  } catch (e) {
    typed = `${e.name}|${e.message}|${e}`;
  }
  let bare = '';
  try {
    throw new Error();
  } catch (e) {
    bare = `${e}|[${e.message}]`;
  }
  let thrown = '';
  try {
    throw { code: 42 };
  } catch (e) {
    thrown = `${e.code}|${e.name}`;
  }
  const o = { f(x) { return `f${x}`; } };
  let missing;
  check(null, {
    "a caught runtime error's text is its name and message": () => runtime.split('|').every((t) => t.includes('TypeError: ')) && !runtime.includes('[object Object]'),
    "new Error(m)'s text is Error: m": () => plain === 'Error: boom|Error: boom|Error: boom|Error|boom',
    "new TypeError(m)'s name is TypeError": () => typed === 'TypeError|bad type|TypeError: bad type',
    'new Error() has an empty message': () => bare === 'Error|[]',
    'a thrown object has no name of its own': () => thrown === '42|undefined',
    'an optional call of nothing is undefined': () => o.zz?.() === undefined && missing?.() === undefined && o.f?.(2) === 'f2',
    "an optional call of a parameter's property": () =>
      JSON.stringify(notify(undefined, {})) === '[null,null,null]' &&
      JSON.stringify(notify((x) => x + 1, { onDone: (s) => `${s}!` })) === '[2,"x!","y!"]',
  });
}
