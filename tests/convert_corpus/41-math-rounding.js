// Math.round, floor, ceil and trunc of any number, as JavaScript gives them: past 2^53 (1e20, 2^63,
// 1.5e300) the float itself, as are NaN and the infinities (rload's integer could not hold
// them); Math.round takes a half up (-2.5 is -2) and is exact where x + 0.5 would round.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  const big = JSON.parse('{"x": 1e20}').x;
  const huge = [1e20, -1e20, 2 ** 63, 1.5e300, -9.2e18];
  check(res, {
    'past an integer\'s range each is the number itself': () => huge.every((x) => Math.round(x) === x
      && Math.floor(x) === x && Math.ceil(x) === x && Math.trunc(x) === x) && Math.round(big) === 1e20
      && Math.floor(big) + 1 === big && Math.round(big) > 9e18,
    'NaN and the infinities stay': () => Number.isNaN(Math.round(NaN)) && Number.isNaN(Math.floor(NaN))
      && Math.ceil(Infinity) === Infinity && Math.trunc(-Infinity) === -Infinity
      && Math.round(Infinity) === Infinity && Math.floor(-Infinity) === -Infinity,
    'halves and near-halves': () => Math.round(-2.5) === -2 && Math.round(2.5) === 3 && Math.round(-0.4) === 0
      && Math.round(0.49999999999999994) === 0 && Math.round(2 ** 52 + 1.0) === 4503599627370497
      && Math.floor(-2.5) === -3 && Math.ceil(-2.5) === -2 && Math.trunc(-2.5) === -2,
    'whole results below 2^53 are integers': () => `${Math.round(123456789012.5)}` === '123456789013'
      && `${Math.floor(4.7)},${Math.ceil(4.2)},${Math.trunc(-4.7)}` === '4,5,-4',
  });
}
