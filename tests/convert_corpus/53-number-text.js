// Text read as a number (Number(), unary +, loose equality): hexadecimal, octal and binary
// digits, Infinity with a sign, and what JavaScript refuses (inf, nan, a signed hex, digits
// with underscores) as NaN.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 1 };

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  const texts = ['0x10', ' 0o17 ', '0b101', 'Infinity', '-Infinity', '+Infinity', '1e3', ' -2.5 ', '', '007'];
  const nans = ['inf', 'nan', 'infinity', '-0x10', '0x', '1_000', '0xZ', 'INFINITY'];
  check(res, {
    'numbers from text': () =>
      texts.map((t) => Number(t)).join(',') === '16,15,5,Infinity,-Infinity,Infinity,1000,-2.5,0,7',
    'NaN from text JavaScript refuses': () => nans.every((t) => Number.isNaN(Number(t))),
    'unary plus and loose equality read text alike': () => +'0x1f' === 31 && '0x10' == 16,
  });
}
