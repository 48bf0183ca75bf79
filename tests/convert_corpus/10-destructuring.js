// const/let destructuring with defaults, arrays, nested, and in parameters.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

function describe({ name, role = 'user' }) {
  return `${name}:${role}`;
}

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  const { status, headers } = res;
  const { a = 1, b = 2, nested: { c } } = { b: 5, nested: { c: 9 } };
  const [first, second, third = 'z'] = ['x', 'y'];
  let { count = 0 } = {};
  count += 1;
  check(res, {
    'from the response': () => status === 200 && headers !== undefined,
    'defaults apply to missing keys': () => a === 1 && b === 5,
    'nested pattern': () => c === 9,
    'array pattern': () => first === 'x' && second === 'y' && third === 'z',
    'let pattern': () => count === 1,
    'parameter pattern': () => describe({ name: 'ana' }) === 'ana:user',
  });
}
