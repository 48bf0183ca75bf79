// Calls to APIs this build lacks: converted, and listed as such (`rload convert` exits 2).
// `http.asyncRequest` was one until rload's promises (`http.wait`): no longer listed.
import http, { asyncRequest } from 'k6/http';
import crypto from 'k6/crypto';

export default function () {
  const res = http.get('http://127.0.0.1:1/');
  http.asyncRequest('GET', 'http://127.0.0.1:1/');
  asyncRequest('GET', 'http://127.0.0.1:1/');
  crypto.getRandomValues([]);
}
