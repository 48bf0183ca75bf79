// custom metrics: new Trend / Counter / Rate / Gauge, with tags, and thresholds on them.
import http from 'k6/http';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';

export const options = {
  vus: 1,
  iterations: 4,
  thresholds: { my_errors: ['count<100'], my_ok_rate: ['rate>0.5'] },
};

const waiting = new Trend('my_waiting', true);
const errors = new Counter('my_errors');
const okRate = new Rate('my_ok_rate');
const last = new Gauge('my_last_status');

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  waiting.add(res.timings.waiting, { page: 'home' });
  errors.add(res.status === 200 ? 0 : 1);
  okRate.add(res.status === 200);
  last.add(res.status);
}
