// JSON.stringify with a replacer, a function or a list of keys (rload refused both): what k6
// sends as a request body and what it logs.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const BASE = __ENV.BASE;

function hideSecrets(key, value) {
  return key === 'password' || key === 'token' ? undefined : value;
}

export default function () {
  const user = { name: 'ann', password: 'pw', profile: { token: 't', age: 31, tags: ['a', 'b'] }, born: new Date(Date.UTC(1990, 4, 6)) };
  const seen = [];
  const traced = JSON.stringify({ a: 1, b: [2, 'x'] }, (k, v) => {
    seen.push(k);
    return typeof v === 'number' ? v * 10 : v;
  });
  const res = http.post(`${BASE}/echo`, JSON.stringify(user, ['name', 'profile', 'age']), { headers: { 'Content-Type': 'application/json' } });
  check(null, {
    'a function replaces values depth first from the root': () => traced === '{"a":10,"b":[20,"x"]}' && seen.join('/') === '/a/b/0/1',
    'undefined leaves a key out, and is null in an array': () =>
      JSON.stringify(user, hideSecrets) === '{"name":"ann","profile":{"age":31,"tags":["a","b"]},"born":"1990-05-06T00:00:00.000Z"}' &&
      JSON.stringify([1, 2, 3], (k, v) => (k === '1' ? undefined : v)) === '[1,null,3]',
    'the function sees a date as its text': () => JSON.stringify({ d: new Date(0) }, (k, v) => (k === 'd' ? typeof v : v)) === '{"d":"string"}',
    'a list keeps its keys at every depth': () => res.json().profile.age === 31 && res.json().password === undefined && res.json().profile.tags === undefined,
    'a list in its order, each key once': () => JSON.stringify({ a: 1, b: 2, c: 3 }, ['c', 'a', 'c']) === '{"c":3,"a":1}' && JSON.stringify([{ x: 1, y: 2 }], ['y']) === '[{"y":2}]',
    'a replacer with an indent': () => JSON.stringify({ a: 1, b: 2 }, ['a'], 2) === '{\n  "a": 1\n}' && JSON.stringify({ a: 1 }, (k, v) => v, '\t') === '{\n\t"a": 1\n}',
    'anything else is no replacer': () => JSON.stringify({ a: 1 }, 5) === '{"a":1}' && JSON.stringify({ a: 1 }, undefined, 1) === '{\n "a": 1\n}',
    'the root can be replaced': () => JSON.stringify({ a: 1 }, (k, v) => (k === '' ? [v.a] : v)) === '[1]',
  });
}
