// A k6 module's function picked by name at run time (`http[method](url)` in a generic request
// helper, `crypto[algo](data, 'hex')`): rload convert wrote it as a closure call of
// `http[m]`, which stopped the iteration with "Indexer unavailable: http [string]".
import http from 'k6/http';
import crypto from 'k6/crypto';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

function send(method, path, body) {
  return http[method.toLowerCase()](`${__ENV.BASE}${path}`, body);
}

export default function () {
  const got = send('GET', '/', null);
  const posted = send('POST', '/echo', 'payload');
  check(got, { 'GET by name': (r) => r.status === 200 && r.request.method === 'GET' });
  check(posted, { 'POST by name': (r) => r.body === 'payload' && r.request.method === 'POST' });
  const digests = ['md5', 'sha1'].map((algo) => crypto[algo]('abc', 'hex'));
  check(digests, {
    'crypto by name': (d) => d[0] === '900150983cd24fb0d6963f7d28e17f72' && d[1] === 'a9993e364706816aba3e25717850c26c9cd0d89d',
  });
}
