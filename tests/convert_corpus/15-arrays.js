// array methods: map, filter, forEach, find, some, every, reduce, includes, join, push, slice.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const codes = [200, 201, 404];
  const responses = [];
  codes.forEach((c) => {
    responses.push(http.get(`${__ENV.BASE}/status/${c}`));
  });
  const statuses = responses.map((r) => r.status);
  let sum = 0;
  statuses.forEach((s, i) => {
    sum += s * (i + 1);
  });
  check(null, {
    'map': () => statuses.join(',') === '200,201,404',
    'filter': () => statuses.filter((s) => s < 400).length === 2,
    'find': () => statuses.find((s) => s > 300) === 404,
    'some and every': () => statuses.some((s) => s === 201) && statuses.every((s) => s >= 200),
    'reduce': () => statuses.reduce((acc, s) => acc + s, 0) === 805,
    'includes': () => statuses.includes(404) && !statuses.includes(500),
    'forEach with index': () => sum === 200 + 402 + 1212,
    'slice': () => statuses.slice(1).length === 2 && statuses.slice(0, 1)[0] === 200,
    'push returns into length': () => { const a = [1]; a.push(2); return a.length === 2; },
  });
}
