// Spread arguments (`f(...xs)`, `f(a, ...xs, b)`): rload convert refused them but for
// Math.max/min, so `fn(...args)` wrappers, `arr.push(...more)` and `console.log(...parts)` did
// not run. The spread fills a function's plain parameters (missing ones undefined, extra ones
// ignored) and its rest parameter, as JavaScript does; strings and Sets spread their elements.
// Object.assign, concat and Date.UTC take any number of arguments, so a spread too; so do
// `f.apply(null, args)` and `f.call(null, a, b)`, which rload convert refused or left to fail.
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

function three(a, b, c) {
  return [a, b, c];
}
function sum(...xs) {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}
function tag(label, ...parts) {
  return `${label}:${parts.length}:${parts.join('/')}`;
}
const add = (a, b) => a + b;
const wrap = (fn) => (...args) => fn(...args);

export default function () {
  const xs = [1, 2, 3];
  const none = [];
  const local = (a, b) => `${a}${b}`;
  const o = { f: (a, b) => a * b };
  const ys = [0];
  ys.push(...xs);
  const n = ys.push(...xs, 9);
  console.log(...xs, 'spread into console.log');
  console.log(1, 2, 3, 4, 5, 6, 7, 8, 'nine arguments');
  const wrapped = wrap(add);
  const objs = [{ a: 1 }, null, { b: 2, a: 3 }];
  const t = { z: 0 };
  Object.assign(t, ...objs);
  const u = Object.assign({}, ...objs, { c: 4 });
  check(xs, {
    'into a rest parameter': () => sum(...xs) === 6 && sum(0, ...xs, 10) === 16 && sum(...xs, ...xs) === 12 && sum(...none) === 0,
    'plain parameters: missing ones undefined': () => three(...[1])[1] === undefined && three(...xs).join() === '1,2,3',
    'plain parameters: extra ones ignored': () => three(...xs, ...xs).join() === '1,2,3' && add(...xs) === 3,
    'plain and rest parameters': () => tag(...xs) === '1:2:2/3' && tag('a', ...none) === 'a:0:',
    'a closure, an object\'s function, a wrapper': () =>
      local(...['x', 'y']) === 'xy' && o.f(...[6, 7]) === 42 && wrapped(2, 3) === 5,
    'a function written in place': () => ((...a) => a.length)(...xs, 4) === 4,
    'push': () => n === 8 && ys.join() === '0,1,2,3,1,2,3,9',
    'String.fromCharCode and Math.max': () => String.fromCharCode(...[104, 105]) === 'hi' && Math.max(...xs) === 3,
    'a string and a Set': () => tag(...'abc') === 'a:2:b/c' && sum(...new Set([1, 1, 2])) === 3,
    'Object.assign': () => t.a === 3 && t.b === 2 && t.z === 0 && u.a === 3 && u.c === 4 && Object.keys(u).length === 3,
    'concat': () => [0].concat(...[[1, 2], 3, [[4]]]).length === 5 && 'x'.concat(...['a', 1]) === 'xa1',
    'Date.UTC': () => Date.UTC(...[2020, 1, 2]) === 1580601600000,
    'apply and call, the older spellings': () =>
      sum.apply(null, xs) === 6 && three.call(null, 1, 2).join() === '1,2,' && add.apply(undefined, [2, 3]) === 5 &&
      local.call(null, 'a', 'b') === 'ab' && sum.apply(null) === 0,
  });
}
