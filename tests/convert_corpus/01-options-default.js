// options, the default function, a request and a check.
import http from 'k6/http';
import { check } from 'k6';

export const options = {
  vus: 2,
  iterations: 6,
  thresholds: { http_req_failed: ['rate<0.5'], checks: ['rate>0.9'] },
};

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  check(res, { 'status is 200': (r) => r.status === 200 });
}
