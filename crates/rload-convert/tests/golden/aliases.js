// Objects changed through a second name: listed, each with the variable it goes through.
import http from 'k6/http';

export const options = { vus: 1, iterations: 1 };

const shared = { hits: 0 };
const alias = shared;

function addAuth(params, token) {
  params.headers['Authorization'] = `Bearer ${token}`;
}

function collect(list, x) { list.push(x); }

export function setup() {
  return { users: [{ name: 'a', calls: 0 }] };
}

export default function (data) {
  data.users.push({ name: 'b', calls: 0 });
  const params = { headers: {} };
  addAuth(params, 'abc');
  const seen = [];
  collect(seen, 1);
  const a = { n: 1 };
  const b = a;
  b.n = 2;
  let c = {};
  c = a;
  delete c.n;
  const arr = [{ v: 1 }, { v: 2 }];
  for (const item of arr) { item.v *= 10; }
  arr.forEach((it) => { it.v++; });
  const m = arr.map((it) => { it.v = 0; return it; });
  const u = arr[0];
  u.v += 1;
  const found = arr.find((x) => x.v === 0);
  found.v = 5;
  alias.hits += 1;
  // Fresh objects and module state change as in JavaScript: none of these is listed.
  const res = http.get('http://127.0.0.1:1/');
  const body = JSON.parse('{"a":[]}');
  body.a.push(1);
  const copy = { ...a };
  copy.n = 3;
  seen.push(res.status);
  // But `alias` holds `shared`'s object too (line 7): a change through either name is listed.
  shared.hits += 1;
  arr.sort((p, q) => p.v - q.v);
  arr[1].v = 7;
}

export function handleSummary(summary) {
  delete summary.metrics.http_reqs;
  return { stdout: JSON.stringify(summary.metrics) };
}
