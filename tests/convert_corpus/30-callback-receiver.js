// Callbacks that read the array or object their method is called on (Rhai holds a chain's root
// variable while the chain runs; the conversion calls the method on a copy).
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const LIMITS = [300, 200, 500];

export default function () {
  const urls = { a: `${__ENV.BASE}/status/200`, b: `${__ENV.BASE}/status/201` };
  const statuses = Object.keys(urls).map((k) => http.get(urls[k]).status);
  const o = { a: 1, b: 3, c: 2 };
  const arr = [1, 2, 3];
  const res = { items: [1, 2] };
  const nums = [3, 1, 2];
  nums.sort((a, b) => (a - b) * nums.length);
  const above = (x) => x > arr[0];
  let seen = 0;
  arr.forEach((x) => {
    seen += arr.filter((y) => y <= x + arr[0]).length;
  });
  check(null, {
    'Object.keys(o).map reads o': () => statuses.join(',') === '200,201',
    'filter reads the array': () => arr.filter((x) => x > arr[0]).join(',') === '2,3',
    'map reads a property of the root': () => res.items.map((x) => x + res.items.length).join(',') === '3,4',
    'find and findIndex': () => arr.find((x) => x === arr[1]) === 2 && arr.findIndex((x) => x === arr[2]) === 2,
    'some and every': () => !arr.some((x) => x > arr[2]) && arr.every((x) => x <= arr[2]),
    'reduce': () => arr.reduce((acc, x) => acc + x * arr.length, 0) === 18,
    'sort keys by value': () => Object.keys(o).sort((x, y) => o[y] - o[x]).join('') === 'bca',
    'sort in place': () => nums.join(',') === '1,2,3',
    'nested and chained': () =>
      arr.map((x) => arr.filter((y) => y < x + arr[0]).length).join(',') === '1,2,3' &&
      arr.filter((x) => x > arr[0]).map((x) => x * arr.length).join(',') === '6,9',
    'forEach with a callback inside': () => seen === 2 + 3 + 3,
    'a callback kept in a variable': () => arr.filter(above).length === 2,
    'a module constant': () => LIMITS.filter((l) => l < LIMITS[2]).length === 2,
  });
}
