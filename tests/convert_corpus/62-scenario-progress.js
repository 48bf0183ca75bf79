// exec.scenario.progress of the executors that plan a number of iterations: the share of them
// that have ended (0 in the first), as k6 counts it, not the share started or of maxDuration.
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';

export const options = {
  scenarios: {
    shared: { executor: 'shared-iterations', vus: 1, iterations: 4, exec: 'shared' },
    pervu: { executor: 'per-vu-iterations', vus: 1, iterations: 5, exec: 'pervu' },
  },
};

export function shared() {
  http.get(`${__ENV.BASE}/`);
  check(exec.scenario.progress, { 'shared-iterations: the share ended': (p) => p === __ITER / 4 });
}

export function pervu() {
  http.get(`${__ENV.BASE}/`);
  check(exec.scenario.progress, { 'per-vu-iterations: the share ended': (p) => p === __ITER / 5 });
}
