// A promise's callbacks and the Promise combinators, as k6's docs use them. k6 runs a
// callback when the VU's JavaScript is idle (at an await, or once the iteration's function has
// returned, before the iteration ends), never during its code or a sleep; a chain runs one job
// at a time, interleaved with the code after an await. rload refused `.then`, `.catch`,
// `.finally` and every `Promise.*` but `all`; it converts them to its own promises
// (src/script/api/promise.rs). No check depends on which request answers first but the race's,
// whose two delays are far apart.
import http from 'k6/http';
import { check, sleep } from 'k6';

export const options = { vus: 1, iterations: 2 };

const B = __ENV.BASE;

async function plus(x) {
  return x + 1;
}

async function resolved(v) {
  return Promise.resolve(v);
}

async function failing() {
  throw new Error('failing');
}

async function relayed() {
  return failing();
}

async function bodyOf(path) {
  const res = await http.asyncRequest('GET', `${B}${path}`);
  return res.body;
}

export default async function () {
  // Not during the sleep, not at the await of a value: at the await of the promise itself,
  // where its callback (registered first) runs before the code after the await.
  const order = [];
  const p = http.asyncRequest('GET', `${B}/delay/20`);
  p.then((res) => {
    order.push('then');
    check(res, { 'then gets the response': (r) => r.status === 200 });
  });
  sleep(0.1);
  order.push('slept');
  await null;
  order.push('awaited a value');
  await p;
  order.push('awaited p');
  check(order.join(), { 'a callback runs when the VU is idle': (o) => o === 'slept,awaited a value,then,awaited p' });

  // A chain takes one job per step; the code after an await goes on at its own job.
  const steps = [];
  p.then(() => steps.push('a1')).then(() => steps.push('a2')).then(() => steps.push('a3'));
  await null;
  steps.push('x1');
  await null;
  steps.push('x2');
  await null;
  check(steps.join(), { 'chains interleave with awaits': (s) => s === 'a1,x1,a2,x2,a3' });

  // An await of the file's own async function is one job; its return of a promise adopts it
  // in two more.
  const jobs = [];
  p.then(() => jobs.push('j1')).then(() => jobs.push('j2')).then(() => jobs.push('j3')).then(() => jobs.push('j4'));
  const two = await plus(1);
  jobs.push('plus');
  const three = await resolved(3);
  jobs.push('resolved');
  await null;
  check(jobs.join(), { 'async functions take their jobs': (j) => two === 2 && three === 3 && j === 'j1,plus,j2,j3,j4,resolved' });
  const thrown = [];
  p.then(() => thrown.push('t1')).then(() => thrown.push('t2')).then(() => thrown.push('t3')).then(() => thrown.push('t4'));
  try {
    await relayed();
  } catch (e) {
    thrown.push(e.message);
  }
  await null;
  check(thrown.join(), { 'a throw relayed by a return takes its jobs too': (t) => t === 't1,t2,t3,failing,t4' });

  // A throw rejects the next promise; catch recovers, finally passes the value on.
  const caught = await p
    .then(() => {
      throw new Error('boom');
    })
    .catch((e) => `caught ${e.message}`)
    .finally(() => steps.push('finally'));
  check(caught, { 'catch gets the throw, finally passes the value': (c) => c === 'caught boom' && steps.includes('finally') });

  // A callback returning a promise: the chain waits for it.
  const adopted = await p.then(() => http.asyncRequest('GET', `${B}/bytes/7`)).then((r) => r.body.length);
  check(adopted, { 'a returned promise is adopted': (n) => n === 7 });

  // allSettled: every outcome, in the list's order.
  const [ok, failed, plain] = await Promise.allSettled([
    http.asyncRequest('GET', `${B}/delay/30`),
    http.asyncRequest('GET', 'http://127.0.0.1:1/', null, { throw: true }),
    3,
  ]);
  check(ok, { 'allSettled: fulfilled': (s) => s.status === 'fulfilled' && s.value.status === 200 });
  check(failed, { 'allSettled: rejected': (s) => s.status === 'rejected' && String(s.reason).includes('127.0.0.1:1') });
  check(plain, { 'allSettled: a value': (s) => s.status === 'fulfilled' && s.value === 3 });

  // race: the first to settle; any: the first fulfilled, or an AggregateError.
  const first = await Promise.race([http.asyncRequest('GET', `${B}/delay/800?slow`), http.asyncRequest('GET', `${B}/delay/10?fast`)]);
  check(first, { 'race: the first to settle': (r) => r.url.endsWith('fast') });
  const anyOk = await Promise.any([Promise.reject(new Error('no')), http.asyncRequest('GET', `${B}/bytes/4`)]);
  check(anyOk, { 'any: the first fulfilled': (r) => r.body.length === 4 });
  let aggregate = null;
  try {
    await Promise.any([Promise.reject(1), Promise.reject(2)]);
  } catch (e) {
    aggregate = e;
    check(`${e.name}:${e.message}:${e}`, { "a caught AggregateError's name and message": (t) => t === 'AggregateError::AggregateError' });
  }
  check(aggregate, { 'any: an AggregateError of every reason': (e) => e.name === 'AggregateError' && e.errors.join() === '1,2' });

  // resolve and reject; an async function awaited in a chain's file.
  check(await Promise.resolve(5), { 'Promise.resolve': (v) => v === 5 });
  check(await bodyOf('/bytes/2'), { 'an awaited async function': (b) => b.length === 2 });
  let rejected = '';
  await Promise.reject('nope').catch((e) => {
    rejected = e;
  });
  check(rejected, { 'Promise.reject': (r) => r === 'nope' });

  // Never awaited: its callbacks run before the iteration ends, and their checks count.
  http
    .asyncRequest('GET', `${B}/delay/50?last`)
    .then((res) => check(res, { 'a callback at the iteration end runs': (r) => r.status === 200 }))
    .finally(() => check(true, { 'and its finally': (t) => t }));
}
