// __ITER and k6/execution where k6 has no iteration: a check's closure made in init code reads
// __ITER when it runs (a Rhai closure would keep the 0 of init code); __ITER read in init code
// or setup() throws a ReferenceError, exec.scenario throws in setup(), exec.vu and
// exec.instance throw in init code; exec.vu reads 0 in setup().
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';

function reads(f) {
  try {
    return `value ${f()}`;
  } catch (e) {
    return e.name === 'ReferenceError' ? 'ReferenceError' : 'thrown';
  }
}

const checks = { 'a closure made in init reads this iteration': () => __ITER < 2 };
const INIT = [reads(() => __ITER), reads(() => exec.vu.idInTest), reads(() => exec.instance.vusActive)];
const TYPE_IN_INIT = typeof __ITER;

export const options = { vus: 1, iterations: 3 };

export function setup() {
  return {
    iter: reads(() => __ITER),
    scenario: reads(() => exec.scenario.name),
    vu: reads(() => exec.vu.idInTest),
    type: typeof __ITER === 'undefined' ? 'undefined' : typeof __ITER,
  };
}

export default function (data) {
  http.get(`${__ENV.BASE}/`);
  check(null, checks);
  check(data, {
    'init code: __ITER is not defined, exec.vu and exec.instance throw': () =>
      INIT.join(',') === 'ReferenceError,thrown,thrown',
    'setup: __ITER is not defined': (d) => d.iter === 'ReferenceError',
    'typeof __ITER outside an iteration is undefined': (d) => TYPE_IN_INIT === 'undefined' && d.type === 'undefined',
    'setup: exec.scenario throws, exec.vu reads 0': (d) => d.scenario === 'thrown' && d.vu === 'value 0',
    'in an iteration: all three read': () =>
      reads(() => __ITER) === `value ${exec.vu.iterationInScenario}` && exec.scenario.name === 'default',
  });
}
