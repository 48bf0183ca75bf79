// JSON.parse takes JSON and nothing else: text that is only an expression (`1+2`, `{"a": 1+2}`),
// a bare word, a leading zero or a trailing comma throws a SyntaxError; JSON values of every
// kind parse, with escapes and exponents.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 1 };

function errorName(text) {
  try {
    JSON.parse(text);
    return 'parsed';
  } catch (e) {
    return e.name;
  }
}

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  const bad = ['1+2', '{"a": 1+2}', '[1, 2+3]', 'x', '{"a": 01}', '{"a": [1,]}', "{'a': 1}", ''];
  const names = bad.map(errorName);
  const good = JSON.parse(' {"s": "\\u00e9\\n", "n": 1e3, "neg": -0.5, "l": [null, true, "x"], "o": {}} ');
  check(res, {
    'not JSON throws a SyntaxError': () => names.every((n) => n === 'SyntaxError'),
    'JSON values parse': () =>
      good.s === '\u00e9\n' && good.n === 1000 && good.neg === -0.5 && good.l[0] === null && good.l.length === 3,
    'a bare value parses': () => JSON.parse('5') === 5 && JSON.parse('"t"') === 't' && JSON.parse(' [1] ')[0] === 1,
  });
}
