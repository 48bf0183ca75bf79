// setup() data reaches the default function (a copy) and teardown().
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 3 };

export function setup() {
  const res = http.get(`${__ENV.BASE}/`);
  return { token: 'abc', status: res.status, list: [1, 2, 3] };
}

export default function (data) {
  check(data, {
    'setup data arrives': (d) => d.token === 'abc' && d.status === 200,
    'arrays survive the copy': (d) => d.list.length === 3 && d.list[2] === 3,
  });
  http.get(`${__ENV.BASE}/status/204`);
}

export function teardown(data) {
  http.post(`${__ENV.BASE}/echo`, JSON.stringify(data), { headers: { 'Content-Type': 'application/json' } });
}
