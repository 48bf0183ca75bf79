// Classes (an API client, a page object): rload convert refused them ("a class: Rhai has no
// classes"), and `this` and `new` of one, so a suite written around a client class did not run.
// The constructor and class fields, methods reading and changing `this`, methods calling methods,
// methods returning values, static methods, an instance kept in module state across iterations,
// a method that only reads called through a parameter, and JSON of an instance.
import http from 'k6/http';
import { check, group } from 'k6';

export const options = { vus: 1, iterations: 3 };
const base = 'module';

class Api {
  retries = 2;
  origin = base; // the module's `base`, not the constructor's parameter
  token;
  constructor(base, token) {
    this.base = base;
    this.token = token;
    this.headers = { Authorization: `Bearer ${token}` };
    this.calls = 0;
  }
  get(path) {
    this.calls++;
    return http.get(`${this.base}${path}`, { headers: this.headers });
  }
  post(path, body) {
    this.calls++;
    return http.post(`${this.base}${path}`, JSON.stringify(body), { headers: this.headers });
  }
  createUser(u) {
    const r = this.post('/status/201', u);
    check(r, { 'created through a method': (r) => r.status === 201 });
    return r.status;
  }
  budget() {
    return this.retries - this.calls;
  }
  // Arrows inside a method read the instance (`this` is the method's).
  expect(res, status) {
    return check(res, { 'status as the client expects': (r) => r.status === status && this.calls > 0 });
  }
  urls(paths) {
    return paths.map((p) => `${this.base}${p}`);
  }
  callsInGroup() {
    let n;
    group('client', () => {
      n = this.calls;
    });
    return n;
  }
  static fromEnv(token = 'env') {
    return new Api(__ENV.BASE, token);
  }
}

class Counter {
  label = 'c';
  constructor(start = 10) {
    this.log = [];
    this.n = start;
  }
  add(k) {
    this.n += k;
    this.log.push(k);
    return this.n;
  }
  twice(k) {
    this.add(k);
    return this.add(k);
  }
  read() {
    return this.n;
  }
}

const counter = new Counter();
const state = { pages: new Counter(0) };

function readThrough(c) {
  return c.read() + c.log.length;
}

export default function () {
  const api = new Api(__ENV.BASE, 't');
  const home = api.get('/');
  const status = api.createUser({ name: 'u' });
  const expected = api.expect(home, 200);
  const c = new Counter(1);
  const after = c.twice(2);
  counter.add(1);
  state.pages.add(2);
  const e = Api.fromEnv();
  const pool = [new Counter(0), new Counter(100)];
  pool[1].add(1);
  group('classes', () => {
    check(api, {
      'fields from the constructor and the class': (a) =>
        a.base === __ENV.BASE && a.retries === 2 && a.origin === 'module' && a.token === 't' && a.headers.Authorization === 'Bearer t',
      'methods change this': (a) => a.calls === 2 && a.budget() === 0,
      'a method returns a value': () => home.status === 200 && status === 201 && after === 5,
      'methods calling methods': () => c.n === 5 && c.log.join() === '2,2' && c.label === 'c',
      'an instance in module state, across iterations': () =>
        counter.read() === 11 + __ITER && state.pages.read() === 2 * (__ITER + 1),
      'a method that only reads, through a parameter': () => readThrough(c) === 7,
      'a static method and its default': () => e.token === 'env' && e.calls === 0 && Api.fromEnv('x').token === 'x',
      'instances in an array': () => pool[1].n === 101 && pool[0].n === 0 && pool.length === 2,
      'arrows in methods read this': () =>
        expected === true && api.callsInGroup() === 2 && api.urls(['/a', '/b']).join() === `${__ENV.BASE}/a,${__ENV.BASE}/b`,
      'a constructor default': () => new Counter().n === 10,
      'JSON of an instance writes its fields': () => JSON.stringify(new Counter(3)) === '{"label":"c","log":[],"n":3}',
      'Object.keys of an instance': () => Object.keys(c).sort().join() === 'label,log,n',
      'typeof an instance': () => typeof c === 'object',
    });
  });
}
