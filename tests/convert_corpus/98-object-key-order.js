// An object's keys in JavaScript's order: array-index keys ("0".."4294967294") first, ascending,
// then the others in insertion order. rload's maps were sorted, so JSON bodies, query strings
// (and their url tags), Object.keys()[0] and for…in differed from k6's. Form bodies stay sorted,
// as k6 (Go's url.Values) sorts them. (k6 sends a multipart body's parts in Go's map order, which
// varies from run to run; rload sends them in the object's order, one of those.)
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 1 };

export default function () {
  const o = { zeta: 1, alpha: 2, 10: 'x', 2: 'y', mid: 3 };
  const seen = [];
  for (const k in o) seen.push(k);
  check(o, {
    'JSON.stringify of a literal': (v) => JSON.stringify(v) === '{"2":"y","10":"x","zeta":1,"alpha":2,"mid":3}',
    'Object.keys': (v) => Object.keys(v).join(',') === '2,10,zeta,alpha,mid',
    'Object.keys()[0]': (v) => Object.keys(v)[0] === '2',
    'Object.values': (v) => Object.values(v).join(',') === 'y,x,1,2,3',
    'Object.entries': (v) => Object.entries(v).map(([k, x]) => `${k}=${x}`).join('&') === '2=y&10=x&zeta=1&alpha=2&mid=3',
    'for…in': () => seen.join(',') === '2,10,zeta,alpha,mid',
    'not array indices keep their place': () =>
      JSON.stringify({ 4294967295: 'a', 4294967294: 'b', '01': 'c', 1: 'd', '-1': 'e' }) ===
      '{"1":"d","4294967294":"b","4294967295":"a","01":"c","-1":"e"}',
  });

  const text = '{"b":1,"a":{"y":1,"x":2},"3":0}';
  const parsed = JSON.parse(text);
  check(parsed, {
    'JSON.parse keeps the document order': (v) => Object.keys(v).join(',') === '3,b,a' && Object.keys(v.a).join(',') === 'y,x',
    'JSON.parse round trip': (v) => JSON.stringify(v) === '{"3":0,"b":1,"a":{"y":1,"x":2}}',
  });

  const s = { ...{ b: 1, a: 2 }, c: 3, b: 4 };
  const t = Object.assign({ z: 0 }, { b: 1, a: 2 }, { 5: 'x' });
  const d = { b: 1, a: 2, c: 3 };
  delete d.b;
  d.b = 9;
  check(null, {
    'spread keeps the first place of a key': () => JSON.stringify(s) === '{"b":4,"a":2,"c":3}',
    'Object.assign': () => JSON.stringify(t) === '{"5":"x","z":0,"b":1,"a":2}',
    'delete then re-add goes last': () => JSON.stringify(d) === '{"a":2,"c":3,"b":9}',
  });

  const query = Object.entries({ zeta: 'z', alpha: 'a', 10: 't' })
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const url = `${__ENV.BASE}/echo?${query}`;
  const q = http.get(url);
  check(q, {
    'query string from Object.entries': (r) => r.url === `${__ENV.BASE}/echo?10=t&zeta=z&alpha=a`,
    'the url tag of the request': (r) => r.request.url === `${__ENV.BASE}/echo?10=t&zeta=z&alpha=a`,
  });

  const body = { zeta: 'z', alpha: 'a', 10: 't', 2: 'w' };
  const json = http.post(`${__ENV.BASE}/echo`, JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
  check(json, {
    'a JSON body echoed': (r) => r.body === '{"2":"w","10":"t","zeta":"z","alpha":"a"}',
    // Not r.json(): k6 builds it from a Go map, its keys in a random rotation from run to run
    // (rload keeps the document's order, one of them).
    'JSON.parse of the body in document order': (r) => Object.keys(JSON.parse(r.body)).join(',') === '2,10,zeta,alpha',
  });
  const form = http.post(`${__ENV.BASE}/echo`, body);
  check(form, { 'a form body sorted, as Go encodes it': (r) => r.body === '10=t&2=w&alpha=a&zeta=z' });
}
