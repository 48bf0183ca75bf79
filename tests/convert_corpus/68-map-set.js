// JavaScript's Map and Set: rload convert refused `new Map(…)` and `new Set(…)` ("rload has no
// Map"), so a script tracking ids or counts with them did not run. One shared object (a function
// that changes the Map it is given changes the caller's), insertion order, SameValueZero keys,
// for…of and forEach over a variable made with `new Map`/`new Set`.
import http from 'k6/http';
import { check } from 'k6';

const statuses = new Map();
function count(m, k) {
  m.set(k, (m.get(k) || 0) + 1);
}

export const options = { vus: 1, iterations: 3 };

export default function () {
  const res = http.get(`${__ENV.BASE}/status/${200 + __ITER}`);
  count(statuses, res.status);
  const m = new Map([['x', 1]]);
  m.set('y', 2).set(1, 'one').set(1.0, 'uno');
  const s = new Set([3, 1, 3, 2]);
  s.add(1).add(4);
  const seen = [];
  for (const [k, v] of m) seen.push(`${k}=${v}`);
  m.forEach((v, k) => seen.push(`${k}:${v}`));
  for (const v of s) seen.push(`s${v}`);
  s.forEach((v) => seen.push(`t${v}`));
  check(seen, {
    'insertion order, 1 and 1.0 one key': (x) => x.join() === 'x=1,y=2,1=uno,x:1,y:2,1:uno,s3,s1,s2,s4,t3,t1,t2,t4',
    'size, has, get, delete': () =>
      m.size === 3 && s.size === 4 && m.has('y') && m.get('nope') === undefined && m.delete('y') && !m.delete('y'),
    'spread': () => JSON.stringify([...s]) === '[3,1,2,4]' && JSON.stringify([...m]) === '[["x",1],[1,"uno"]]',
    'JSON writes {}': () => JSON.stringify({ m, s }) === '{"m":{},"s":{}}',
    'a Set of a string': () => [...new Set('abca')].join('') === 'abc',
  });
  check(statuses, {
    'a module Map counted through a function': (x) => x.size === __ITER + 1 && x.get(res.status) === 1,
  });
  check(total(statuses, s), { 'for…of over a Map and a Set the converter did not see made': (t) => t === 10 + __ITER + 1 });
}

// Its parameters could hold anything: rload iterated them with Rhai's `for`, which stopped the
// iteration with "For loop expects iterable type".
function total(counts, values) {
  let t = 0;
  for (const [, n] of counts) t += n;
  for (const v of values) t += v;
  return t;
}
