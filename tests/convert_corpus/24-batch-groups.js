// http.batch, request tags, nested groups, a k6 namespace import, and sleep.
import http from 'k6/http';
import * as k6 from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  k6.group('outer', () => {
    const responses = http.batch([
      ['GET', `${__ENV.BASE}/`, null, { tags: { kind: 'home' } }],
      ['GET', `${__ENV.BASE}/status/201`],
    ]);
    k6.check(responses, {
      'batch answered in order': (r) => r[0].status === 200 && r[1].status === 201,
    });
    k6.group('inner', function () {
      const res = http.get(`${__ENV.BASE}/bytes/16`, { tags: { name: 'bytes' } });
      k6.check(res, { 'sixteen bytes': (r) => r.body.length === 16 });
    });
  });
  k6.sleep(0.01);
}
