// `await new Promise((resolve) => setTimeout(resolve, ms))`, a wait written as a promise: rload
// refused it ("a promise"). With no other timer and no WebSocket in the file nothing else of the
// VU runs meanwhile in k6 either, so it converts to a wait of `ms`, read as setTimeout reads it.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const PAUSE = 300;

const pause = async (ms) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return 'resumed';
};

export default async function () {
  const t0 = Date.now();
  await new Promise((resolve) => setTimeout(resolve, PAUSE));
  const t1 = Date.now();
  await new Promise(function (r) {
    setTimeout(r, '100');
  });
  const t2 = Date.now();
  await new Promise((r) => setTimeout(r));
  const t3 = Date.now();
  const resumed = await pause(50);
  const res = http.get(`${__ENV.BASE}/`);
  // Lower bounds only (a loaded machine may wake either tool late), and 1 ms of leeway for
  // Date.now()'s whole milliseconds; no delay must stay well under the shortest wait. The wait in
  // the async helper is checked by what it returns alone: on a loaded machine k6 v1.1.0 sometimes
  // resolves it at once (0-1 ms in 2 of 30 iterations, measured), where rload waits the 50 ms.
  check([t1 - t0, t2 - t1, t3 - t2], {
    'waited the delay': (d) => d[0] >= PAUSE - 1,
    'a numeric string is milliseconds': (d) => d[1] >= 99,
    'no delay is none': (d) => d[2] < 1000 && d[2] < d[0],
  });
  check(resumed, { 'in an async helper': (r) => r === 'resumed' });
  check(res, { 'then the request': (r) => r.status === 200 });
}
