// local imports: named and namespace imports of ./lib/helpers.js.
import http from 'k6/http';
import { pathFor, assertStatus } from './lib/helpers.js';
import * as helpers from './lib/helpers.js';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const a = http.get(`${__ENV.BASE}${pathFor()}`);
  assertStatus(a, 200);
  const b = http.get(`${__ENV.BASE}${helpers.pathFor(201)}`);
  assertStatus(b, helpers.double(100) + 1);
}
