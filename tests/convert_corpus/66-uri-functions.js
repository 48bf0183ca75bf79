// JavaScript's encodeURIComponent, encodeURI, decodeURIComponent and decodeURI, which k6 has
// from the language: rload convert refused them ("rload has no such function"), so the most
// common way to put a value in a query string stopped a k6 script from running at all.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const value = 'a b&c=d/é?#😀';
  // The target answers with the query's pairs as headers: the value comes back whole only if
  // it was encoded as a component.
  const res = http.get(`${__ENV.BASE}/response-headers?X-Value=${encodeURIComponent(value)}`);
  check(res, {
    'the value came back whole': (r) => r.headers['X-Value'] === value,
  });
  check(value, {
    'component': (v) => encodeURIComponent(v) === 'a%20b%26c%3Dd%2F%C3%A9%3F%23%F0%9F%98%80',
    'uri keeps the delimiters': (v) => encodeURI(v) === 'a%20b&c=d/%C3%A9?#%F0%9F%98%80',
    'marks kept': () => encodeURIComponent("-_.!~*'()") === "-_.!~*'()",
    'numbers and arrays as text': () => encodeURIComponent(12.5) === '12.5' && encodeURIComponent([1, 2]) === '1%2C2',
    'round trip': (v) => decodeURIComponent(encodeURIComponent(v)) === v,
    'decodeURI keeps reserved escapes': () => decodeURI('%3B%2F%41%23%25') === '%3B%2FA%23%',
    'plus stays a plus': () => decodeURIComponent('a+b%20c') === 'a+b c',
  });
  let error = 'none';
  try {
    decodeURIComponent('%E2%82');
  } catch (e) {
    error = `${e.name}: ${e.message}`;
  }
  check(error, { 'malformed is a URIError': (e) => e === 'URIError: Malformed URI' });
}
