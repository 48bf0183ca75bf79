// k6's http.url tagged template: the URL its values make, requested as any URL (its requests
// are named after the template, `${}` for each value), also as a named import and without values.
import http, { url } from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const base = __ENV.BASE;
  const code = 200 + __ITER;
  const res = http.get(http.url`${base}/status/${code}`);
  const plain = http.get(url`${base}/bytes/${2 * 3}`);
  const none = http.url`http://127.0.0.1/none`;
  check(res, {
    'the values fill the template': (r) => r.url === `${base}/status/${code}` && r.status === code,
    'a named import and an expression': () => plain.status === 200 && plain.body.length === 6,
    'JSON.stringify writes its name, url and clean_url': () =>
      JSON.stringify(none) === '{"name":"http://127.0.0.1/none","url":"http://127.0.0.1/none","clean_url":"http://127.0.0.1/none"}',
  });
}
