// Array and string methods past the basic ones: at, findLast, findLastIndex, reduceRight,
// lastIndexOf, flat, flatMap, fill, includes(NaN); callbacks that take the index and the array
// (`(x, i, arr) =>`, reduce's `(acc, x, i, arr)`) or a destructured element; Array.from of an
// array, a string and `{ length }` with a map function; `new Array(n)`; split('') and split's
// limit; Number.isInteger of a whole float; and the common ones that already held (spread,
// Object.assign, padStart, toFixed), kept here so they stay that way; forEach with a callback
// by name, Boolean/Number/String passed as callbacks, and the same methods on a SharedArray.
import http from 'k6/http';
import { check } from 'k6';
import { SharedArray } from 'k6/data';

export const options = { vus: 1, iterations: 2 };

const ids = new SharedArray('ids', () => [1, 2, 3, 2]);

export default function () {
  const res = http.get(`${__ENV.BASE}/status/200`);
  const codes = [res.status, 201, 404, 201];
  const words = ['a', 'bb', 'ccc'];
  let seen = 0;
  codes.forEach((c, i, all) => {
    seen += all.length + i;
  });
  let pairs = '';
  Object.entries({ a: 1, b: 2 }).forEach(([k, v]) => {
    pairs += `${k}=${v};`;
  });
  const o = { a: 1, k: 0 };
  let named = 0;
  const count = (c) => { named += c; };
  codes.forEach(count);
  check(null, {
    'at, from either end': () => codes.at(0) === 200 && codes.at(-1) === 201 && codes.at(9) === undefined
      && 'abc'.at(-1) === 'c',
    'findLast and findLastIndex': () => codes.findLast((c) => c > 200) === 201
      && codes.findLastIndex((c) => c === 201) === 3 && codes.findLastIndex((c) => c > 500) === -1
      && codes.findLast((c, i) => i < 2) === 201,
    'reduceRight': () => words.reduceRight((acc, w) => acc + w, '') === 'cccbba'
      && words.reduceRight((acc, w, i) => acc + i, '') === '210',
    'lastIndexOf': () => codes.lastIndexOf(201) === 3 && codes.lastIndexOf(500) === -1
      && 'a-b-c'.lastIndexOf('-') === 3,
    'callbacks given the array': () =>
      codes.map((c, i, arr) => arr.length - i).join(',') === '4,3,2,1'
      && codes.filter((c, i, arr) => arr.indexOf(c) === i).join(',') === '200,201,404'
      && codes.some((c, i, arr) => arr[i] !== c) === false
      && codes.every((c, i, arr) => arr[i] === c)
      && codes.find((c, i, arr) => i === arr.length - 2) === 404
      && codes.findIndex((c, i, arr) => c === arr[0] && i > 0) === -1
      && codes.findLast((c, i, arr) => i < arr.length - 1) === 404
      && Object.keys(o).map((k, i, ks) => ks.length + i).join(',') === '2,3',
    'reduce given the index and the array': () =>
      codes.reduce((acc, c, i) => acc + i, 0) === 6
      && codes.reduce((acc, c, i, arr) => acc + arr.length, 0) === 16,
    'forEach given the array': () => seen === 4 * 4 + 6,
    'forEach with a destructured element': () => pairs === 'a=1;b=2;',
    'forEach with a callback by name': () => named === 1006,
    'Boolean, Number and String as callbacks': () => [0, 1, '', 'a', null].filter(Boolean).length === 2
      && ['1', '2.5'].map(Number).join(',') === '1,2.5' && [1, 2].map(String).join('') === '12',
    'Number constants': () => isNaN(Number.NaN) && Math.LN2 > 0.69,
    'flat and flatMap': () => [1, [2, 3], [4, [5]]].flat().length === 5
      && [1, [2, [3, [4]]]].flat(Infinity).join(',') === '1,2,3,4'
      && words.flatMap((w) => [w, w.length]).join(',') === 'a,1,bb,2,ccc,3',
    'fill and new Array': () => new Array(3).fill(0).join(',') === '0,0,0'
      && [1, 2, 3, 4].fill(9, 1, -1).join(',') === '1,9,9,4' && new Array(2).length === 2,
    'includes NaN': () => [1, NaN].includes(NaN) && ![1, 2].includes(NaN) && 'abc'.includes('bc'),
    'Array.from': () => Array.from(codes).length === 4 && Array.from('ab').join(',') === 'a,b'
      && Array.from({ length: 3 }, (_, i) => i * 2).join(',') === '0,2,4'
      && Array.from(words, (w) => w.length).join(',') === '1,2,3',
    'on a SharedArray': () => Array.from(ids).length === 4 && ids.at(-1) === 2 && ids.lastIndexOf(2) === 3
      && ids.findLastIndex((id, i, all) => all.length === 4 && id === 3) === 2 && ids.flat().length === 4,
    'optional calls': () => { const none = null; const xs = [1, 2]; xs?.fill(0, 1);
      return none?.at(-1) === undefined && none?.includes(1) === undefined && xs?.at(-1) === 0 && xs.join(',') === '1,0'; },
    'indexOf with a start position': () => codes.indexOf(201, 2) === 3 && codes.indexOf(201, -1) === 3
      && 'abcabc'.indexOf('b', 2) === 4,
    'Array.isArray': () => Array.isArray(codes) && !Array.isArray('x') && !Array.isArray({}),
    'split into characters and with a limit': () => 'abc'.split('').join(',') === 'a,b,c'
      && 'a,b,c'.split(',', 2).join('|') === 'a|b' && 'a,b'.split(',').length === 2,
    'Number.isInteger': () => Number.isInteger(5) && !Number.isInteger(5.5) && Number.isInteger(2.5 * 2)
      && !Number.isInteger('5'),
    'spread and Object.assign': () => [...codes, ...words].length === 7
      && JSON.stringify({ ...o, k: 2 }) === '{"a":1,"k":2}'
      && Object.assign({}, o, { b: 3 }).b === 3 && o.b === undefined,
    'padStart, padEnd, toFixed': () => '5'.padStart(3, '0') === '005' && 'ab'.padEnd(4, '-') === 'ab--'
      && Number('3.14159').toFixed(2) === '3.14',
  });
}
