// group(), switch, try/catch/throw, an early return.
import http from 'k6/http';
import { check, group } from 'k6';

export const options = { vus: 1, iterations: 3 };

function kind(code) {
  switch (code) {
    case 200:
    case 201:
      return 'ok';
    case 404:
      return 'missing';
    default:
      return 'other';
  }
}

export default function () {
  group('pages', function () {
    const res = http.get(`${__ENV.BASE}/status/${[200, 404, 500][__ITER]}`);
    check(res, { 'kind': (r) => kind(r.status) === ['ok', 'missing', 'other'][__ITER] });
  });
  let caught = '';
  try {
    throw new Error('boom');
  } catch (e) {
    caught = 'yes';
  }
  check(null, { 'caught': () => caught === 'yes' });
  if (__ITER === 2) {
    return;
  }
  group('api', () => {
    http.get(`${__ENV.BASE}/`);
  });
}
