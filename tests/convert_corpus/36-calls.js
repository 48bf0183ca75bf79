// Calls and statements whose JavaScript results Rhai's own methods would change: push's value
// (the new length), trimStart/trimEnd (one end only), toFixed of negative halves and of values
// just below or above a half (rounded from the exact binary value), charCodeAt and
// String.fromCharCode, for…in over an array (indices as text), an object keyed by numbers
// (keys as text), `arr.length = n`, a caught error's name, Number.isNaN, Math.sign, and
// Math.max / Math.min of a spread array or through apply.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  const queue = [];
  const none = null;
  const first = queue.push('a');
  queue.push('b');
  const third = queue.push('c', 'd');
  const s = '  padded  ';
  const keys = [];
  const letters = ['x', 'y'];
  for (const i in letters) {
    keys.push(`${i}:${typeof i}:${letters[i]}`);
  }
  const byId = {};
  [{ id: 3, name: 'Lyle' }, { id: 7, name: 'Sam' }].forEach((c) => { byId[c.id] = c.name; });
  const buf = [1, 2, 3];
  buf.length = 0;
  const grown = ['a'];
  grown.length = 3;
  let parseError = '';
  try {
    JSON.parse('<html>');
  } catch (e) {
    parseError = e.name;
  }
  let thrownName = '';
  try {
    throw { name: 'Mine', message: 'm' };
  } catch (e) {
    thrownName = e.name;
  }
  const xs = [4, 9, 2];
  check(res, {
    'push returns the new length': () => first === 1 && third === 4 && queue.join('') === 'abcd'
      && none?.push(1) === undefined,
    'trimStart and trimEnd trim one end': () => `[${s.trimStart()}][${s.trimEnd()}]` === '[padded  ][  padded]'
      && '   '.trimStart() === '' && 'x'.trimEnd() === 'x',
    'toFixed rounds negative halves away from zero': () => (-1.5).toFixed(0) === '-2'
      && (-2.5).toFixed(0) === '-3' && (-0.125).toFixed(2) === '-0.13' && (0.5).toFixed(0) === '1',
    'toFixed reads the exact binary value': () => (1.005).toFixed(2) === '1.00' && (2.345).toFixed(2) === '2.35'
      && (1.45).toFixed(1) === '1.4' && (8.345).toFixed(2) === '8.35' && (-0.0001).toFixed(2) === '-0.00'
      && (5).toFixed(3) === '5.000' && (0.000001).toFixed(7) === '0.0000010',
    'charCodeAt and fromCharCode': () => 'abc'.charCodeAt(0) === 97 && 'abc'.charCodeAt() === 97
      && isNaN('abc'.charCodeAt(5)) && String.fromCharCode(72, 105) === 'Hi' && String.fromCharCode() === '',
    'for…in over an array gives the indices as text': () => keys.join(',') === '0:string:x,1:string:y',
    'an object indexed by a number is keyed by its text': () => byId[3] === 'Lyle' && byId['7'] === 'Sam'
      && Object.keys(byId).join(',') === '3,7',
    'setting length cuts or pads the array': () => buf.length === 0 && grown.length === 3
      && JSON.stringify(grown) === '["a",null,null]',
    'a caught error has a name': () => parseError === 'SyntaxError' && thrownName === 'Mine',
    'Number.isNaN and Math.sign': () => Number.isNaN(NaN) && !Number.isNaN('x') && !Number.isNaN(1)
      && Math.sign(-3) === -1 && Math.sign(2.5) === 1 && Math.sign(0) === 0 && Math.sign('-2') === -1,
    'Math.max and Math.min of a spread array': () => Math.max(...xs) === 9 && Math.min(...xs) === 2
      && Math.max(1, ...xs, 10) === 10 && Math.max(...[]) === -Infinity && isNaN(Math.max(...[1, 'a'])),
    'Math.max.apply and Math.min.apply': () => Math.max.apply(null, xs) === 9 && Math.min.apply(null, xs) === 2,
  });
}
