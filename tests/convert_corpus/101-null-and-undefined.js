// null and undefined told apart, as k6 does. rload had one `()` for both: `x === undefined` was
// true for a JSON null, `typeof` of a null "undefined", `${missing}` "null", `f(null)` took the
// default, `2 * o.a` (a null) stopped the iteration, `{ id: undefined }` was refused, and
// JSON.stringify of an object holding an undefined wrote the key as null; `a === b` of a null and
// an undefined was true.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const BASE = __ENV.BASE;

function withDefault(a = 5) {
  return a;
}

export default function () {
  const res = http.post(`${BASE}/echo`, JSON.stringify({ data: null, n: 2, list: [null, 1] }));
  const body = JSON.parse(res.body);
  const none = http.post(`${BASE}/echo`, 'x', { responseType: 'none' });
  const { z = 3, data: d = 4 } = body;
  let unset;
  const payload = { id: undefined, name: 'n', parent: null, tags: [undefined, null] };

  check(res, {
    'a JSON null is null, not undefined': () =>
      body.data === null && body.data !== undefined && body.missing === undefined && body.missing !== null,
    'loose equality takes both': () => body.data == undefined && body.missing == null && body.data == null,
    'typeof': () => typeof body.data === 'object' && typeof body.missing === 'undefined' && typeof unset === 'undefined',
    'res.json paths': (r) => r.json('data') === null && r.json('nope') === undefined && r.json().list[0] === null,
    'a body not kept is null': () => none.body === null && typeof none.body === 'object',
    'no match is null': () => 'abc'.match(/x/) === null && /x/.exec('abc') === null,
    'as text': () =>
      `${body.data}|${body.missing}|${unset}` === 'null|undefined|undefined' &&
      String(body.data) + String(body.missing) === 'nullundefined' && body.data + 'x' === 'nullx',
    'as numbers': () =>
      body.n * body.data === 0 && Number.isNaN(body.n * body.missing) && body.data + 1 === 1 &&
      body.data <= 0 && !(body.missing <= 0) && Number(body.data) === 0 && isNaN(body.missing),
    'defaults replace undefined only': () =>
      withDefault(null) === null && withDefault(undefined) === 5 && withDefault() === 5 && z === 3 && d === null,
    'JSON.stringify leaves undefined out of objects': () =>
      JSON.stringify(payload) === '{"name":"n","parent":null,"tags":[null,null]}' &&
      JSON.stringify(undefined) === undefined && Object.keys(payload).length === 4 && 'id' in payload,
    'strict equality of two values neither known': () => {
      const again = JSON.parse('{"data":null}');
      return body.data !== body.missing && body.data === again.data && body.missing === again.missing && body.n !== again.n;
    },
    'includes tells null from undefined': () =>
      !payload.tags.slice(1).includes(undefined) && payload.tags.includes(null) && [body.missing].includes(undefined) && ![null].includes(body.missing),
    'nullish operators take both': () => (body.data ?? 'd') === 'd' && (body.missing ?? 'm') === 'm' && body.data?.x === undefined,
  });
}
