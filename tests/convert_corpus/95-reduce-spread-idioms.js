// Common idioms rload refused or ran otherwise: a reduce whose accumulator the callback changes
// and returns (refused as "changing `acc` in place"), `(cache[k] = cache[k] || []).push(v)` (the
// push went to a copy: silently lost), `[...'abc']` (one element, the string), `Array(n)`
// without `new`, `isFinite`, `Number.isFinite`, `xs.map(Math.round)` (refused), `typeof null`
// ("undefined").
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const users = [{ id: 3, name: 'c' }, { id: 1, name: 'a' }, { id: 1, name: 'A' }];
  const byId = users.reduce((acc, u) => {
    acc[u.id] = u.name;
    return acc;
  }, {});
  const groups = users.reduce(function (g, u) {
    (g[u.id] = g[u.id] || []).push(u.name);
    return g;
  }, {});
  const flat = [[1, 2], [3]].reduce((a, xs) => (a.push(...xs), a), []);
  const counts = 'abca'.split('').reduce((m, ch) => {
    if (m[ch]) {
      m[ch]++;
      return m;
    }
    m[ch] = 1;
    return m;
  }, {});

  const cache = {};
  const o = {};
  for (const w of ['a', 'b', 'a']) {
    (cache[w] = cache[w] || []).push(w.toUpperCase());
    (o.list ??= []).push(w);
    (o.l2 ||= []).unshift(w);
  }

  check(null, {
    'reduce into an object': () => byId[1] === 'A' && byId[3] === 'c' && Object.keys(byId).length === 2,
    'reduce with a pushed group per key': () => groups[1].join('') === 'aA' && groups[3].join('') === 'c',
    'reduce into an array, comma form': () => flat.join() === '1,2,3',
    'reduce with several returns': () => counts.a === 2 && counts.b === 1 && counts.c === 1,
    'push onto an assigned place': () => cache.a.join('') === 'AA' && cache.b.join('') === 'B',
    'push onto ??= and ||=': () => o.list.join('') === 'aba' && o.l2.join('') === 'aba',
    'spread of a string, a Set, a Map': () =>
      [...'héllo'].length === 5 && [...new Set([1, 1, 2])].join() === '1,2' && [...new Map([['k', 1]])][0][0] === 'k',
    'Array without new': () =>
      Array(3).fill(0).join(',') === '0,0,0' && Array(2, 3).join() === '2,3' && Array().length === 0,
    'isFinite converts, Number.isFinite does not': () =>
      isFinite('12') && !isFinite('x') && !isFinite(1 / 0) && !Number.isFinite('12') && Number.isFinite(12.5),
    'typeof null': () => {
      const none = null;
      return typeof null === 'object' && typeof none === 'object' && typeof undefined === 'undefined';
    },
    'Math functions as callbacks': () =>
      [0.5, -1.5, 2.4].map(Math.round).join() === '1,-1,2' && [-1.2, 3.7].map(Math.floor).join() === '-2,3' &&
      [-3, 2].map(Math.abs).join() === '3,2' && [4, 9].map(Math.sqrt).join() === '2,3',
  });
}
