// JavaScript's Date, which k6 scripts use for timestamps in payloads and for date arithmetic:
// rload convert refused `new Date(…)` ("rload has no Date"), so such a script did not run.
// Each check holds in any time zone, as k6 and rload read the same one.
import http from 'k6/http';
import { check } from 'k6';
import { SharedArray } from 'k6/data';

export const options = { vus: 1, iterations: 2 };

// k6 freezes a SharedArray's elements through JSON: a Date in one is its ISO text.
const stamps = new SharedArray('stamps', () => [new Date(0), { at: new Date(1000) }]);

export default function () {
  const d = new Date(1700000000123);
  const payload = { at: d, expires: new Date(d.getTime() + 86400000), iso: d.toISOString() };
  const res = http.post(`${__ENV.BASE}/echo`, JSON.stringify(payload), { headers: { 'Content-Type': 'application/json' } });
  check(res, {
    'JSON writes a Date as its ISO text': (r) =>
      r.body === '{"at":"2023-11-14T22:13:20.123Z","expires":"2023-11-15T22:13:20.123Z","iso":"2023-11-14T22:13:20.123Z"}',
  });
  check(d, {
    'UTC fields': (x) => x.getUTCFullYear() === 2023 && x.getUTCMonth() === 10 && x.getUTCDate() === 14 && x.getUTCDay() === 2 && x.getUTCHours() === 22,
    'local fields agree with the offset': (x) =>
      new Date(x.getTime() - x.getTimezoneOffset() * 60000).getUTCHours() === x.getHours(),
    'toUTCString': (x) => x.toUTCString() === 'Tue, 14 Nov 2023 22:13:20 GMT',
    'valueOf and getTime': (x) => x.valueOf() === 1700000000123 && +x === 1700000000123,
    'text': (x) => String(x) === x.toString() && `${x}`.startsWith(x.toDateString()),
  });
  const parsed = new Date('2024-02-29T10:20:30.5+02:00');
  check(parsed, {
    'ISO with an offset': (p) => p.toISOString() === '2024-02-29T08:20:30.500Z',
    'a date alone is UTC': () => new Date('2024-02-29').getTime() === Date.UTC(2024, 1, 29),
    'Date.parse': () => Date.parse('2024-02-29T00:00:00Z') === 1709164800000,
    'RFC 1123': () => new Date('Thu, 01 Jan 1970 00:00:00 GMT').getTime() === 0,
    'invalid': () => isNaN(new Date('garbage').getTime()) && String(new Date('garbage')) === 'Invalid Date',
  });
  // Fields carry over, in local time, and setters change the date in place.
  const day = new Date(2024, 0, 31, 12);
  day.setMonth(1);
  const next = new Date(2024, 1, 28);
  next.setDate(next.getDate() + 1);
  check(day, {
    'a month past its end carries over': (x) => x.getMonth() === 2 && x.getDate() === 2 && x.getHours() === 12,
    'setDate': () => next.getDate() === 29 && next.getMonth() === 1,
    'subtraction and comparison': () => next - new Date(2024, 1, 28) === 86400000 && next > new Date(2024, 1, 28),
    'years 0 to 99 are 1900s': () => new Date(99, 0).getFullYear() === 1999,
    // k6 writes one layout whatever the locale and options.
    'toLocaleString': () => new Date(2024, 0, 5, 3, 4, 5).toLocaleString('de-DE') === '01/05/2024, 03:04:05',
    'toLocaleDateString and toLocaleTimeString': () =>
      new Date(2024, 0, 5, 3, 4, 5).toLocaleDateString('en-US', { year: 'numeric' }) === '01/05/2024' &&
      new Date(2024, 0, 5, 3, 4, 5).toLocaleTimeString() === '03:04:05',
  });
  let error = 'none';
  try {
    new Date(NaN).toISOString();
  } catch (e) {
    error = String(e);
  }
  check(error, { 'an invalid date has no ISO text': (e) => e === 'RangeError: Invalid time value' });
  check(stamps, {
    'a shared Date is its ISO text': (s) => typeof s[0] === 'string' && s[0] === '1970-01-01T00:00:00.000Z',
    'inside an object too': (s) => s[1].at === '1970-01-01T00:00:01.000Z',
  });
}
