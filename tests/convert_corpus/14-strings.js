// string methods, including replace, which returns a new string in JavaScript.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  const s = '  Hello, World  ';
  const t = s.trim();
  const replaced = t.replace('o', '0');
  check(res, {
    'trim returns a copy': () => t === 'Hello, World' && s.length === 16,
    'replace replaces the first': () => replaced === 'Hell0, World' && t === 'Hello, World',
    'replaceAll': () => t.replaceAll('o', '0') === 'Hell0, W0rld',
    'case': () => t.toUpperCase() === 'HELLO, WORLD' && t.toLowerCase() === 'hello, world',
    'split and length': () => t.split(', ').length === 2 && t.split(', ')[1] === 'World',
    'includes, startsWith, endsWith': () => t.includes('lo, W') && t.startsWith('Hell') && t.endsWith('ld'),
    'indexOf': () => t.indexOf('World') === 7 && t.indexOf('nope') === -1,
    'slice and substring': () => t.slice(0, 5) === 'Hello' && t.slice(-5) === 'World' && t.substring(7) === 'World',
    'padStart and repeat': () => '7'.padStart(3, '0') === '007' && 'ab'.repeat(3) === 'ababab',
    'body is a string': (r) => typeof r.body === 'string' && r.body.length > 0,
  });
}
