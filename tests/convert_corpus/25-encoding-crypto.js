// k6/encoding, k6/crypto and console: values checked against their known encodings and digests.
import encoding from 'k6/encoding';
import crypto from 'k6/crypto';
import { check } from 'k6';

export const options = { iterations: 2 };

export default function () {
  const text = 'hello rload';
  const std = encoding.b64encode(text);
  const url = encoding.b64encode('??>>', 'rawurl');
  console.log(`encoded ${std}`);
  console.debug('shown with --verbose in k6');
  check(std, {
    'std base64': (s) => s === 'aGVsbG8gcmxvYWQ=',
    'decodes back as a string': (s) => encoding.b64decode(s, 'std', 's') === text,
  });
  check(url, { 'raw url base64 has no padding': (s) => s === 'Pz8-Pg' });
  check(crypto.sha256(text, 'hex'), {
    'sha256 hex': (h) => h === 'e08973f5fba27f763af0337fa04133c19d447d88e5a159264cee3f8d809d0f4a',
  });
  check(crypto.md5('abc', 'hex'), { 'md5 of abc': (h) => h === '900150983cd24fb0d6963f7d28e17f72' });
  check(crypto.hmac('sha256', 'key', 'The quick brown fox jumps over the lazy dog', 'hex'), {
    'hmac sha256': (h) => h === 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
  });
  const hasher = crypto.createHash('sha1');
  hasher.update('abc');
  check(hasher.digest('hex'), { 'incremental sha1': (h) => h === 'a9993e364706816aba3e25717850c26c9cd0d89d' });
  const res = http_free_marker();
  check(res, { 'a local function runs': (v) => v === 3 });
}

function http_free_marker() {
  return 1 + 2;
}
