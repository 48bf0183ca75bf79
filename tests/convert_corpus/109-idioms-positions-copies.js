// Methods rload refused and k6 runs: includes and lastIndexOf from a position, toSorted and
// toReversed (copies), Array.of, String.fromCodePoint, Number.isSafeInteger, Object.hasOwn. And sort with a
// comparator in a file with a function named `f`, which rload's sort helper called instead of
// the comparator ("Function not found: f").
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

function f(x) {
  return x;
}

export default function () {
  const xs = [3, 1, 2];
  const down = xs.toSorted((a, b) => b - a);
  check(null, {
    'includes from a position': () =>
      !'a,b'.includes('a', 1) && 'abc'.includes('c', -1) && [1, 2, 3].includes(3, -1) && ![1, 2, 3].includes(1, 1) && [NaN].includes(NaN, 0),
    'lastIndexOf from a position': () =>
      'abcabc'.lastIndexOf('c', 3) === 2 && 'canal'.lastIndexOf('a', 0) === -1 && [1, 2, 1].lastIndexOf(1, 1) === 0 && [1, 2, 1].lastIndexOf(1, -4) === -1,
    'sort with a comparator beside a function named f': () => [3, 1, 2].sort((m, n) => m - n).join() === '1,2,3' && f(1) === 1,
    'toSorted and toReversed leave the array': () =>
      down.join() === '3,2,1' && xs.toSorted().join() === '1,2,3' && xs.toReversed().join() === '2,1,3' && xs.join() === '3,1,2',
    'Object.hasOwn: own keys and indices': () =>
      Object.hasOwn({ a: undefined }, 'a') && !Object.hasOwn({ a: 1 }, 'b') && Object.hasOwn([5], 0) && !Object.hasOwn([5], 1) && Object.hasOwn([], 'length'),
    'Array.of, String.fromCodePoint, Number.isSafeInteger': () =>
      Array.of(7).length === 1 && Array.of('a', 'b').join('-') === 'a-b' && String.fromCodePoint(72, 105) === 'Hi' &&
      Number.isSafeInteger(2 ** 53 - 1) && !Number.isSafeInteger(2 ** 53) && !Number.isSafeInteger(1.5),
  });
}
