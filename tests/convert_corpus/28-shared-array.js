// k6/data: a SharedArray built once from a JSON file, read by every VU.
import { SharedArray } from 'k6/data';
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';

const users = new SharedArray('users', function () {
  return JSON.parse(open('./lib/users.json'));
});

export const options = { vus: 3, iterations: 6 };

export default function () {
  const user = users[exec.scenario.iterationInTest % users.length];
  const res = http.get(`${__ENV.BASE}/?user=${user.name}`);
  check(res, { 'status 200': (r) => r.status === 200 });
  check(users, {
    'three users': (u) => u.length === 3,
    'fields survive': () => user.pass.length > 0 && Array.isArray(user.roles),
  });
  let admins = 0;
  for (const u of users) {
    if (u.roles.includes('admin')) admins++;
  }
  check(admins, { 'admins': (n) => n === 2 });
}
