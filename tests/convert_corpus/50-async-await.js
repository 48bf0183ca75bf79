// async functions and await where every call is awaited at once: the calls run in the same
// order as plain calls, values come back through `await`, a `return` of a call adopts its
// promise, an error thrown in an async function reaches the awaiting try/catch, async setup
// and teardown, top-level await in the init code, and http.asyncRequest awaited (named
// import and method) makes the same requests as http.request.
import http, { asyncRequest } from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const order = [];

async function record(step, value = step) {
  order.push(step);
  return value;
}

async function twice(x) {
  const once = await record(`twice ${x}`, x * 2);
  return once;
}

const adopt = async (x) => {
  order.push('adopt');
  return twice(x);
};

async function fails(why) {
  await record('fails');
  throw new Error(why);
}

async function status(path) {
  const res = await http.asyncRequest('GET', `${__ENV.BASE}${path}`);
  return res.status;
}

async function seven() {
  return 7;
}

const atInit = await seven();

export async function setup() {
  const res = await asyncRequest('GET', `${__ENV.BASE}/`);
  return { setupStatus: res.status };
}

export default async function (data) {
  order.length = 0;
  const a = await twice(3);
  const b = await adopt(5);
  let caught = '';
  try {
    await fails('boom');
    order.push('not reached');
  } catch (e) {
    caught = e.message;
  }
  const s = await status('/');
  const missing = await status('/no-such-page');
  const plain = await 42;
  check(order, {
    'awaited calls ran in order': (o) => o.join(',') === 'twice 3,adopt,twice 5,fails',
    'values come back through await': () => a === 6 && b === 10 && plain === 42,
    'an error thrown after an await reaches the catch': () => caught === 'boom',
    'asyncRequest made the requests': () => s === 200 && missing === 404,
    'setup awaited its request': () => data.setupStatus === 200,
    'top-level await ran in init': () => atInit === 7,
  });
}

export async function teardown(data) {
  const s = await status('/');
  check(s, { 'teardown awaited its request': (v) => v === 200 && data.setupStatus === 200 });
}
