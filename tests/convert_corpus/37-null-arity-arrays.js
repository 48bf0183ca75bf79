// JavaScript's rules that Rhai's `()` and fixed arities would change: `<`, `<=`, `>`, `>=`
// compare null as the number 0 and undefined as NaN (so `null >= 0` is true, `undefined >= 0`
// false, and `null == 0` still false); Object.keys/values/entries of an array (its indices as
// text); reduce and reduceRight without an initial value (the first element, or the last, is the
// accumulator; an empty array is a TypeError); toFixed with up to 100 decimals, the exact
// binary value written out (and RangeError past 100); an object rest element in destructuring
// (`const { a, ...rest } = o`, in parameters and nested too): a copy without the keys named;
// calls with fewer arguments than a local closure declares (the rest undefined) or more than any
// function declares (the rest evaluated and ignored), and callbacks that declare parameters
// their caller does not pass (a sort comparator's third, a group function's first).
import http from 'k6/http';
import { check, group } from 'k6';

export const options = { vus: 1, iterations: 2 };

const NONE = null;
const { vus: optionVus, ...otherOptions } = options;

function pair(a, b) {
  return [a, b];
}

function describe({ id, ...fields }, [head, ...tail]) {
  return `${id}:${Object.keys(fields).sort().join('+')}:${head}:${tail.length}`;
}
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

  const letters = ['x', 'y', 'z'];
  let emptyReduce = '';
  try {
    [].reduce((a, b) => a + b);
  } catch (e) {
    emptyReduce = `${e.name}: ${e.message}`;
  }
  check(res, {
    'Object.keys, values and entries of an array': () => JSON.stringify(Object.keys(letters)) === '["0","1","2"]'
      && Object.values(letters).join('') === 'xyz' && Object.entries(letters)[2].join('=') === '2=z'
      && Object.keys('ab').join(',') === '0,1' && Object.entries(letters).map(([k, v]) => k + v).join('') === '0x1y2z',
    'reduce without an initial value starts at the first element': () => [1, 2, 3].reduce((a, b) => a + b) === 6
      && [7].reduce((a, b) => a * b) === 7 && letters.reduce((acc, x, i) => acc + x + i) === 'xy1z2'
      && [[1], [2], [3]].reduceRight((a, b) => a.concat(b)).join('') === '321'
      && letters.reduceRight((acc, x, i, all) => acc + x + i + all.length) === 'zy13x03',
    'reduce of an empty array without an initial value is a TypeError': () => emptyReduce === 'TypeError: No initial value',
  });

  let tooMany = '';
  try {
    (1.5).toFixed(101);
  } catch (e) {
    tooMany = `${e.name}: ${e.message}`;
  }
  check(res, {
    'toFixed past 22 decimals': () => (1.5).toFixed(30) === '1.500000000000000000000000000000'
      && (0.1).toFixed(25) === '0.1000000000000000055511151'
      && (1.005).toFixed(40) === '1.0049999999999998934185896359849721193314'
      && (-2.5).toFixed(23) === '-2.50000000000000000000000' && (0).toFixed(100).length === 102
      && (0.3).toFixed(100).startsWith('0.299999999999999988897769753748434595763683319091796875000'),
    'toFixed past a float\'s precision': () => (123456789.123).toFixed(20) === '123456789.12299999594688415527'
      && (25.38376530883079596).toFixed(17) === '25.38376530883079596' && (1e20).toFixed(2) === '100000000000000000000.00'
      && (-751671875711377.5).toFixed(2) === '-751671875711377.50',
    'toFixed past 100 decimals is a RangeError': () => tooMany === 'RangeError: toFixed() precision must be between 0 and 100',
  });

  const user = { id: 7, name: 'Lyle', address: { city: 'Oslo', zip: '0150' } };
  const { id, ...profile } = user;
  const { address: { city, ...postal }, ...withoutAddress } = user;
  const { ...copy } = user;
  profile.name = 'Sam';
  check(res, {
    'an object rest element is a copy without the named keys': () => id === 7
      && JSON.stringify(Object.keys(profile).sort()) === '["address","name"]' && profile.address.city === 'Oslo'
      && city === 'Oslo' && JSON.stringify(postal) === '{"zip":"0150"}' && withoutAddress.address === undefined
      && Object.keys(withoutAddress).length === 2 && Object.keys(copy).length === 3,
    'changing the rest copy leaves the object': () => profile.name === 'Sam' && user.name === 'Lyle',
    'rest elements in parameters and at the top level': () => describe(user, [1, 2, 3]) === '7:address+name:1:2'
      && optionVus === 1 && otherOptions.iterations === 2 && otherOptions.vus === undefined,
  });

  const local = (a, b) => [a, b];
  function nested(a, b, c) {
    return c === undefined ? a + b : a + b + c;
  }
  let evaluated = 0;
  const bump = () => { evaluated += 1; return evaluated; };
  const fromTop = pair(1, 2, bump());
  const fromLocal = local(1, 2, bump(), bump());
  const seen = [];
  [3, 4].forEach((x, i, arr) => seen.push(`${x}${i}${arr.length}`));
  let groupArg = 'unset';
  group('a group function with a parameter', (g) => { groupArg = g; });
  check(res, {
    'a local closure called with fewer arguments': () => local(1)[1] === undefined && local()[0] === undefined
      && nested(1, 2) === 3 && nested(1, 2, 3) === 6 && nested(1, 2, undefined) === 3,
    'any function called with more arguments': () => fromTop.join(',') === '1,2' && fromLocal.join(',') === '1,2'
      && evaluated === 3 && pair(5, 6, 7, 8)[1] === 6 && nested(1, 2, 3, 4) === 6,
    'callbacks with parameters their caller does not pass': () => seen.join(' ') === '302 412'
      && [3, 1, 2].sort((a, b, c) => (c === undefined ? a - b : 0)).join('') === '123'
      && Array.from([1, 2], (v, i, z) => (z === undefined ? v + i : -1)).join(',') === '1,3'
      && groupArg === undefined && [1, 2].map((x, i, arr, z) => z === undefined).join() === 'true,true',
  });
}
