// for...of over arrays and Object.entries, for...in over an object's keys.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const PATHS = ['/', '/status/200', '/bytes/10'];

export default function () {
  let ok = 0;
  for (const p of PATHS) {
    const res = http.get(`${__ENV.BASE}${p}`);
    if (res.status === 200) ok++;
  }
  const prices = { apple: 2, pear: 3 };
  let total = 0;
  for (const k in prices) {
    total += prices[k];
  }
  let keys = '';
  for (const [k, v] of Object.entries(prices)) {
    keys += `${k}=${v};`;
  }
  check(null, {
    'for of': () => ok === 3,
    'for in': () => total === 5,
    'for of entries': () => keys === 'apple=2;pear=3;',
  });
}
