// JSON.parse of arrays and scalars, JSON.stringify of strings and numbers (Rhai's own JSON
// functions take maps only).
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const res = http.post(`${__ENV.BASE}/echo`, JSON.stringify([1, 'two', { three: 3 }]));
  const arr = JSON.parse(res.body);
  check(res, {
    'array parsed': () => arr.length === 3 && arr[1] === 'two' && arr[2].three === 3,
    'scalar parsed': () => JSON.parse('42') === 42 && JSON.parse('"s"') === 's' && JSON.parse('true') === true,
    'string stringified': () => JSON.stringify('a"b') === '"a\\"b"',
    'number stringified': () => JSON.stringify(7) === '7',
    'object round trip': () => JSON.parse(JSON.stringify({ k: [1] })).k[0] === 1,
  });
}
