// Math's other functions (cbrt, hypot, log10, log2, trigonometry, atan2, imul, clz32, fround)
// and startsWith/endsWith with a position. rload refused the Math functions, and dropped the
// position (`'Hello, World'.startsWith('World', 7)` was false, silently).
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const s = 'Hello, World';
  check(null, {
    'cbrt, hypot, log10, log2': () =>
      Math.cbrt(27) === 3 && Math.hypot(3, 4) === 5 && Math.hypot() === 0 && Math.log10(1000) === 3 && Math.log2(8) === 3,
    'as callbacks': () => [8, 27].map(Math.cbrt).join() === '2,3',
    'trigonometry': () =>
      Math.sin(0) === 0 && Math.cos(0) === 1 && Math.atan2(0, -1) === Math.PI && Math.abs(Math.tan(Math.PI / 4) - 1) < 1e-12,
    'integer functions': () => Math.imul(3, 4) === 12 && Math.imul(0xffffffff, 5) === -5 && Math.clz32(1) === 31 && Math.fround(5.5) === 5.5,
    'startsWith and endsWith at a position': () =>
      s.startsWith('World', 7) && s.endsWith('Hello', 5) && s.startsWith('H', -3) && s.endsWith('d', 99) && !s.startsWith('W', 100),
  });
}
