// `finally`: rload refused every one. Where the try and catch can only end or throw, it now runs
// after them and the error, if any, goes on; `return`, `break` or `continue` out of them stays
// listed.
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

function attempt(n) {
  const log = [];
  try {
    try {
      log.push('try');
      if (n > 0) throw new Error(`bad ${n}`);
      log.push('ok');
    } finally {
      log.push('finally');
    }
  } catch (e) {
    log.push(`caught ${e.message}`);
  }
  return log.join(',');
}

export default function () {
  const order = [];
  try {
    order.push('a');
    throw 'x';
  } catch (e) {
    order.push(`caught ${e}`);
  } finally {
    order.push('fin');
  }
  for (let i = 0; i < 3; i++) {
    try {
      order.push(`i${i}`);
    } finally {
      order.push(`f${i}`);
    }
  }
  let rethrown = '';
  try {
    try {
      JSON.parse('{');
    } catch (e) {
      throw new Error('wrapped');
    } finally {
      order.push('fin2');
    }
  } catch (e) {
    rethrown = e.message;
  }
  let replaced = '';
  try {
    try {
      throw new Error('first');
    } finally {
      // A throw in finally replaces the error that was on its way.
      throw new Error('second');
    }
  } catch (e) {
    replaced = e.message;
  }
  check(order.join(','), { 'in order': (s) => s === 'a,caught x,fin,i0,f0,i1,f1,i2,f2,fin2' });
  check(rethrown, { "catch's error after finally": (s) => s === 'wrapped' });
  check(replaced, { "finally's error replaces it": (s) => s === 'second' });
  check(attempt(0), { 'nothing thrown': (s) => s === 'try,ok,finally' });
  check(attempt(3), { 'thrown through finally': (s) => s === 'try,finally,caught bad 3' });
}
