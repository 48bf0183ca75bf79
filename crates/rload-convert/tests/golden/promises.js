// Promise callbacks and combinators (src/promises.rs, src/asyncs.rs): every await of this file
// is one job of k6's queue, an async function's return of a promise is adopted.
import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE;

async function body(path) {
  const res = await http.asyncRequest('GET', `${BASE}${path}`);
  return res.body;
}

async function started(path) {
  return http.asyncRequest('GET', `${BASE}${path}`);
}

export default async function () {
  http
    .asyncRequest('GET', `${BASE}/a`)
    .then((res) => check(res, { ok: (r) => r.status === 200 }))
    .catch((e) => console.log('failed', e.message))
    .finally(() => console.log('done'));
  const [a, b] = await Promise.allSettled([started('/b'), Promise.reject(new Error('no'))]);
  const first = await Promise.race([http.asyncRequest('GET', `${BASE}/slow`), Promise.resolve(1)]);
  const any = await Promise.any([http.asyncRequest('GET', `${BASE}/c`), 2]);
  const all = await Promise.all([body('/d'), 3]);
  const text = await body('/e');
  await null;
  http.asyncRequest('GET', `${BASE}/f`).then(
    (r) => r.status,
    (e) => e.name,
  );
  setTimeout(() => {}, 1);
}
