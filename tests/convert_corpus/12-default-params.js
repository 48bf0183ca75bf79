// default parameters and calls with fewer arguments.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

function url(path = '/', query = '') {
  return `${__ENV.BASE}${path}${query}`;
}

function greet(name, greeting = 'hi') {
  return `${greeting} ${name}`;
}

const area = (w, h = w) => w * h;

export default function () {
  const res = http.get(url());
  http.get(url('/status/200'));
  check(res, {
    'all defaults': (r) => r.status === 200,
    'one default': () => greet('ana') === 'hi ana',
    'override': () => greet('ana', 'yo') === 'yo ana',
    'default from another parameter': () => area(3) === 9 && area(2, 5) === 10,
  });
}
