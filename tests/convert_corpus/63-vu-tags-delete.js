// A VU tag set with exec.vu.metrics.tags and taken off with `delete`, as k6 scripts mark a
// phase of their iteration: `delete` gives true and later samples go without the tag.
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
  });
}
