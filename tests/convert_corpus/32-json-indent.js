// JSON.stringify with an indent, as handleSummary scripts write reports: a number of spaces (at
// most 10), a string's first 10 characters, compact JSON for anything else; empty arrays and
// objects inline. (Keys in alphabetical order: Rhai's maps are sorted, see docs/porting.md.)
import { check } from 'k6';

export const options = { vus: 1, iterations: 1 };

export default function () {
  // (k6's JavaScript engine misindents an object that follows an empty one: they come last.)
  const v = { a: 1, b: [1, 'x,y:"z"'], e: { f: null, g: true }, y: {}, z: [] };
  const two = '{\n  "a": 1,\n  "b": [\n    1,\n    "x,y:\\"z\\""\n  ],\n  "e": {\n    "f": null,\n    "g": true\n  },\n  "y": {},\n  "z": []\n}';
  check(JSON.stringify(v, null, 2), { 'two spaces': (s) => s === two });
  check(JSON.stringify([1, [2]], null, '\t'), { 'a tab': (s) => s === '[\n\t1,\n\t[\n\t\t2\n\t]\n]' });
  check(JSON.stringify({ a: [1] }, undefined, 12), { 'at most ten spaces': (s) => s === '{\n          "a": [\n                    1\n          ]\n}' });
  check(JSON.stringify({ a: 1 }, null, 0), { 'zero is compact': (s) => s === '{"a":1}' });
  check(JSON.stringify({ a: 1 }, null, ''), { 'an empty string is compact': (s) => s === '{"a":1}' });
  check(JSON.stringify('s', null, 2), { 'a string stays a string': (s) => s === '"s"' });
}
