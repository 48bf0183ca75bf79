// `void expr` evaluates `expr` and is undefined: `void f()` calls `f` (the converter wrote `()`
// and never called it), `void (n += 1)` assigns, and `void 0` is plain undefined.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

let calls = 0;
function touch() {
  calls += 1;
  return calls;
}

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  calls = 0;
  const r = void touch();
  let n = 1;
  void (n += 1);
  const inArgs = [void touch(), void 0];
  check(res, {
    'void calls its operand and is undefined': () => r === undefined && calls === 2 && n === 2,
    'void in an array literal': () => inArgs.length === 2 && inArgs[0] === undefined && inArgs[1] === undefined,
  });
}
