// localeCompare (the usual comparator of a sort by name), normalize and codePointAt: rload
// stopped the script before it ran ("is not a function rload has").
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const names = ['bob', 'Alice', 'alice', 'Émile', 'emile', 'Zoë', 'zoe', 'co-op', 'coop', 'item10', 'item2', '_x', 'x'];
  const sorted = [...names].sort((a, b) => a.localeCompare(b));
  const users = [{ name: 'b' }, { name: 'A' }, { name: 'a' }];
  users.sort((x, y) => x.name.localeCompare(y.name));

  check(null, {
    'sorted as k6 collates': () => sorted.join(',') === '_x,alice,Alice,bob,co-op,coop,emile,Émile,item10,item2,x,zoe,Zoë',
    'objects by a key': () => users.map((u) => u.name).join('') === 'aAb',
    'signs': () => 'a'.localeCompare('b') === -1 && 'b'.localeCompare('a') === 1 && 'e\u0301'.localeCompare('é') === 0,
    'locales and options are not read, as in k6': () => 'a'.localeCompare('A', 'de', { sensitivity: 'base' }) === -1,
    'normalize': () =>
      'é'.normalize('NFD').length === 2 && 'e\u0301'.normalize().length === 1 && 'ﬁ'.normalize('NFKC') === 'fi',
    'codePointAt': () => 'x'.codePointAt(0) === 120 && 'é'.codePointAt(0) === 233 && 'a'.codePointAt(5) === undefined,
  });
}
