// Rest parameters (`function f(...args)`, `(a, ...rest) => …`): rload convert refused them ("not
// converted: a rest parameter"), so a script with a `log(...parts)` or `url(...segments)` helper
// did not run. Every call, at any number of arguments (fewer than the plain parameters, none for
// the rest), gives the function the array JavaScript does; so does a call of one held in a
// variable or an object, or passed to the script's own function.
import { check, group } from 'k6';

export const options = { vus: 1, iterations: 2 };

function sum(...xs) {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}
function tag(label, ...parts) {
  return `${label}:${parts.length}:${parts.join('/')}`;
}
function opt(a = 5, [b, c] = [7, 8], ...{ length }) {
  return [a, b, c, length].join(' ');
}
function pair(...[first, second]) {
  return [first, second];
}
const join = (sep, ...items) => items.join(sep);
const count = function (...a) {
  return a.length;
};
function apply(fn, a, b, c) {
  return fn(a, b, c);
}
function shifted(...args) {
  const first = args.shift();
  args.push(first);
  return args.join();
}
function url(base, ...segments) {
  return [base, ...segments.map((s) => encodeURIComponent(s))].join('/');
}

export default function () {
  const local = (...a) => a.length;
  function inner(x, ...more) {
    return x + more.length;
  }
  const o = { all: (...a) => a.join('+') };
  const f = sum;
  group('rest parameters', () => {
    check(null, {
      'none for the rest': () => sum() === 0 && tag('t') === 't:0:' && join(',') === '' && count() === 0,
      'fewer than the plain parameters': () => tag().endsWith(':0:') && opt() === '5 7 8 0' && pair()[0] === undefined,
      'the arguments beyond the plain ones': () =>
        sum(1, 2, 3, 4) === 10 && tag('a', 'b', 'c') === 'a:2:b/c' && join('-', 'x', 'y', 'z') === 'x-y-z',
      'defaults and patterns before and in the rest': () =>
        opt(1) === '1 7 8 0' && opt(1, [2, 3], 4, 5) === '1 2 3 2' && pair(1, 2, 3).join() === '1,2',
      'a local closure and function': () => local() === 0 && local(1, 2) === 2 && inner(10, 1, 2, 3) === 13 && inner(5) === 5,
      'held in an object or a variable': () => o.all(1, 2, 3) === '1+2+3' && f(4, 5) === 9 && typeof f === 'function',
      'passed to the script\'s own function': () => apply(local, 1, 2, 3) === 3 && apply(sum, 1, 2, 3) === 6,
      'a url helper': () => url('http://x', 'a b', 'c') === 'http://x/a%20b/c',
      'made in a loop and kept in an array': () => {
        const fns = [];
        for (let i = 0; i < 3; i++) fns.push((...a) => i + a.length);
        const out = [];
        for (const fn of fns) out.push(fn(1, 2));
        return out.join() === '2,3,4';
      },
      'the rest array is the function\'s own': () => {
        const xs = [1, 2, 3];
        return shifted(1, 2, 3) === '2,3,1' && shifted(...xs) === '2,3,1' && xs.join() === '1,2,3';
      },
    });
  });
}
