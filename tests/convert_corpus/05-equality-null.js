// ===, !==, null and undefined.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const res = http.get(`${__ENV.BASE}/status/404`);
  const missing = { a: 1 }.b;
  const nothing = null;
  check(res, {
    'strict equality': (r) => r.status === 404,
    'strict inequality': (r) => r.status !== 200,
    'missing property is undefined': () => missing === undefined,
    'null is null': () => nothing === null,
    'typeof undefined': () => typeof missing === 'undefined',
    'typeof number': () => typeof 3 === 'number' && typeof 'x' === 'string',
  });
}
