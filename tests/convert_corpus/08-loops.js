// C-style for (with continue and break), while, do-while.
import http from 'k6/http';
import { check, sleep } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  for (let i = 0; i < 3; i++) {
    http.get(`${__ENV.BASE}/?i=${i}`);
  }
  let evens = 0;
  for (let i = 0; i < 10; i += 2) {
    if (i === 4) continue;
    evens += i;
  }
  let down = 0;
  for (let j = 5; j > 0; j--) {
    if (j === 2) break;
    down += j;
  }
  let n = 0;
  while (n < 4) {
    n++;
  }
  let m = 0;
  do {
    m += 3;
  } while (m < 10);
  sleep(0.01);
  check(null, {
    'counted loop with continue': () => evens === 2 + 6 + 8,
    'downward loop with break': () => down === 5 + 4 + 3,
    'while': () => n === 4,
    'do-while': () => m === 12,
  });
}
