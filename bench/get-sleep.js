// k6 twin of get-sleep.rhai.
import http from 'k6/http';
import { check, sleep } from 'k6';
const BASE = __ENV.BASE || 'http://127.0.0.1:3000';
export default function () {
  const r = http.get(`${BASE}/`);
  check(r, { 'status is 200': (r) => r.status === 200 });
  sleep(1.0);
}
