// indexOf and lastIndexOf compare as `===`: a null is not an undefined (rload's Rhai `==`
// took any two () as equal, so [null].indexOf(undefined) was 0 where k6 says -1), NaN is
// found by neither, and a string, number or boolean searches as before.
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const body = JSON.parse('{"tags":["a",null,"b"],"n":[1,2,1]}');
  const missing = body.nothing;
  const holes = [undefined, null, undefined];
  check(null, {
    'indexOf tells null from undefined': () =>
      body.tags.indexOf(null) === 1 && body.tags.indexOf(missing) === -1 && holes.indexOf(null) === 1 && holes.indexOf(missing) === 0,
    'indexOf from a position': () => holes.indexOf(undefined, 1) === 2 && holes.indexOf(null, -1) === -1 && holes.indexOf(null, -2) === 1,
    'lastIndexOf tells null from undefined': () =>
      holes.lastIndexOf(undefined) === 2 && holes.lastIndexOf(null) === 1 && body.tags.lastIndexOf(missing) === -1,
    'lastIndexOf from a position': () => holes.lastIndexOf(undefined, 1) === 0 && holes.lastIndexOf(null, 0) === -1,
    'NaN is found by neither': () => [NaN].indexOf(NaN) === -1 && [NaN].lastIndexOf(NaN) === -1,
    'known kinds search as before': () =>
      body.n.indexOf(1) === 0 && body.n.lastIndexOf(1) === 2 && body.n.indexOf(2, 2) === -1 && 'a,b'.indexOf('b') === 2 && [true].indexOf(true) === 0,
    'a value read from data searches by value': () => body.tags.indexOf(body.tags[2]) === 2 && body.n.indexOf(body.n[1]) === 1,
  });
}
