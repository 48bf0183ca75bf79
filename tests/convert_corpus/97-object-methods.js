// Helpers grouped in an object literal (an API client as a plain object): rload convert refused
// `this` in such a method ("`this` outside a class's method or constructor"), and a method that
// names its own object (`api.url(…)` inside `api`) failed in init code ("Variable not found:
// api"). `this` reads and changes, methods calling each other through `this` and through the
// object's name, a counter kept across iterations, an arrow in a method reading `this`, a request
// made from a method, an object local to the default function, JSON of the object.
import http from 'k6/http';
import { check, group } from 'k6';

export const options = { vus: 1, iterations: 3 };

const api = {
  base: __ENV.BASE,
  count: 0,
  headers: { 'Content-Type': 'application/json' },
  seen: [],
  url(p) {
    return `${this.base}/${p}`;
  },
  get(p) {
    this.count++;
    return http.get(this.url(p), { headers: this.headers });
  },
  create(body) {
    const r = http.post(api.url('echo'), JSON.stringify(body), { headers: api.headers });
    api.seen.push(body.a);
    return r.json();
  },
  hit() {
    this.count += 1;
    return this.count;
  },
  twice() {
    this.hit();
    return api.hit();
  },
  urls(paths) {
    return paths.map((p) => this.url(p));
  },
  double: (n) => n * 2,
  label: function (suffix) {
    return `count=${this.count}${suffix}`;
  },
  opt(a, b = 'd') {
    return `${a}${b}`;
  },
};

const settings = { level: 2, name: 'cfg', describe() { return `${this.name}:${this.level}`; } };

function hitFromAFunction() {
  return api.hit();
}

export default function () {
  const before = api.count;
  const res = api.get('status/200');
  const created = api.create({ a: __ITER });
  const afterTwice = api.twice();
  const fromFn = hitFromAFunction();
  const local = {
    items: [],
    n: 0,
    add(x) {
      this.items.push(x);
      this.n++;
      return local.n;
    },
  };
  local.add('a');
  const addedTwice = local.add('b');
  group('objects', () => {
    check(res, {
      'a request made from a method': (r) => r.status === 200 && r.url === `${__ENV.BASE}/status/200`,
      'a method naming its own object posts': () => created !== null && created.a === __ITER,
      'this reads fields and calls methods': () => api.url('x') === `${__ENV.BASE}/x` && settings.describe() === 'cfg:2',
      'a counter kept across iterations': () => before === 4 * __ITER && afterTwice === 4 * __ITER + 3 && fromFn === 4 * __ITER + 4,
      'changes through the object name inside a method': () => api.seen.length === __ITER + 1 && api.seen[__ITER] === __ITER,
      'an arrow in a method reads this': () => api.urls(['a', 'b']).join() === `${__ENV.BASE}/a,${__ENV.BASE}/b`,
      'arrow and function properties': () => api.double(4) === 8 && api.label('!') === `count=${4 * __ITER + 4}!`,
      'a shorter call leaves a default': () => api.opt('x') === 'xd' && api.opt('x', 'y') === 'xy',
      'a local object changes itself': () => addedTwice === 2 && local.items.join() === 'a,b' && local.n === 2,
      'JSON of the object leaves its methods out': () =>
        JSON.stringify(local) === '{"items":["a","b"],"n":2}' && JSON.stringify(settings) === '{"level":2,"name":"cfg"}',
      'Object.keys keeps the methods': () => Object.keys(local).sort().join() === 'add,items,n',
    });
  });
}
