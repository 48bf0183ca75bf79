// `switch`: a case that falls through into the next was refused, and a `break` inside an `if` of
// a case left the loop around the switch instead of the switch (silently: the loop stopped).
// Now the switch runs in JavaScript's order: the case the value enters at, then every body from
// there until a `break`, which leaves the switch alone; a `continue` goes to the loop around.
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

function grade(n) {
  const out = [];
  switch (n) {
    case 3:
      out.push('three');
    case 2:
      out.push('two');
    case 1:
      out.push('one');
      break;
    case 0:
      return 'zero';
    default:
      out.push('other');
  }
  return out.join('+');
}

function middleDefault(v) {
  let s = '';
  switch (v) {
    case 'a':
      s += 'A';
      break;
    default:
      s += 'D';
    case 'b':
      s += 'B';
      break;
    case 'c':
      s += 'C';
  }
  return s;
}

function emptyDefault(v) {
  let s = '';
  switch (v) {
    default:
    case 'x':
      s = 'x-or-default';
      break;
    case 'y':
      s = 'y';
  }
  return s;
}

export default function () {
  const seen = [];
  for (let i = 0; i < 5; i++) {
    switch (i % 3) {
      case 0:
        if (i > 2) {
          seen.push(`late${i}`);
          break;
        }
        seen.push(`zero${i}`);
        break;
      case 1: {
        seen.push(`block${i}`);
        break;
      }
      default:
        if (i === 2) continue;
        seen.push(`d${i}`);
    }
    seen.push(`after${i}`);
  }

  let evaluated = 0;
  const next = () => ++evaluated;
  let which = '';
  switch (2) {
    case next():
      which = 'first';
      break;
    case next():
      which = 'second';
      break;
    case next():
      which = 'third';
  }

  const nested = [];
  const items = ['p', 'q', 'r'];
  for (const x of items) {
    switch (x) {
      case 'p':
        switch (nested.length) {
          case 0:
            nested.push('p0');
            continue;
          default:
            nested.push('pd');
        }
        nested.push('p-after');
        break;
      case 'q':
        try {
          if (x === 'q') break;
          nested.push('unreached');
        } catch (e) {
          nested.push('caught');
        }
      case 'r':
        nested.push(`r-from-${x}`);
    }
    nested.push(`end-${x}`);
  }

  let w = 0;
  const ws = [];
  while (w < 4) {
    w++;
    switch (w) {
      case 2:
        ws.push('two');
      case 3:
        if (w === 3) continue;
        ws.push('two-or-three');
        break;
      default:
        ws.push(`w${w}`);
    }
    ws.push('loop');
  }

  check(null, {
    'fall through chains': () =>
      grade(3) === 'three+two+one' && grade(2) === 'two+one' && grade(1) === 'one' && grade(0) === 'zero' && grade(9) === 'other',
    'default in the middle falls through': () =>
      middleDefault('a') === 'A' && middleDefault('z') === 'DB' && middleDefault('b') === 'B' && middleDefault('c') === 'C',
    'empty default shares the next body': () =>
      emptyDefault('x') === 'x-or-default' && emptyDefault('q') === 'x-or-default' && emptyDefault('y') === 'y',
    'break inside an if leaves the switch, not the loop': () =>
      seen.join(',') === 'zero0,after0,block1,after1,late3,after3,block4,after4',
    'case tests run in order until one matches': () => which === 'second' && evaluated === 2,
    'nested switches, continue and break through try': () =>
      nested.join(',') === 'p0,end-q,r-from-r,end-r',
    'continue in a while loop': () => ws.join(',') === 'w1,loop,two,two-or-three,loop,w4,loop',
  });
}
