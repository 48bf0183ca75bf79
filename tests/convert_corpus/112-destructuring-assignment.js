// Destructuring assignments (rload refused them; destructuring declarations converted): a swap,
// an object pattern in parentheses with a renamed key, a default and a rest, holes and an array
// rest, member targets, one in a loop's body, nested patterns, one used as a value, and array
// patterns of a Map, a Set and a string (rload's declarations read a Map's key 0, silently).
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

let calls = 0;

function pair() {
  calls += 1;
  return [calls, calls * 10];
}

export default function () {
  let a = 1;
  let b = 2;
  [a, b] = [b, a];
  let x, z, rest;
  ({ x, y: z = 5, ...rest } = { x: 'X', q: 1, r: 2 });
  let first, others;
  [first, , ...others] = [10, 20, 30, 40];
  const o = { n: 0, m: 0 };
  [o.n, o['m']] = [7, 8];
  let p = 0;
  let q = 1;
  for (let i = 0; i < 10; i++) [p, q] = [q, p + q];
  let d1, d2;
  [d1 = 'def', d2 = 'def2'] = [undefined, null];
  let deep, inner;
  ({ a: [deep], b: { c: inner } } = { a: [42], b: { c: 'in' } });
  const before = calls;
  let u, v;
  [u, v] = pair();
  const value = ([a, b] = [3, 4]);
  // An array pattern iterates what it reads: a Map's pairs, a Set's values, a string's characters.
  const m = new Map([['k1', 'v1'], ['k2', 'v2']]);
  const [e1, [k2]] = m;
  let s1, s2, c1;
  [s1, s2] = new Set(['x', 'y']);
  [c1] = 'hi';
  check(null, {
    'a swap': () => value.join() === '3,4' && a === 3 && b === 4,
    'an object pattern': () => x === 'X' && z === 5 && JSON.stringify(rest) === '{"q":1,"r":2}',
    'holes and a rest': () => first === 10 && others.join() === '30,40',
    'member targets': () => o.n === 7 && o.m === 8,
    'in a loop': () => p === 55 && q === 89,
    'defaults replace undefined only': () => d1 === 'def' && d2 === null,
    'nested patterns': () => deep === 42 && inner === 'in',
    'an array pattern iterates Maps, Sets and strings': () => e1.join() === 'k1,v1' && k2 === 'k2' && s1 === 'x' && s2 === 'y' && c1 === 'h',
    'the value is taken once': () => calls === before + 1 && u === calls && v === calls * 10,
  });
}
