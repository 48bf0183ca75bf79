// template literals, JSON.stringify and JSON.parse through the echo endpoint.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const user = { name: 'ana', age: 7, tags: ['a', 'b'] };
  const path = `/echo?user=${user.name}&age=${user.age}`;
  const res = http.post(`${__ENV.BASE}${path}`, JSON.stringify(user), {
    headers: { 'Content-Type': 'application/json' },
  });
  const back = JSON.parse(res.body);
  check(res, {
    'echoed json parses': () => back.name === 'ana' && back.age === 7,
    'nested array': () => back.tags[1] === 'b',
    'template with expression': () => `${user.age + 1} years` === '8 years',
    'multi-line template': () => `a
b`.length === 3,
    'json() selector': (r) => r.json('tags.0') === 'a',
  });
}
