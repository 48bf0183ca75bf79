// k6 APIs rload gets in issue #14 (converted to their agreed rload names and listed as items),
// jslib, handleSummary, batch, groups.
import http from 'k6/http';
import { check, group, sleep } from 'k6';
import encoding from 'k6/encoding';
import { sha256 } from 'k6/crypto';
import { SharedArray } from 'k6/data';
import { WebSocket } from 'k6/websockets';
import { randomIntBetween, uuidv4, randomItem } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';
import { textSummary } from 'https://jslib.k6.io/k6-summary/0.0.2/index.js';

const users = new SharedArray('users', function () {
  return JSON.parse(open('./users.json'));
});
const admins = new SharedArray('admins', () => JSON.parse(open('./admins.json')).admins);
const groups = new SharedArray('groups', () => (JSON.parse(open('./groups.json'))));

export const options = { vus: 2, duration: '10s' };

export default function () {
  const user = randomItem(users);
  const token = encoding.b64encode(`${user.name}:${user.pass}`);
  console.log('user', user.name, sha256(token, 'hex'));
  group('batch', () => {
    const responses = http.batch([
      ['GET', `${__ENV.BASE}/`],
      ['POST', `${__ENV.BASE}/echo`, JSON.stringify({ id: uuidv4() })],
    ]);
    check(responses[0], { ok: (r) => r.status === 200 });
  });
  const ws = new WebSocket(`${__ENV.WS}/ws/echo`);
  ws.onopen = () => ws.send('hi');
  sleep(randomIntBetween(1, 3));
}

export function handleSummary(data) {
  return { stdout: textSummary(data, { indent: ' ', enableColors: false }) };
}
