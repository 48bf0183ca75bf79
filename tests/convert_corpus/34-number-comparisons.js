// Numbers compare exactly, as JavaScript compares them: a minimum folded from Infinity (the
// idiom for the fastest response of a batch), a maximum from -Infinity, sums that differ in the
// last bit, NaN never equal to itself (`x !== x`), whole numbers and
// a status against floats, powers past an integer's range, and Number's and Math's constants.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const res = http.get(`${__ENV.BASE}/status/200`);
  const durations = [res.timings.duration + 12.5, 3.25, 7.75, 1e-9];
  let min = Infinity;
  let max = -Infinity;
  for (const d of durations) {
    if (d < min) min = d;
    if (d > max) max = d;
  }
  const nan = Number('not a number');
  const big = Number.MAX_VALUE * 2;
  check(res, {
    'a minimum folded from Infinity': () => min === 1e-9,
    'a maximum folded from -Infinity': () => max >= 12.5 && max === durations[0],
    'Infinity against itself': () => big === Infinity && Infinity >= big && !(big > Infinity),
    'sums compare to the last bit': () => 0.1 + 0.2 !== 0.3 && 0.1 + 0.2 > 0.3 && 0.3 - 0.1 < 0.2,
    'a tiny number is not zero': () => 2.2e-16 !== 0 && 2.2e-16 > 0 && 1 + 2.2e-16 > 1,
    'NaN equals nothing': () => nan !== nan && !(nan === nan) && !(nan < 1) && !(nan >= 1),
    'whole numbers against floats': () => 5 === 5.0 && 4.5 < 5 && 10 / 4 === 2.5 && 7 % 2 === 1,
    'the status against a float': () => res.status < 200.5 && res.status === 200.0,
    'powers as JavaScript computes them': () => 2 ** 10 === 1024 && Math.pow(2, 64) > 1.8e19
      && Math.pow(2, -1) === 0.5 && 1.5 ** 2 === 2.25 && 4 ** 0.5 === 2 && (-2) ** 3 === -8
      && [1, 2, 3][2 ** 1] === 3 && ((p) => { p **= 70; return p > 1e21; })(2),
    'Number constants': () => 1 + Number.EPSILON > 1 && 1 + Number.EPSILON / 2 === 1
      && Number.MIN_VALUE > 0 && Number.MIN_VALUE / 2 === 0 && Number.MAX_VALUE < Infinity
      && Math.abs(Math.LOG2E * Math.LN2 - 1) < 1e-15 && Math.SQRT1_2 < Math.SQRT2,
  });
}
