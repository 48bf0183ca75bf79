// Labeled `break` and `continue`, a label on a block, a `continue` in a `do … while`, and a class
// expression: every label was refused ("Rhai's loops have none"), a `continue` in a
// `do … while` skipped its test in Rhai (the loop went on past its end), and `const Api =
// class { … }` was refused. Now a jump crossing inner loops (or a switch converted to a one-pass
// loop) sets a flag that each loop on the way out tests, and the class is a declared one.
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const rows = [
  { name: 'a', cells: [{ v: 1 }, { v: 2, skip: true }, { v: 3 }] },
  { name: 'b', cells: [{ v: 4 }, { v: 5 }] },
  { name: 'c', cells: [{ v: 6, stop: true }, { v: 7 }] },
  { name: 'd', cells: [{ v: 8 }] },
];

function forOf() {
  const seen = [];
  outer: for (const row of rows) {
    for (const cell of row.cells) {
      if (cell.skip) continue outer;
      if (cell.stop) break outer;
      seen.push(cell.v);
    }
    seen.push(row.name);
  }
  return seen.join(',');
}

function cStyle() {
  // `continue outer` runs the outer loop's update (i++).
  const seen = [];
  outer: for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      if (j > i) continue outer;
      if (i === 3) break outer;
      seen.push(`${i}${j}`);
    }
    seen.push('end');
  }
  return seen.join(',');
}

function cStyleStep() {
  // Not a range (the step is 2): a `while` that runs the update first, which `continue` keeps.
  const seen = [];
  outer: for (let i = 0; i < 6; i += 2) {
    for (let j = 0; j < 3; j++) {
      if (j === 1) continue outer;
      seen.push(`${i}${j}`);
    }
    seen.push('unreached');
  }
  return seen.join(',');
}

function whileLoops() {
  const seen = [];
  let i = 0;
  loop1: while (i < 5) {
    i += 1;
    let j = 0;
    do {
      j += 1;
      if (j === 2 && i % 2 === 0) continue loop1;
      if (i === 4) break loop1;
      seen.push(`${i}.${j}`);
    } while (j < 3);
    seen.push('|');
  }
  return `${seen.join(' ')} i=${i}`;
}

function forIn() {
  const o = { a: [1, 2], b: [3, -1, 4], c: [5] };
  const seen = [];
  keys: for (const k in o) {
    for (const v of o[k]) {
      if (v < 0) continue keys;
      seen.push(`${k}${v}`);
    }
    seen.push('.');
  }
  return seen.join('');
}

function throughSwitch() {
  // A switch that falls through is a one-pass Rhai loop: the labeled jumps cross it too.
  const seen = [];
  scan: for (const x of [1, 2, 3, 4, 5]) {
    switch (x % 3) {
      case 1:
        seen.push('one');
      case 2:
        if (x === 2) continue scan;
        if (x === 5) break scan;
        seen.push(`two${x}`);
        break;
      default:
        seen.push('zero');
    }
    seen.push(x);
  }
  return seen.join(',');
}

function plainContinueDoWhile() {
  // An unlabeled `continue` in a `do … while` goes to its test.
  let n = 0;
  const seen = [];
  do {
    n += 1;
    if (n % 2 === 0) continue;
    seen.push(n);
  } while (n < 6);
  return seen.join(',');
}

function block(v) {
  const seen = [];
  guard: {
    seen.push('start');
    if (v > 1) break guard;
    seen.push('small');
    for (const x of [1, 2, 3]) {
      if (x === 2) break guard;
      seen.push(x);
    }
    seen.push('unreached');
  }
  seen.push('after');
  return seen.join(',');
}

function inTry() {
  // Jumps inside a try/finally that stay inside it.
  const seen = [];
  try {
    inner: for (const a of [1, 2, 3]) {
      for (const b of [1, 2]) {
        if (b > a) continue inner;
        if (a === 3) break inner;
        seen.push(`${a}${b}`);
      }
    }
  } finally {
    seen.push('fin');
  }
  return seen.join(',');
}

function blockInLoop() {
  // An unlabeled `continue` inside a labeled block goes to the loop around it.
  const seen = [];
  for (const x of [1, 2, 3, 4]) {
    body: {
      if (x === 2) continue;
      if (x === 3) break body;
      seen.push(`in${x}`);
    }
    seen.push(x);
  }
  return seen.join(',');
}

function tryCatchJumps() {
  // `continue outer` and `break outer` from a `catch` inside the inner loop.
  const out = [];
  outer: for (const x of [1, 2, 3]) {
    for (const y of [1, 2]) {
      try {
        if (y === 2) throw new Error('e');
        out.push(`${x}${y}`);
      } catch (e) {
        if (x === 2) break outer;
        continue outer;
      }
    }
  }
  return out.join(',');
}

function varCounter() {
  // A `var` counter keeps its value after `break outer`.
  const out = [];
  outer: for (var i = 0; i < 5; i++) {
    var j = 0;
    while (true) {
      j++;
      if (j > i) continue outer;
      if (i === 3) break outer;
      out.push(`${i}${j}`);
    }
  }
  return `${out.join(',')} i=${i}`;
}

function threeDeep() {
  // Out of a do…while and a for, to the outermost for's update.
  let n = 0;
  top: for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let k = 0;
      do {
        k++;
        n++;
        if (k === 2) continue top;
      } while (k < 3);
    }
  }
  return n;
}

function blockInCase(v) {
  let s = '';
  switch (v) {
    case 1:
      inner: {
        s += 'a';
        if (v === 1) break inner;
        s += 'b';
      }
      s += 'c';
      break;
    default:
      s += 'd';
  }
  return s;
}

const Api = class {
  constructor(base) {
    this.base = base;
    this.calls = 0;
  }

  path(p) {
    this.calls += 1;
    return `${this.base}/${p}`;
  }

  static of(base) {
    return new Api(base);
  }
};

export default function () {
  const api = new Api('/v1');
  const paths = [api.path('users'), api.path('items')];

  check(null, {
    'for…of: continue outer and break outer': () => forOf() === '1,4,5,b',
    'C-style for: continue outer runs the update': () => cStyle() === '00,10,11,20,21,22',
    'C-style for with a step: continue outer runs the update': () => cStyleStep() === '00,20,40',
    'while and do…while labels': () => whileLoops() === '1.1 1.2 1.3 | 2.1 3.1 3.2 3.3 | i=4',
    'for…in: continue to the label': () => forIn() === 'a1a2.b3c5.',
    'labeled jumps through a switch': () => throughSwitch() === 'one,two1,1,zero,3,one,two4,4',
    'continue in do…while tests the condition': () => plainContinueDoWhile() === '1,3,5',
    'break out of a labeled block': () => block(1) === 'start,small,1,after' && block(2) === 'start,after',
    'labels inside try/finally': () => inTry() === '11,21,22,fin',
    'continue inside a labeled block': () => blockInLoop() === 'in1,1,3,in4,4',
    'jumps from a catch': () => tryCatchJumps() === '11,21',
    'a var counter after break outer': () => varCounter() === '11,21,22 i=3',
    'three loops deep': () => threeDeep() === 6,
    'a labeled block in a case': () => blockInCase(1) + blockInCase(2) === 'acd',
    'a class expression is a class': () => paths.join(' ') === '/v1/users /v1/items' && api.calls === 2,
    'its static method': () => Api.of('/v2').path('x') === '/v2/x' && JSON.stringify(Api.of('b')) === '{"base":"b","calls":0}',
  });
}
