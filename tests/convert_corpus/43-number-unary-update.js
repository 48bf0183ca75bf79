// Number(), unary `+` and `-`, compound assignments, `++`/`--` and `%` as JavaScript does them:
// Number(null) and +null are 0 while Number(undefined) and +undefined are NaN (parseInt(null)
// and parseFloat(null) read the text "null": NaN); -null is 0 and -'5' -5; `x -= undefined` is
// NaN, `x *= null` 0, `'5'++` 6; `n % 0` is NaN and `n / 0` Infinity, with integers too; a value
// that only turns out null or undefined when the script runs gives the result both readings
// agree on (`x **= 0` is 1).
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const NONE = undefined;
const NOTHING = null;

function count(n) {
  let c = 0;
  for (let i = 0; i < n; i++) c++;
  for (let i = n; i > 0; i -= 2) c--;
  return c;
}

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  const body = JSON.parse('{"n": 2, "t": "6", "a": null}');
  const zero = body.n - 2;
  check(res, {
    'Number and unary plus of null and undefined': () => Number(null) === 0 && +null === 0
      && Number.isNaN(Number(undefined)) && Number.isNaN(+undefined),
    'Number of constants, none and text': () => Number(NOTHING) === 0 && Number.isNaN(+NONE)
      && Number() === 0 && Number(body.t) === 6 && +body.t === 6,
    'isNaN of null and undefined': () => !isNaN(null) && isNaN(undefined) && isNaN(NONE) && !isNaN(body.t),
    'parseInt and parseFloat of null read "null"': () => Number.isNaN(parseInt(null))
      && Number.isNaN(parseFloat(null)) && Number.isNaN(parseInt(NOTHING)),
    'unary minus': () => -null === 0 && Number.isNaN(-undefined) && -body.t === -6 && -true === -1
      && -body.n === -2 && Number.isNaN(-NONE),
    'compound assignments with null and undefined': () => {
      let a = 4; a -= null;
      let b = 2; b -= undefined;
      let c = 3; c *= NOTHING;
      let d = 5; d **= null;
      return a === 4 && Number.isNaN(b) && c === 0 && d === 1;
    },
    'more compound assignments with null and undefined': () => {
      let e = 7; e %= NONE;
      let f = 9; f += null;
      let g = 'x'; g += undefined;
      let h = body.a; h **= 0;
      return Number.isNaN(e) && f === 9 && g === 'xundefined' && h === 1;
    },
    'updates of strings': () => {
      let s = body.t; s++;
      let t = body.t; t--;
      let u = body.t; u -= 1;
      let v = body.t; v *= 2;
      let w = body.t; w += 1;
      return s === 7 && t === 5 && u === 5 && v === 12 && w === '61';
    },
    'updates of numbers': () => {
      let x = body.n;
      const old = x++;
      return old === 2 && x === 3 && count(5) === 2;
    },
    'an update runs its target\'s index once': () => {
      const xs = [1, 2, 3];
      let i = 0;
      xs[i++] += 10;
      xs[i++]++;
      xs[i++] -= 1;
      return xs.join(',') === '11,3,2' && i === 3;
    },
    'remainder by zero': () => Number.isNaN(5 % 0) && Number.isNaN(body.n % zero)
      && Number.isNaN(5.5 % 0) && -5 % 3 === -2 && 7 % body.n === 1,
    'division by zero': () => 5 / 0 === Infinity && -5 / 0 === -Infinity && body.n / zero === Infinity
      && Number.isNaN(zero / zero),
    'remainder and division by zero assigned': () => {
      let r = body.n; r %= zero;
      let q = 8; q /= zero;
      return Number.isNaN(r) && q === Infinity;
    },
  });
}
