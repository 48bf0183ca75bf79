// Values as JavaScript makes them: String(x) and x.toString() of integers, booleans, `__VU`,
// `__ITER` and lengths are text (a JSON body gets strings, `id.toString() === '42'` holds);
// `<`, `>`, … compare a numeric string (a header value, a JSON string field) with a number as
// numbers, and two strings as text; `~~x` and `x | 0` truncate floats (jslib's randomString
// picks with `(Math.random() * n) | 0`) and every bitwise operator works on 32-bit integers; a
// function called with fewer arguments than it declares gets `undefined` for the rest.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

function label(name, suffix, sep) {
  return name + (suffix === undefined ? '' : (sep === undefined ? '-' : sep) + suffix);
}

export default function () {
  const qty = 2;
  const id = 42;
  const items = ['a', 'b', 'c'];
  const body = JSON.stringify({ user: String(__VU), iter: __ITER.toString(), qty: String(qty), n: String(items.length) });
  const res = http.post(`${__ENV.BASE}/echo`, body, { headers: { 'Content-Type': 'application/json' } });
  const sent = res.json();
  check(res, {
    'String() and toString() of numbers are strings': () => sent.user === '1' && typeof sent.iter === 'string'
      && sent.qty === '2' && sent.n === '3' && String(qty).length === 1,
    'toString() of an integer compares with text': () => id.toString() === '42' && String(qty) + String(qty) === '22',
    'String() of a comparison keeps its parentheses': () => 'c ' + String(qty === 2) + '!' === 'c true!'
      && `${String(id > 40)}` === 'true' && items.length.toString() === '3',
  });

  const bytes = http.get(`${__ENV.BASE}/bytes/100`);
  const fields = JSON.parse('{"n": "5", "big": "10", "small": "9", "word": "abc"}');
  const limit = 3;
  check(bytes, {
    'a header value against a number': (r) => r.headers['Content-Length'] > 50 && r.headers['Content-Length'] >= 100
      && !(r.headers['Content-Length'] < 100),
    'a JSON string field against a number': () => fields.n > limit && fields.n <= 5 && !(fields.word > 0) && !(fields.word <= 0),
    'two strings compare as text': () => fields.small > fields.big && fields.big < fields.n,
  });

  const total = 25;
  const perPage = 10;
  let h = 0;
  for (let i = 0; i < 10; i++) {
    h = (h << 5) - h + 1000003;
    h |= 0;
  }
  let mask = 5.9;
  mask &= 3;
  const picked = items[(Math.random() * items.length) | 0];
  check(bytes, {
    '~~ truncates': () => ~~(total / perPage) === 2 && ~~(7 / 2) === 3 && ~~(-7.9) === -7 && ~5.5 === -6,
    '| 0 truncates and wraps to 32 bits': () => (7.9 | 0) === 7 && (-7.9 | 0) === -7 && ('12' | 0) === 12
      && ((2 ** 32 + 5) | 0) === 5 && (2 ** 31 | 0) === -2147483648 && (NaN | 0) === 0,
    'shifts and masks on 32 bits': () => (1 << 31) === -2147483648 && (-1 >>> 0) === 4294967295
      && (-16 >> 2) === -4 && (5.7 & 3) === 1 && (6 ^ 3.2) === 5 && (1 << 33) === 2 && mask === 1,
    'a string-hash loop wraps at 32 bits': () => h === -228623904 && items.includes(picked),
  });

  check(res, {
    'missing arguments are undefined': () => label('a') === 'a' && label('a', 'b') === 'a-b' && label('a', 'b', '+') === 'a+b',
  });
}
