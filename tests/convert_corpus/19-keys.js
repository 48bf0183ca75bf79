// object keys Rhai reserves, quoted keys, and a duplicated key (the last value wins).
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const cfg = { default: 1, shared: true, fn: 'f', import: 'i', 'with-dash': 2, mode: 'a', mode: 'b' };
  const res = http.post(`${__ENV.BASE}/echo`, JSON.stringify(cfg), { headers: { 'Content-Type': 'application/json' } });
  check(res, {
    'reserved words as keys': () => cfg.default === 1 && cfg.shared === true && cfg.fn === 'f' && cfg.import === 'i',
    'quoted key': () => cfg['with-dash'] === 2,
    'duplicated key keeps the last value': () => cfg.mode === 'b',
    'round trip': (r) => JSON.parse(r.body).shared === true,
  });
}
