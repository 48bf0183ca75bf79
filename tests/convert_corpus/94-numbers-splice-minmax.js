// Numbers as text, `n.toString(radix)`, `n.toPrecision(p)`, `splice` and Math.max/min of values that are not certainly
// numbers. rload printed 2 ** 53 as "9.007199254740992e15" and 1e-7 as Rhai does; toString(16),
// splice(i, n) and Math.max(1, '5') stopped the iteration ("Function not found"); Math.max() was
// refused.
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const big = 2 ** 53;
  const texts = [String(big), `${1e21}`, String(1e-7), String(0.000001), String(-1.5e300), `${1 / 0}`, String(10 / 4)];

  const arr = [1, 2, 3, 4, 5];
  const removed = arr.splice(1, 2);
  const tail = [1, 2, 3, 4, 5];
  const lastTwo = tail.splice(-2);
  const ins = ['a', 'd'];
  const none = ins.splice(1, 0, 'b', 'c');
  const list = ['x', 'y', 'z'];
  const i = list.indexOf('y');
  if (i >= 0) list.splice(i, 1);

  const env = __ENV.NOT_SET_IN_THIS_TEST || '7';

  check(null, {
    'numbers as JavaScript writes them': () =>
      texts.join(' ') === '9007199254740992 1e+21 1e-7 0.000001 -1.5e+300 Infinity 2.5',
    'toString in a radix': () =>
      (255).toString(16) === 'ff' && (255).toString(2) === '11111111' && (-35).toString(36) === '-z' && (12).toString(10) === '12',
    'toPrecision rounds as JavaScript': () =>
      (123.456).toPrecision(4) === '123.5' && (2.5).toPrecision(1) === '3' && (1.45).toPrecision(2) === '1.4' &&
      (123456).toPrecision(2) === '1.2e+5' && (0.000123).toPrecision(2) === '0.00012',
    'splice removes and returns': () =>
      arr.join(',') === '1,4,5' && removed.join(',') === '2,3' && lastTwo.join(',') === '4,5' && tail.join(',') === '1,2,3',
    'splice inserts': () => ins.join('') === 'abcd' && none.length === 0,
    'splice by index of': () => list.join('') === 'xz',
    'max and min of text and numbers': () =>
      Math.max(1, env) === 7 && Math.min(env, '3', 10) === 3 && Number.isNaN(Math.max(1, 'a')),
    'max and min of nothing': () => Math.max() === -Infinity && Math.min() === Infinity,
  });
}
