// A comparison function that throws makes sort() throw, as in JavaScript (Rhai's own sort
// dropped the error and left the array as it was); one that returns floats sorts by their sign.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  let caught = 'none';
  try {
    [3, 1, 2].sort(() => {
      throw new Error('cannot compare');
    });
  } catch (e) {
    caught = e.message;
  }
  const prices = [{ p: 2.5 }, { p: 1.25 }, { p: 3 }].sort((a, b) => a.p - b.p).map((o) => o.p);
  check(res, {
    'an error in the comparison function reaches the caller': () => caught === 'cannot compare',
    'a float comparison sorts': () => prices.join(',') === '1.25,2.5,3',
  });
}
