// A `var` loop variable outlives its loop, `in` tests keys and indices, Object.fromEntries,
// Object.is, toLocaleString of numbers, for…of a string gives strings. rload made `for (var i …)` a range whose variable ended
// on the last value inside (closures saw 2, not 3; `i` after the loop was not found), read
// `2 in [5, 6, 7]` as "is 2 one of the values" (false), stopped on the next three, and gave
// `typeof c` "object" for a character of a string. `s.split(sep, -1)` gave no piece (JavaScript
// reads the limit as ToUint32: none), `split(null)` did not split at "null", and JSON.stringify
// wrote 2 ** 60 as its exact value where JavaScript writes 1152921504606847000.
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const fns = [];
  for (var i = 0; i < 3; i++) fns.push(() => i);
  var sum = 0;
  for (var k = 0; k < 4; k++) sum += k;
  const arr = [5, 6, 7];
  const obj = { x: 1, 2: 'two' };
  const body = JSON.parse('{"id":null}');
  const kinds = [];
  for (const c of 'ab') kinds.push(typeof c);
  const doubled = Object.fromEntries(Object.entries({ p: 1, q: 2 }).map(([key, v]) => [key, v * 10]));

  check(null, {
    'a var outlives its loop': () => fns.map((f) => f()).join() === '3,3,3' && i === 3 && k === 4 && sum === 6,
    'in an array: indices and length': () =>
      2 in arr && !(5 in arr) && '1' in arr && !('01' in arr) && 'length' in arr && !(-1 in arr),
    'in an object: keys as text': () => 'x' in obj && 2 in obj && '2' in obj && !('y' in obj) && 'id' in body && !('zz' in body),
    'Object.fromEntries': () =>
      JSON.stringify(doubled) === '{"p":10,"q":20}' && Object.fromEntries(new Map([['k', 'v']])).k === 'v',
    'Object.is': () => Object.is(NaN, NaN) && !Object.is(null, undefined) && Object.is('a', 'a') && Object.is(body.id, null),
    'for…of a string gives strings': () => kinds.join() === 'string,string',
    'split limits and separators': () =>
      'aXbXc'.split('X', -1).length === 3 && 'aXbXc'.split('X', 0).length === 0 && 'anullb'.split(null).join('|') === 'a|b',
    'JSON of a whole number past 2 ** 53': () => JSON.stringify({ big: 2 ** 60 }) === '{"big":1152921504606847000}',
    'toLocaleString is toString': () =>
      (1234567.891).toLocaleString() === '1234567.891' && (255).toLocaleString(16) === 'ff' && [1.5, 2000, null].toLocaleString() === '1.5,2000,',
  });
}
