// k6/data: a SharedArray read as the array it is a proxy of: spread into an array to sort or
// shuffle a copy, for…in over its indices, Object.keys/values/entries, Array.isArray. Each of
// these failed under rload (Function not found) or, for Array.isArray, answered false, so a
// script branching on it ran other code than under k6.
import { SharedArray } from 'k6/data';
import http from 'k6/http';
import { check } from 'k6';

const users = new SharedArray('users', function () {
  return JSON.parse(open('./lib/users.json'));
});
const ids = new SharedArray('ids', () => [3, 1, 2]);

export const options = { vus: 2, iterations: 4 };

export default function () {
  const sorted = [...ids].sort();
  const withZero = [0, ...ids];
  let more = [9];
  more = more.concat([...ids]);
  check(sorted, {
    'a spread copy sorts': (s) => s.join(',') === '1,2,3',
    'the shared array keeps its order': () => ids.join(',') === '3,1,2',
    'a spread after elements': () => withZero.join(',') === '0,3,1,2',
    'concat of a spread': () => more.length === 4,
  });
  const indices = [];
  for (const i in users) indices.push(i);
  check(indices, {
    'for…in gives the indices as text': (k) => k.join(',') === '0,1,2' && typeof k[0] === 'string',
    'Object.keys': () => Object.keys(ids).join(',') === '0,1,2',
    'Object.values': () => Object.values(ids).join(',') === '3,1,2',
    'Object.entries': () => JSON.stringify(Object.entries(ids)) === '[["0",3],["1",1],["2",2]]',
    'Array.isArray': () => Array.isArray(users),
  });
  // A script that picks its path by Array.isArray makes the request only where it is true.
  const list = Array.isArray(users) ? users : [users];
  const res = http.get(`${__ENV.BASE}/?user=${list[0].name}`);
  check(res, { 'status 200': (r) => r.status === 200 });
}
