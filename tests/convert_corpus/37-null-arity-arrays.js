// JavaScript's rules that Rhai's `()` and fixed arities would change: `<`, `<=`, `>`, `>=`
// compare null as the number 0 and undefined as NaN (so `null >= 0` is true, `undefined >= 0`
// false, and `null == 0` still false).
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const NONE = null;
const UNSET = undefined;

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  const empty = null;
  const status = res.status;
  check(res, {
    'null compares as 0': () => null >= 0 && null <= 0 && null > -1 && null < 1 && !(null > 0)
      && 0 <= null && -1 < null && null >= '0' && null < true && !(null == 0),
    'undefined compares as NaN': () => !(undefined >= 0) && !(undefined <= 0) && !(undefined < 1)
      && !(0 > undefined) && !(void 0 >= 0) && !(undefined <= null),
    'constants holding null and undefined': () => NONE >= 0 && NONE <= status && empty <= 0 && !(empty > 0)
      && !(UNSET >= 0) && !(UNSET < status) && NONE >= empty,
  });
}
