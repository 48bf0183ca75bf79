// `class Admin extends Api`: a client specialised by a subclass. The parent's fields and
// constructor run in `super(…)`, then the subclass's fields; a subclass's method overrides the
// parent's (also when the parent's own methods call it through `this`), `super.m()` calls the
// parent's, a subclass without a constructor passes its arguments to the parent's, and static
// methods are inherited.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

class Client {
  kind = 'client';
  constructor(base, token = 'anon') {
    this.base = base;
    this.token = token;
    this.calls = 0;
    this.log = [];
  }
  get(path) {
    this.calls++;
    this.note(`get ${path}`);
    return http.get(`${this.base}${path}`);
  }
  note(text) {
    this.log.push(text);
  }
  describe() {
    return `${this.kind}:${this.calls}`;
  }
  static anonymous() {
    return new Client(__ENV.BASE);
  }
}

class Admin extends Client {
  role = 'admin';
  constructor(base, user) {
    super(base, `admin-${user}`);
    this.user = user;
    this.kind = 'admin';
  }
  note(text) {
    super.note(`[${this.user}] ${text}`);
  }
  describe() {
    return `${super.describe()}+${this.role}`;
  }
}

class Auditor extends Admin {}

const shared = new Auditor(__ENV.BASE, 'audit');

export default function () {
  const a = new Admin(__ENV.BASE, 'root');
  const res = a.get('/');
  shared.get('/');
  const anon = Auditor.anonymous();
  check(a, {
    'super() runs the parent first, then the subclass fields': (a) =>
      a.base === __ENV.BASE && a.token === 'admin-root' && a.kind === 'admin' && a.role === 'admin',
    'an override, reached from the parent method': (a) => a.log.join() === '[root] get /' && res.status === 200,
    'super.method()': (a) => a.describe() === 'admin:1+admin',
    'a subclass without a constructor': () =>
      shared.user === 'audit' && shared.calls === __ITER + 1 && shared.describe() === `admin:${__ITER + 1}+admin`,
    'an inherited static method': () => anon.kind === 'client' && anon.token === 'anon',
    'the fields of a subclass instance': () =>
      Object.keys(JSON.parse(JSON.stringify(shared))).sort().join() === 'base,calls,kind,log,role,token,user',
  });
}
