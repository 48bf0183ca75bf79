// Array and object idioms that differed silently or stopped the iteration: unshift of several
// items kept the first only (and gave undefined, not the new length); concat dropped null and
// undefined from a string and stopped at an item that is not an array; join(undefined) joined
// with nothing; Number([]) and Number([5]) were NaN; `{ ...undefined }` and `{ ...null }`
// stopped the iteration, as did an array's keys() and entries().
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const queue = [3];
  const len = queue.unshift(1, 2);
  queue.unshift(0, 0.5);
  const arr = ['a', 'b'];
  let walked = '';
  for (const [i, v] of arr.entries()) walked += `${i}=${v};`;
  const opts = undefined;
  const base = null;
  const params = { headers: { a: '1' } };
  const merged = { ...params, headers: { ...params.headers, ...params.extra, b: '2' } };
  check(null, {
    'unshift puts every item first and gives the new length': () => len === 3 && queue.join() === '0,0.5,1,2,3',
    'concat of null, undefined and plain items': () =>
      'x'.concat(null, undefined, 2) === 'xnullundefined2' && [1].concat(2, [3, [4]], null).length === 5,
    'join(undefined) joins with commas': () => [1, 2].join(undefined) === '1,2' && [1, 2].join(null) === '1null2',
    'Number of an array reads its text': () => Number([]) === 0 && Number([5]) === 5 && isNaN(Number([1, 2])) && [3] - 1 === 2,
    'spreading null or undefined into an object adds nothing': () =>
      JSON.stringify({ ...opts }) === '{}' && JSON.stringify({ a: 1, ...base, b: 2 }) === '{"a":1,"b":2}' &&
      JSON.stringify(merged) === '{"headers":{"a":"1","b":"2"}}',
    "spreading a string or an array into an object: its elements by index": () =>
      JSON.stringify({ ...'hi' }) === '{"0":"h","1":"i"}' && JSON.stringify({ ...[7, 8] }) === '{"0":7,"1":8}',
    "an array's keys, values and entries": () =>
      [...arr.keys()].join() === '0,1' && Array.from(arr.values()).join() === 'a,b' && walked === '0=a;1=b;' &&
      JSON.stringify([...arr.entries()]) === '[[0,"a"],[1,"b"]]',
    "a Map's own keys and entries still": () => [...new Map([['k', 1]]).entries()].join() === 'k,1' && [...new Set([3, 4]).values()].join() === '3,4',
  });
}
