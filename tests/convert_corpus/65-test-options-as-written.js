// exec.test.options shows the options as written, with null for what no layer set, as k6 does:
// rload filled in the defaults it runs with (gracefulStop "30s", exec "default", maxDuration
// "10m0s", vus 1), so a script choosing its path by `scenario.gracefulStop || …` or sizing its
// data by `scenario.vus` ran other code than under k6. summaryTrendStats and systemTags are
// the two k6 fills in.
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';

export const options = {
  scenarios: {
    api: { executor: 'shared-iterations', iterations: 2, gracefulStop: '2s' },
    web: { executor: 'per-vu-iterations', vus: 2, iterations: 1, startTime: '0s', tags: { kind: 'web' } },
  },
};

export default function () {
  const o = exec.test.options;
  const api = o.scenarios.api;
  const web = o.scenarios.web;
  check(api, {
    'written values': (s) => s.executor === 'shared-iterations' && s.iterations === 2 && s.gracefulStop === '2s',
    'unset is null': (s) => s.vus == null && s.maxDuration == null && s.exec == null && s.startTime == null && s.tags == null && s.env == null,
  });
  check(web, {
    'written web': (s) => s.vus === 2 && s.startTime === '0s' && s.tags.kind === 'web',
    'web unset': (s) => s.gracefulStop == null && s.maxDuration == null,
  });
  check(o, {
    'trend stats default': (x) => x.summaryTrendStats.join(',') === 'avg,min,med,max,p(90),p(95)',
    'system tags sorted': (x) => x.systemTags[0] === 'check' && x.systemTags.indexOf('url') === x.systemTags.length - 1,
  });
  // A script that sizes its work from the plan: k6 sees no vus for api, so it makes one request.
  const vus = api.vus || 1;
  const stop = api.maxDuration || 'none';
  for (let i = 0; i < vus; i++) {
    http.get(`${__ENV.BASE}/?stop=${stop}`);
  }
}
