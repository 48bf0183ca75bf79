// Rest parameters where k6 calls the function itself, and on a top-level object's functions: k6
// calls setup with one argument (null), the default function, a scenario's function and
// teardown with one (setup's data), so `(...args)` holds one element in each; `o.log(...)` of
// `const o = { log(...parts) {…} }` gets every argument. rload convert refused the rest
// parameters, so none of these scripts ran.
import { check } from 'k6';

export const options = {
  scenarios: {
    main: { executor: 'per-vu-iterations', vus: 1, iterations: 2 },
    other: { executor: 'per-vu-iterations', vus: 1, iterations: 1, exec: 'other' },
  },
};

const util = {
  count(...xs) {
    return xs.length;
  },
  join: (sep, ...parts) => parts.join(sep),
};

export function setup(...a) {
  return { n: a.length, first: a[0] };
}

export default function (...args) {
  check(args, {
    'the default function gets one argument': (a) => a.length === 1,
    'setup got one, null': (a) => a[0].n === 1 && a[0].first === null,
    'an object\'s functions': () => util.count(1, 2, 3) === 3 && util.count() === 0 && util.join('-', 'a', 'b') === 'a-b',
    'an object\'s function with a spread': () => util.count(...args, ...[1, 2]) === 3,
  });
}

export function other(data, ...more) {
  check(data, { 'a scenario\'s function gets setup\'s data and nothing more': (d) => d.n === 1 && more.length === 0 });
}

export function teardown(...a) {
  check(a, { 'teardown gets one argument': (x) => x.length === 1 && x[0].n === 1 });
}
