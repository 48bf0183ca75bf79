// A closure that an imported module's function makes, called by the script: k6 calls it as
// any function value (`make()(1)` is 2), with what it captured and the module's own constants
// and functions in reach; and the script's callback that the module's function calls.
import http from 'k6/http';
import { check } from 'k6';
import { make, adder, labeller, each } from './lib/closures.js';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  const inc = make();
  const add5 = adder(5);
  const label = labeller();
  check(res, {
    'a closure made by a module function': () => inc(1) === 2 && inc(inc(1)) === 3,
    'a closure with what its function was given': () => add5(1) === 6 && [1, 2].map(adder(10)).join(',') === '11,12',
    'a closure reading the module': () => label(3) === 'item-6',
    'a callback of the script called by the module': () => each([1, 2, 3], (x) => x * 10) === 60,
  });
}
