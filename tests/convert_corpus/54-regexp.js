// Regular expressions: literals and RegExp(), exec/test with lastIndex, match/matchAll/search,
// replace with `$` patterns and with a function, split with captured groups, the i/m/s/y flags,
// lookbehind, backreferences, named groups, and a token taken out of a response body. k6 (sobek)
// parses named groups but gives no `groups` object and leaves `$<name>` as written, where
// ECMAScript (and rload) fill them in: the checks read named groups by number only.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

const PAGE = '<form><input name="csrf" value="tok-123"><input name="user" value="ann"></form>';
const SHARED = /(\w)(\d)/g;

function pattern(useRegex) {
  return useRegex ? /o/g : 'o';
}

export default function () {
  const res = http.post(`${__ENV.BASE}/echo`, PAGE, { headers: { 'Content-Type': 'text/html' } });
  const token = res.body.match(/name="csrf" value="([^"]+)"/)[1];
  const fields = [];
  for (const m of res.body.matchAll(/<input name="(?<name>\w+)" value="(?<value>[^"]*)">/g)) {
    fields.push(`${m[1]}=${m[2]}@${m.index}`);
  }

  const seen = [];
  let m;
  const re = /a(\d)/g;
  let guard = 0;
  while ((m = re.exec('a1 b a2 c a3')) !== null && guard < 10) {
    seen.push(`${m[1]}:${m.index}:${re.lastIndex}`);
    guard++;
  }

  // A literal in a loop is a new object each time: its lastIndex starts at 0.
  const fresh = [];
  for (let i = 0; i < 3; i++) {
    const r = /x/g;
    fresh.push(r.test('x') ? r.lastIndex : -1);
  }

  const date = '2024-05-17'.match(/(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})/);
  const none = 'abc'.match(/(z)/);
  const partial = 'ab'.match(/a(x)?(b)/);

  check(res, {
    'status by regex': (r) => /^2\d\d$/.test(String(r.status)),
    'token from the body': () => token === 'tok-123',
    'matchAll with named groups': () => fields.join(' ') === 'csrf=tok-123@6 user=ann@41',
    'exec loop with g sees every match and ends': () =>
      seen.join(',') === '1:0:2,2:5:7,3:10:12' && re.lastIndex === 0,
    'a literal in a loop is fresh': () => fresh.join(',') === '1,1,1',
    'named groups by number': () => date[1] === '2024' && date[3] === '17' && date.length === 4,
    'no match is null, a missing group undefined': () =>
      none === null && partial[1] === undefined && partial[2] === 'b' && partial.index === 0 && partial.input === 'ab',
    'match with g': () => 'a1b22c333'.match(/\d+/g).join('|') === '1|22|333',
    'match without g': () => 'a1b22'.match(/\d+/)[0] === '1' && 'a1b22'.match(/\d+/).index === 1,
    'lookbehind and lookahead': () =>
      '$10 €20 $30'.match(/(?<=\$)\d+/g).join(',') === '10,30' && 'price: 5USD'.match(/\d(?=USD)/)[0] === '5',
    backreference: () => /(\w)\1/.test('hello') && !/(\w)\1/.test('helo') && 'abcabc'.match(/(?<p>abc)\k<p>/) !== null,
    'split with captures': () => 'a1b2c'.split(/(\d)/).join(',') === 'a,1,b,2,c' && 'a, b ,c'.split(/\s*,\s*/).length === 3,
    'split with a limit': () => 'a1b2c3d'.split(/\d/, 2).join(',') === 'a,b',
    'replace with $ patterns': () =>
      'john smith'.replace(/(\w+)\s(\w+)/, '$2, $1') === 'smith, john' &&
      'x-y'.replace(/-/, "[$&|$`|$'|$$]") === 'x[-|x|y|$]y' &&
      '2024-05'.replace(/(?<y>\d+)-(?<m>\d+)/, '$2/$1') === '05/2024',
    'replace with a function': () =>
      'a1b22'.replace(/\d+/g, (d, offset) => `<${d * 2}@${offset}>`) === 'a<2@1>b<44@3>' &&
      'k=v'.replace(/(\w)=(\w)/, (all, k, v) => `${v}=${k}`) === 'v=k',
    'replace collapses white space': () => ' a  b\t\nc '.replace(/\s+/g, ' ').trim() === 'a b c',
    'replaceAll with a g regex': () => 'a.b.c'.replaceAll(/\./g, '/') === 'a/b/c',
    'string replace applies $&': () => 'x.y'.replace('.', '[$&]') === 'x[.]y' && 'aXbX'.replaceAll('X', '$$') === 'a$b$',
    'pattern that may be a string or a regex': () =>
      'foo'.replace(pattern(true), '0') === 'f00' && 'foo'.replace(pattern(false), '0') === 'f0o',
    'i flag': () => /hello/i.test('HeLLo') && !/hello/.test('HeLLo'),
    'm flag': () => 'a\nb\nc'.match(/^\w$/gm).length === 3 && 'a\nb'.match(/^\w$/g) === null,
    's flag': () => /a.b/s.test('a\nb') && !/a.b/.test('a\nb'),
    'y flag matches only at lastIndex': () => {
      const y = /\d/y;
      y.lastIndex = 1;
      const first = y.test('a1b');
      const second = y.test('a1b');
      return first && y.lastIndex === 0 && !second;
    },
    search: () => 'hello world'.search(/o/) === 4 && 'abc'.search(/z/) === -1 && 'é-b'.search(/b/) === 2,
    'RegExp from a string and from a regex': () => {
      const r = new RegExp('b+', 'g');
      const copy = RegExp(r);
      const wider = new RegExp(r, 'gi');
      return (
        r.source === 'b+' &&
        r.flags === 'g' &&
        r.global &&
        copy.flags === 'g' &&
        wider.flags === 'gi' &&
        'aBbb'.replace(wider, '-') === 'a-' &&
        String(/a/gi) === '/a/gi'
      );
    },
    'JSON of a match and of a regex': () =>
      JSON.stringify('xb2'.match(/b(\d)(z)?/)) === '["b2","2",null]' && JSON.stringify({ re: /a/ }) === '{"re":{}}',
    'match array methods': () => {
      const [, digit] = 'a7'.match(/a(\d)/);
      const m = 'k=v'.match(/(\w)=(\w)/);
      return digit === '7' && m.slice(1).join('') === 'kv' && [...m].length === 3 && m.includes('v');
    },
    'a shared g regex keeps its lastIndex': () => {
      SHARED.lastIndex = 0;
      const a = SHARED.exec('x1 y2');
      const b = SHARED.exec('x1 y2');
      const second = SHARED;
      second.lastIndex = 1;
      return a[0] === 'x1' && b[0] === 'y2' && SHARED.lastIndex === 1 && SHARED.exec('x1 y2')[0] === 'y2';
    },
  });
}
