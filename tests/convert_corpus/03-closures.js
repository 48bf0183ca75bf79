// arrow functions, function expressions, closures that capture and change variables, a check
// function without parameters.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const double = (x) => x * 2;
const add = function (a, b) { return a + b; };

function makeCounter() {
  let n = 0;
  return () => { n += 1; return n; };
}

export default function () {
  const next = makeCounter();
  next();
  next();
  const apply = (f, v) => f(v);
  const res = http.get(`${__ENV.BASE}/`);
  check(res, {
    'arrow': () => double(21) === 42,
    'function expression': () => add(2, 3) === 5,
    'closure keeps its state': () => next() === 3,
    'function as a value': () => apply(double, 4) === 8,
    'callback by name': () => [1, 2].map(double).join('-') === '2-4',
    'status': (r) => r.status === 200,
  });
}
