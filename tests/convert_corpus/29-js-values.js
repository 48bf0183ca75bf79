// JavaScript's values where Rhai's differ: loose equality and comparisons of strings with
// numbers, numbers and arrays turned into text, closures made in loops (one binding per
// iteration), `||` with an empty string, sort() without a comparator, caught errors' messages,
// and parseInt/parseFloat of text that starts with a number (or does not).
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  const status = `${res.status}`;
  const later = [];
  for (const n of ['a', 'b', 'c']) { later.push(() => n); }
  for (let i = 0; i < 3; i++) { later.push(() => i); }
  for (let j = 4; j > 0; j -= 2) { later.push(() => j); }
  ['x', 'y'].forEach((x) => { later.push(() => x); });
  const seen = [];
  for (const f of later) { seen.push(f()); }
  const price = 1.5 * 2;
  const empty = '';
  let parsed = 'no error';
  try { JSON.parse('<not json>'); } catch (e) { parsed = typeof e.message; }
  let thrown = '';
  try { throw new Error('boom'); } catch (err) { thrown = err.message; }
  const vusOr = parseInt(__ENV.RLOAD_CORPUS_UNSET) || 3;
  const prefix = 'p=';
  let line = prefix;
  line += price;
  const fallback = __ENV.RLOAD_CORPUS_UNSET || 'dflt';
  check(res, {
    'loose string == number': () => status == 200 && !(status != 200),
    'loose equality rules': () => '1' == 1 && 0 == '' && true == 1 && null == undefined && !(null == 0),
    'string against number': () => 5 > '3' && '10' > 9 && !('x' < 1),
    'closures per iteration': () => seen.join(',') === 'a,b,c,0,1,2,4,2,x,y',
    'float concat': () => ('' + price) === '3' && 'p=' + price === 'p=3',
    'errors caught, with their message': () => parsed === 'string' && thrown === 'boom',
    'parseInt and parseFloat read a leading number': () => vusOr === 3 && parseInt('12px') === 12
      && parseInt('ff', 16) === 255 && parseInt(' -42abc') === -42 && parseFloat('3.25e2x') === 325,
    'concat of two variables': () => prefix + price === 'p=3' && line === 'p=3' && price + price === 6,
    'float template': () => `${price}|${[1, price]}|${null}|${undefined}` === '3|1,3|null|undefined',
    'String and toString': () => String(price) === '3' && price.toString() === '3',
    'object and undefined text': () => `${{ a: 1 }}` === '[object Object]' && ('x' + undefined) === 'xundefined',
    'or takes the default for empty': () => (empty || 'dflt') === 'dflt' && fallback === 'dflt',
    'sort as text': () => [10, 9, 1, 100].sort().join(',') === '1,10,100,9',
    'sort returns the array': () => [3, 1, 2].sort((a, b) => a - b).join(',') === '1,2,3',
  });
}
