// object spread, Object.assign / keys / values / entries, delete.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const BASE_HEADERS = { 'Content-Type': 'application/json', 'X-App': 'corpus' };

export default function () {
  const headers = { ...BASE_HEADERS, 'X-Iter': `${__ITER}` };
  const res = http.post(`${__ENV.BASE}/echo`, '{}', { headers });
  const merged = Object.assign({}, { a: 1 }, { b: 2 });
  const target = { x: 1 };
  Object.assign(target, { y: 2 });
  const copy = { ...merged, a: 10 };
  delete copy.b;
  check(res, {
    'spread headers sent': (r) => r.headers['X-Echo-X-App'] === 'corpus',
    'assign into a fresh object': () => merged.a === 1 && merged.b === 2,
    'assign into a target': () => target.y === 2,
    'keys': () => Object.keys(merged).length === 2,
    'values': () => Object.values(merged).reduce((s, v) => s + v, 0) === 3,
    'entries': () => Object.entries(merged)[0][0] === 'a',
    'spread then override and delete': () => copy.a === 10 && copy.b === undefined,
  });
}
