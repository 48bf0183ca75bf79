// module-level `let` state: each VU keeps it across iterations.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 4 };

let calls = 0;
const seen = [];
let session = null;

function bump() {
  calls += 1;
}

export default function () {
  bump();
  seen.push(__ITER);
  if (session === null) {
    session = `s-${__VU}`;
  }
  const res = http.get(`${__ENV.BASE}/?calls=${calls}`);
  check(res, {
    'counter kept across iterations': () => calls === __ITER + 1,
    'array kept across iterations': () => seen.length === __ITER + 1,
    'set once per VU': () => session === 'One'.replace('One', 's-1'),
  });
}
