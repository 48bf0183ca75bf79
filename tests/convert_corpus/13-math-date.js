// Math.*, Date.now(), division as JavaScript does it.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 3 };

export default function () {
  const start = Date.now();
  const res = http.get(`${__ENV.BASE}/`);
  const r = Math.random();
  check(res, {
    'floor and ceil': () => Math.floor(7 / 2) === 3 && Math.ceil(7 / 2) === 4,
    'division keeps fractions': () => 7 / 2 === 3.5 && 10 / 4 === 2.5,
    'round': () => Math.round(2.5) === 3 && Math.round(2.4) === 2,
    'min and max': () => Math.min(3, 1, 2) === 1 && Math.max(3, 9, 2) === 9,
    'abs and pow': () => Math.abs(-4) === 4 && Math.pow(2, 10) === 1024,
    'random in [0, 1)': () => r >= 0 && r < 1,
    'index from random': () => ['a', 'b', 'c'][Math.floor(r * 3)] !== undefined,
    'Date.now moves on': () => Date.now() >= start && start > 1600000000000,
  });
}
