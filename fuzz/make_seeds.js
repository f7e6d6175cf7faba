// Regenerates the committed seed corpora (node fuzz/make_seeds.js): envelopes sealed with Node's
// AES-256-GCM under the fuzzers' fixed keys (fuzz_support.hpp), and edge cases of each input format.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const keyA = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const keyB = 'QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=';
const keyC = 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=';

function seal(keyB64, kid, plaintext, ivHex) {
  const iv = ivHex ? Buffer.from(ivHex, 'hex') : crypto.createHash('sha256').update(plaintext + kid).digest().subarray(0, 12);
  const c = crypto.createCipheriv('aes-256-gcm', Buffer.from(keyB64, 'base64'), iv);
  const ct = Buffer.concat([c.update(Buffer.from(plaintext, 'utf8')), c.final(), c.getAuthTag()]);
  return { __enc: 1, kid, iv: iv.toString('base64'), ct: ct.toString('base64') };
}

function write(dir, seeds) {
  const full = path.join(__dirname, 'corpus', dir);
  fs.mkdirSync(full, { recursive: true });
  for (const f of fs.readdirSync(full)) fs.unlinkSync(path.join(full, f));
  seeds.forEach((s, i) => fs.writeFileSync(path.join(full, String(i).padStart(3, '0')), s));
}

const oauth = '{"accessToken":"ya29.a0","refreshToken":"1//0g","expiresAt":1767225600}';
const e1 = seal(keyA, 'v1', oauth);
const envelope = [
  JSON.stringify(e1),
  JSON.stringify(seal(keyB, 'v2', '"a string secret"')),
  JSON.stringify(seal(keyA, 'v1', '[1,2.5,null,true,{"a":[]}]')),
  JSON.stringify(seal(keyA, 'v1', '{"nested":{"deeper":{"deepest":"\\u00e9\\ud83d\\ude00"}}}')),
  JSON.stringify(seal(keyA, 'v1', 'not json')),
  JSON.stringify(seal(keyA, 'v1', '')),
  JSON.stringify(seal(keyC, 'v3', oauth)),
  JSON.stringify(seal(keyB, 'v1', oauth)),
  JSON.stringify({ ...e1, __enc: 1.0, note: 'extra member' }).replace('"__enc":1', '"__enc":1.0'),
  JSON.stringify({ ...e1, __enc: 2 }),
  JSON.stringify({ ...e1, __enc: '1' }),
  JSON.stringify({ ...e1, iv: e1.iv.replace(/=+$/, '') }),
  JSON.stringify({ ...e1, ct: e1.ct.replace(/\+/g, '-').replace(/\//g, '_') }),
  JSON.stringify({ ...e1, ct: e1.ct.slice(0, 20) }),
  JSON.stringify({ ...e1, kid: '' }),
  JSON.stringify({ ...e1, ct: e1 }),
  JSON.stringify([e1]),
  JSON.stringify(JSON.stringify(e1)),
  JSON.stringify({ __enc: 1 }),
  oauth,
  'null', '"plain string"', '[[[[[[[[]]]]]]]]', '{"a":{"b":{"c":{}}}}', '1e308', '-0', '""',
  '"\\u0000\\ud800"',
];
write('envelope', envelope);

const env = [
  `CONNECTOR_CRED_KEY=${keyA}`,
  `CONNECTOR_CRED_KEY=${keyA}\\n\nCONNECTOR_CRED_KID=prod-2026`,
  `CONNECTOR_CRED_KEYS={"v1":"${keyA}","v2":"${keyB}"}\nCONNECTOR_CRED_ACTIVE_KID=v2`,
  `CONNECTOR_CRED_KEYS={"v1":"${keyA}"}\nCONNECTOR_CRED_KEY=${keyA}`,
  `CONNECTOR_CRED_KEYS={"v1":"${keyA}","v1":"${keyB}"}`,
  `CONNECTOR_CRED_KEYS={"v1":{"v2":"${keyB}"}}`,
  `CONNECTOR_CRED_KEYS=["${keyA}"]`,
  `CONNECTOR_CRED_KEYS={"v1":"${keyA.slice(0, 30)}`,
  `CONNECTOR_CRED_KEYS={"v1":"${keyA}"} trailing`,
  `CONNECTOR_CRED_KEYS_FILE={"v1":"${keyA}","v2":"${keyB}"}\nCONNECTOR_CRED_ACTIVE_KID=v1`,
  `CONNECTOR_CRED_KEY_FILE=${keyA}\\n\nCONNECTOR_CRED_REQUIRE_ENCRYPTED=1`,
  `CONNECTOR_CRED_KEY_FILE=${keyA}\nCONNECTOR_CRED_KEY=${keyA}`,
  `CONNECTOR_CRED_KEY=${keyA}\nCONNECTOR_CRED_REQUIRE_ENCRYPTED=true`,
  `CONNECTOR_CRED_KEY=${keyA}\nCONNECTOR_CRED_KID=${keyB}`,
  `CONNECTOR_CRED_KEYS={"v1":"${keyA}","v2":"${keyA}"}\nCONNECTOR_CRED_ACTIVE_KID=v1`,
  'CONNECTOR_CRED_KEYS=null',
  Buffer.concat([Buffer.from('CONNECTOR_CRED_KEYS={"\u00e9":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
];
write('env', env);

const base64 = ['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', keyA, 'Zh==', 'Zm9=', 'Zm9v\n', 'Zm-_', 'Zg', 'Zg===',
  'Zm\0v', '====', 'A'.repeat(64), Buffer.from([0, 255, 128, 64, 1]).toString('base64')];
write('base64', base64);
