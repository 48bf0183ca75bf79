// Language constructs and their Rhai forms.
let hits = 0;
const cache = {};

function classify(code) {
  switch (code) {
    case 200:
      return 'ok';
    case 301:
    case 302:
      hits++;
      break;
    default:
      return 'other';
  }
  return 'redirect';
}

export default function (data) {
  const res = { status: 200, body: '{"a":{"b":[1,2]}}', headers: {} };
  const b = JSON.parse(res.body)?.a?.b ?? [];
  const all = [...b, 3, ...[4]];
  let i = 0;
  const first = all[i++];
  let total = 0;
  total += first * 2 - 1;
  total /= 2;
  total **= 2;
  cache[`k${i}`] = total;
  const label = res.status >= 400 ? 'error' : res.status >= 300 ? 'redirect' : 'ok';
  const msg = `line1\nline2 ${label}`;
  const again = !res.body || res.body.length === 0;
  do {
    i += 1;
  } while (i < 3);
  outer: for (const x of all) {
    if (x > 2) break outer;
  }
  if (typeof data === 'object' && data !== null) {
    hits = hits + Object.keys(data).length;
  }
  const fmt = (n) => n.toFixed(2);
  // Indexing is Rhai's `a[i]` (rload runs converted scripts with JavaScript's indexing);
  // `delete o[k]` is `js_delete`.
  const byName = { a: 1, b: 2 };
  const key = all[all.length - 1] > 3 ? 'a' : 'b';
  delete byName[key];
  all[all.length] = 'last';
  return [classify(res.status), fmt(total), msg, again, label, all[-1], byName];
}
