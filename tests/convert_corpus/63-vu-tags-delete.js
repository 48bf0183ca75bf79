// A VU tag set with exec.vu.metrics.tags and taken off with `delete`, as k6 scripts mark a
// phase of their iteration: `delete` gives true and later samples go without the tag. The tags
// read as an object: `in`, Object.values, a spread copy, Object.assign.
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';

export const options = { vus: 1, iterations: 2 };

export default function () {
  exec.vu.metrics.tags.step = `login${__ITER}`;
  http.get(`${__ENV.BASE}/`);
  const deleted = delete exec.vu.metrics.tags.step;
  const again = delete exec.vu.metrics.tags['never-set'];
  http.get(`${__ENV.BASE}/`);
  check(null, {
    'delete gives true': () => deleted === true && again === true,
    'the tag is gone': () => exec.vu.metrics.tags.step === undefined,
    'the other tags stay': () => exec.vu.metrics.tags.scenario === 'default',
    'the tags read as an object': () =>
      'scenario' in exec.vu.tags &&
      Object.values(exec.vu.metrics.tags).includes('default') &&
      Object.keys({ ...exec.vu.metrics.tags }).sort().join(',') === 'group,scenario' &&
      Object.assign({ z: 1 }, exec.vu.tags).scenario === 'default',
  });
}
