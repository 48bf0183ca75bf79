// `||` and `??` defaults, with __ENV.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const BASE = __ENV.BASE || 'http://localhost:1';
const RETRIES = __ENV.RETRIES || '3';
const LIMIT = __ENV.LIMIT ?? 'none';

export default function () {
  const cfg = { timeout: 0, name: '', count: 5 };
  const res = http.get(`${BASE}/`);
  check(res, {
    'env default': () => RETRIES === '3' && LIMIT === 'none',
    '|| skips 0 and empty': () => (cfg.timeout || 10) === 10 && (cfg.name || 'anon') === 'anon',
    '?? keeps 0': () => (cfg.timeout ?? 10) === 0,
    '|| keeps a value': () => (cfg.count || 1) === 5,
    '&& picks the second': () => (cfg.count && 'yes') === 'yes',
    'status': (r) => r.status === 200,
  });
}
