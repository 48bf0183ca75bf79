// k6/execution: which VU, scenario and iteration this is.
import http from 'k6/http';
import exec from 'k6/execution';
import { check } from 'k6';

export const options = {
  scenarios: { main: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } },
};

export default function () {
  const res = http.get(`${__ENV.BASE}/?vu=${exec.vu.idInTest}`);
  check(res, {
    'vu id': () => exec.vu.idInTest >= 1 && exec.vu.idInTest <= 2,
    'scenario name': () => exec.scenario.name === 'main',
    'iteration in scenario': () => exec.vu.iterationInScenario >= 0 && exec.vu.iterationInScenario < 2,
    '__VU matches': () => __VU === exec.vu.idInTest,
  });
}
