// Scenario functions whose names Rhai reserves or cannot spell (`match`, `my$fn`): each
// scenario runs the function its `exec` names, as in k6.
import http from 'k6/http';
import { check } from 'k6';

export const options = {
  scenarios: {
    a: { executor: 'per-vu-iterations', exec: 'default', vus: 1, iterations: 1 },
    b: { executor: 'per-vu-iterations', exec: 'match', vus: 1, iterations: 2 },
    c: { executor: 'per-vu-iterations', exec: 'my$fn', vus: 1, iterations: 3 },
  },
};

export default function () {
  check(http.get(`${__ENV.BASE}/`), { 'default ran': (r) => r.status === 200 });
}

export function match() {
  check(http.get(`${__ENV.BASE}/`), { 'match ran': (r) => r.status === 200 });
}

export function my$fn() {
  check(http.get(`${__ENV.BASE}/`), { 'my$fn ran': (r) => r.status === 200 });
}
