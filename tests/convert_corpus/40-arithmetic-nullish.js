// Arithmetic with null and undefined, as JavaScript does it: null is the number 0 and undefined
// NaN (`1 + undefined` is NaN, `null * 3` is 0, `6 / null` Infinity, `null ** 0` 1), beside text
// each is its word (`'a' + undefined` is "aundefined", also when only the run shows that the
// other side is a string); a string or a boolean in `-`, `*`, `/`, `%`, `+` of numbers is its
// number (`'6' - 1` is 5, `true + 1` 2); a value that only turns out null or undefined when the
// script runs gives the result both readings agree on (`x ** 0` is 1).
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const NONE = undefined;
const NOTHING = null;

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  const body = JSON.parse('{"n": 2, "s": "x", "t": "6"}');
  check(res, {
    'undefined in arithmetic is NaN': () => Number.isNaN(1 + undefined) && Number.isNaN(undefined + 1)
      && Number.isNaN(1 - undefined) && Number.isNaN(2 * undefined) && Number.isNaN(undefined % 2)
      && Number.isNaN(4 / undefined) && Number.isNaN(undefined ** 2) && Number.isNaN(NONE * 2)
      && Number.isNaN(NONE + 1) && Number.isNaN(null + undefined),
    'null in arithmetic is 0': () => null + 1 === 1 && 1 - null === 1 && null * 3 === 0 && 6 / null === Infinity
      && null / 2 === 0 && null ** 0 === 1 && 2 ** null === 1 && null + null === 0 && NOTHING - 3 === -3
      && NOTHING + 1 === 1,
    'null and undefined beside text are words': () => 'a' + undefined === 'aundefined' && 'a' + null === 'anull'
      && body.s + undefined === 'xundefined' && undefined + body.s === 'undefinedx' && body.s + null === 'xnull'
      && `${body.s + NONE}` === 'xundefined',
    'null and undefined beside a number known when it runs': () => Number.isNaN(body.n + undefined)
      && body.n + null === 2 && null + body.n === 2 && Number.isNaN(body.n * NONE),
    'strings and booleans as numbers': () => body.t - 1 === 5 && body.t * 2 === 12 && body.t / 4 === 1.5
      && body.t % 4 === 2 && true + 1 === 2 && body.t ** 2 === 36,
    'where null and undefined agree': () => body.missing ** 0 === 1 && Number.isNaN(NaN + body.missing)
      && Number.isNaN(body.missing * NaN),
  });
}
