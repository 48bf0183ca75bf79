// `await Promise.all` of `http.asyncRequest` calls: k6 sends them all at once (neither `batch`
// nor `batchPerHost` holds them) and resumes with the responses in order. rload refused every
// `Promise.all`; it converts this one to `http.request_all`.
import http, { asyncRequest } from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const B = __ENV.BASE;

export default async function () {
  const [slow, named, echoed] = await Promise.all([
    http.asyncRequest('GET', `${B}/delay/400`),
    asyncRequest('GET', `${B}/delay/400`, null, { tags: { name: 'delayed' } }),
    http.asyncRequest('POST', `${B}/echo`, 'payload', { headers: { 'X-Probe': 'p' } }),
  ]);
  check(slow, { 'in order': (r) => r.status === 200 && r.request.url.endsWith('/delay/400') });
  check(named, { 'params kept': (r) => r.status === 200 });
  check(echoed, { 'body and headers sent': (r) => r.body === 'payload' && r.headers['X-Echo-X-Probe'] === 'p' });
  // Eight to one host: six at a time under http.batch's batchPerHost (800 ms), all at once here.
  const t0 = Date.now();
  const many = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => http.asyncRequest('GET', `${B}/delay/400?i=${i}`)));
  const took = Date.now() - t0;
  check(many, {
    'one response each, in order': (rs) => rs.length === 8 && rs.every((r, i) => r.status === 200 && r.url.endsWith(`i=${i + 1}`)),
  });
  check(took, { 'all at once': (ms) => ms < 700 });
  const sizes = await Promise.all([3, 5].map(function (n) { return http.asyncRequest('GET', `${B}/bytes/${n}`); }));
  check(sizes, { 'function callback': (rs) => rs[0].body.length === 3 && rs[1].body.length === 5 });
  const failed = await Promise.all([http.asyncRequest('GET', 'http://127.0.0.1:1/'), http.asyncRequest('GET', `${B}/`)]);
  check(failed, { 'a failure does not stop the others': (rs) => rs[0].status === 0 && rs[0].error_code === 1212 && rs[1].status === 200 });
}
