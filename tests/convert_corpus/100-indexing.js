// Array and string indexing as JavaScript reads it: an index outside the elements (negative,
// past the end, fractional, NaN) is undefined, where Rhai counted a negative index from the end
// (silently another element) and failed past the end (the iteration ended before its later
// requests and checks). `body.items[0]` of an empty list, `items[0]?.id`, `while (xs[i])`, a
// string's character as a one-character string, `arr[arr.length] = x` appending, nested and
// op-assigned elements. The request after the checks is counted: an iteration cut short by an
// indexing error has one request fewer.
import http from 'k6/http';
import { check, group } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const res = http.post(
    `${__ENV.BASE}/echo`,
    JSON.stringify({ items: [], users: [{ id: 7, name: 'ann', tags: ['a'] }] }),
    { headers: { 'Content-Type': 'application/json' } },
  );
  const body = res.json();
  const first = body.items[0];
  const id = body.items[0]?.id;
  const i = -1;
  const half = 0.5;

  group('reads', () => {
    const arr = [1, 2, 3];
    check(arr, {
      'a negative index is undefined': (a) => a[i] === undefined && a[a.length - 4] === undefined,
      'past the end is undefined': (a) => a[a.length] === undefined && a[10] === undefined,
      'a fraction or NaN is undefined': (a) => a[half] === undefined && a[NaN] === undefined,
      'a whole float is the index': (a) => a[half * 4] === 3,
      'a numeric string is the index': (a) => a['1'] === 2,
      'in range is the element': (a) => a[0] + a[2] === 4,
      'at() counts from the end': (a) => a.at(-1) === 3 && a.at(-4) === undefined,
    });
    check(body, {
      'the first of an empty list is undefined': () => first === undefined && id === undefined,
      'an optional chain past the end': (b) => b.users[1]?.name === undefined && b.users[0]?.name === 'ann',
      'nested past the end': (b) => b.users[0].tags[1] === undefined && b.users[0].tags[0] === 'a',
    });
    const s = 'abc';
    check(s, {
      'a string past the end is undefined': (t) => t[5] === undefined && t[t.length] === undefined,
      'a negative string index is undefined': (t) => t[i] === undefined,
      'a character is a one-character string': (t) => t[1] === 'b' && typeof t[1] === 'string' && t[0] + t[2] === 'ac',
      "a character's length and number": (t) => t[0].length === 1 && Number('42'[1]) === 2,
    });
    const xs = [5, 6];
    let n = 0;
    while (xs[n]) n++;
    let sum = 0;
    for (let k = 0; k <= xs.length; k++) sum += xs[k] || 0;
    check(n, { 'a loop reads one past the end': (v) => v === 2 && sum === 11 });
  });

  group('writes', () => {
    const a = [1, 2];
    a[a.length] = 3;
    a[0] += 10;
    a[1]++;
    const grid = [[1, 2], [3]];
    grid[1][1] = 4;
    grid[0][0] = 9;
    body.users[0].name = 'bea';
    check(a, {
      'a write at the length appends': (v) => v.length === 3 && v[2] === 3,
      'op-assigned and incremented elements': (v) => v[0] === 11 && v[1] === 3,
      'nested elements written': () => JSON.stringify(grid) === '[[9,2],[3,4]]',
      "an element's property written": () => body.users[0].name === 'bea',
    });
  });

  http.get(`${__ENV.BASE}/`);
}
