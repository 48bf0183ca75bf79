// Closures made by a module's functions, for 44-module-closures.js: one that reads only its
// arguments, one that reads what its function was given, one that reads the module's own
// constant and calls the module's function.
const PREFIX = 'item-';

function twice(x) {
  return x * 2;
}

export function make() {
  return (x) => x + 1;
}

export function adder(n) {
  return (x) => x + n;
}

export function labeller() {
  return (x) => `${PREFIX}${twice(x)}`;
}

export function each(xs, cb) {
  let out = 0;
  for (const x of xs) {
    out += cb(x);
  }
  return out;
}
