// ternaries as values, nested and inside templates.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 3 };

export default function () {
  const code = __ITER % 2 === 0 ? 200 : 201;
  const res = http.get(`${__ENV.BASE}/status/${code}`);
  const size = res.status === 200 ? 'even' : res.status === 201 ? 'odd' : 'other';
  check(res, {
    'ternary picked the status': (r) => r.status === code,
    'nested ternary': () => size === (__ITER % 2 === 0 ? 'even' : 'odd'),
    'ternary in a template': () => `${code > 200 ? 'big' : 'small'}` !== '',
  });
}
