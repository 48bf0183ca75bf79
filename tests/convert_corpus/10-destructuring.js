// const/let destructuring with defaults, arrays, nested, and in parameters; an array's or a
// string's `length` and an index as keys of an object pattern (`const { length } = arr`).
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
  const { length } = [1, 2, 3];
  const { length: chars, 1: letter } = 'abcd';
  const { list: { length: listed, 0: head, 5: past }, length: own } = { list: [4, 5], length: 'own' };
  const { length: unset = 7 } = {};
  check(res, {
    'from the response': () => status === 200 && headers !== undefined,
    'defaults apply to missing keys': () => a === 1 && b === 5,
    'nested pattern': () => c === 9,
    'array pattern': () => first === 'x' && second === 'y' && third === 'z',
    'let pattern': () => count === 1,
    'parameter pattern': () => describe({ name: 'ana' }) === 'ana:user',
    'length and indices of arrays and strings': () => length === 3 && chars === 4 && letter === 'b'
      && listed === 2 && head === 4 && past === undefined && own === 'own' && unset === 7,
  });
}
