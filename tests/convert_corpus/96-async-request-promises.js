// `http.asyncRequest` as a promise: kept in a variable, pushed to a list built in a loop,
// awaited later, or never. k6 starts each request at once and runs it while the script goes on
// (a `sleep` included); the iteration ends once every request it started has completed, so one
// never awaited still counts in http_reqs. rload refused every shape but `await` at once and
// `Promise.all` of a literal list; it converts them to `http.asyncRequest`, `http.wait` and
// `http.wait_all`.
import http, { asyncRequest } from 'k6/http';
import { check, sleep } from 'k6';

export const options = { vus: 1, iterations: 2 };

const B = __ENV.BASE;
const DELAY = 400;

async function started(path) {
  const p = http.asyncRequest('GET', `${B}${path}`);
  return p;
}

export default async function () {
  // Five requests pushed in a loop, then awaited together: about one delay, not five.
  let t0 = Date.now();
  const reqs = [];
  for (const id of [1, 2, 3, 4, 5]) reqs.push(http.asyncRequest('GET', `${B}/delay/${DELAY}?i=${id}`));
  const pushed = Date.now() - t0;
  const rs = await Promise.all(reqs);
  const all = Date.now() - t0;
  check(rs, {
    'one response each, in order': (list) =>
      list.length === 5 && list.every((r, i) => r.status === 200 && r.url.endsWith(`i=${i + 1}`)),
  });
  check([pushed, all], {
    'pushing does not wait': (d) => d[0] < DELAY,
    'all in flight at once': (d) => d[1] >= DELAY - 1 && d[1] < 3 * DELAY,
  });

  // Kept promises: their requests run during the sleep (one after the other would be twice
  // the delay).
  t0 = Date.now();
  const p = asyncRequest('POST', `${B}/echo`, 'kept');
  const slow = http.asyncRequest('GET', `${B}/delay/${DELAY}`);
  sleep(DELAY / 1000);
  const echoed = await p;
  const late = await slow;
  const kept = Date.now() - t0;
  check(echoed, { 'kept promise answered': (r) => r.status === 200 && r.body === 'kept' });
  check(kept, { 'in flight during the sleep': (ms) => ms >= DELAY - 1 && ms < DELAY * 1.75 });
  check(late, { 'slow answered': (r) => r.status === 200 });

  // Awaited again, mixed with plain values, through an async function's return.
  const mixed = await Promise.all([p, 1, 'two', slow]);
  check(mixed, { 'values pass through': (m) => m[0].body === 'kept' && m[1] === 1 && m[2] === 'two' && m[3].status === 200 });
  const v = (await 5) + (await started('/bytes/3')).body.length;
  check(v, { 'await of a value, and of a returned promise': (n) => n === 8 });

  // A failure is a status-0 response; with throw, Promise.all rejects at the first failure,
  // without waiting for the slow one (which still completes before the iteration ends).
  const failed = await http.asyncRequest('GET', 'http://127.0.0.1:1/');
  check(failed, { 'a failed request resolves': (r) => r.status === 0 && r.error_code === 1212 });
  t0 = Date.now();
  let rejected = '';
  try {
    await Promise.all([
      http.asyncRequest('GET', `${B}/delay/${DELAY}?behind`),
      http.asyncRequest('GET', 'http://127.0.0.1:1/', null, { throw: true }),
    ]);
  } catch (e) {
    rejected = String(e);
  }
  check(Date.now() - t0, { 'rejected at the first failure': (ms) => ms < DELAY });
  check(rejected, { 'the failure is the rejection': (e) => e.includes('127.0.0.1:1') });

  // Never awaited: k6 waits for it before the iteration ends; it counts in http_reqs.
  http.asyncRequest('GET', `${B}/delay/200?never`, null, { tags: { name: 'never' } });
}
