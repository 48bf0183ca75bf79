// A function value called where the conversion cannot see its parameters, as JavaScript calls
// it: a closure held in a parameter, in an object's property or in a top-level variable, called
// with more arguments than it declares (the rest are dropped) or fewer (the rest undefined);
// each runs once.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

function apply2(cb) {
  return cb(1, 2);
}

function applyNone(cb) {
  return cb();
}

const twice = (x, y) => (y === undefined ? x * 2 : -1);

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  let runs = 0;
  const ops = {
    first: (a) => { runs += 1; return a; },
    pair: (a, b) => `${a}:${b === undefined}`,
    none: () => 'none',
  };
  const pick = __ITER >= 0 ? ops.first : ops.none;
  check(res, {
    'a parameter holding a closure': () => apply2((a) => a) === 1 && apply2((a, b, c) => c === undefined)
      && applyNone((a, b) => a === undefined && b === undefined) && apply2(() => 'x') === 'x',
    'an object\'s closure property': () => ops.first(7, 8, 9) === 7 && ops.pair(5) === '5:true'
      && ops.none(1, 2) === 'none' && runs === 1,
    'a top-level closure and a chosen one': () => twice(4, undefined) === 8 && pick(3, 4) === 3,
  });
}
