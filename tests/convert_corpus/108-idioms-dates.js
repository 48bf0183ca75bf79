// Dates in the looser forms goja reads (V8's): rload read them as an invalid date, silently
// (`new Date('March 7, 2024').getTime()` was NaN). Dates without a time read as UTC midnight.
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const MARCH_7 = Date.UTC(2024, 2, 7);

export default function () {
  check(null, {
    'month names': () =>
      Date.parse('March 7, 2024') === MARCH_7 && Date.parse('7-Mar-2024') === MARCH_7 && Date.parse('Thursday, March 7, 2024') === MARCH_7,
    'slashes and dots': () => Date.parse('2024/03/07') === MARCH_7 && Date.parse('3/7/2024') === MARCH_7 && Date.parse('2024.03.07') === MARCH_7,
    'two-digit years': () => Date.parse('3/7/24') === MARCH_7 && Date.parse('99/1/1') === Date.UTC(1999, 0, 1),
    'times with zones': () =>
      Date.parse('Mar 7 2024 10:00 GMT+2') === MARCH_7 + 8 * 3600000 &&
      Date.parse('07 Mar 2024 12:00:00 EST') === MARCH_7 + 17 * 3600000 &&
      Date.parse('Sat, 9 Mar 2024 08:00:00 -0500') === Date.UTC(2024, 2, 9, 13),
    'AM and PM': () => Date.parse('Jan 1 2020 12:30 pm UTC') === Date.UTC(2020, 0, 1, 12, 30) && Date.parse('Jan 1 2020 12:00 am UTC') === Date.UTC(2020, 0, 1),
    'still invalid': () => isNaN(Date.parse('20240307')) && isNaN(Date.parse('2024-13-01')) && isNaN(Date.parse('Sunday')) && isNaN(new Date('nope').getTime()),
    'new Date of the text': () => new Date('March 7, 2024').toISOString() === '2024-03-07T00:00:00.000Z',
  });
}
