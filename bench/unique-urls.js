// k6 twin of unique-urls.rhai.
import http from 'k6/http';
const BASE = __ENV.BASE || 'http://127.0.0.1:3000';
export default function () {
  http.get(`${BASE}/?id=${__VU * 10000000 + __ITER}`);
}
