// A local module: constants, functions that use them, a default parameter.
import { check } from 'k6';

export const PREFIX = '/status/';
const DEFAULT_CODE = 200;

export function pathFor(code = DEFAULT_CODE) {
  return `${PREFIX}${code}`;
}

export function assertStatus(res, code) {
  return check(res, { [`status is ${code}`]: (r) => r.status === code });
}

export const double = (x) => x * 2;
