// k6 twin of arrival-rate.rhai.
import http from 'k6/http';
const BASE = __ENV.BASE || 'http://127.0.0.1:3000';
const VUS = parseInt(__ENV.VUS || '200');

export const options = {
  scenarios: {
    arrival: {
      executor: 'constant-arrival-rate',
      rate: parseInt(__ENV.RATE || '5000'),
      timeUnit: '1s',
      duration: __ENV.DURATION || '20s',
      preAllocatedVUs: VUS,
      maxVUs: VUS,
    },
  },
};

export default function () {
  http.get(`${BASE}/`);
}
