// `x instanceof Array` (and Date, Map, Set): rload convert refused the operator, so a helper that
// branches on it (`Array.isArray`'s older spelling) stopped the script from running. A
// SharedArray is an Array, as k6's proxy of one is.
import { check } from 'k6';
import { SharedArray } from 'k6/data';

const shared = new SharedArray('shared', () => [1]);

function asList(x) {
  return x instanceof Array ? x : [x];
}

export const options = { vus: 1, iterations: 2 };

export default function () {
  const d = new Date(0);
  const m = new Map();
  const seen = [[1, 2] instanceof Array, { a: 1 } instanceof Array, d instanceof Date, [] instanceof Date,
    m instanceof Map, m instanceof Set, new Set() instanceof Set, shared instanceof Array, 'x' instanceof Array,
    null instanceof Date];
  check(seen, {
    'instanceof as in JavaScript': (v) => v.join() === 'true,false,true,false,true,false,true,true,false,false',
    'a helper branching on it': () => asList(5).length === 1 && asList([1, 2, 3]).length === 3,
  });
}
