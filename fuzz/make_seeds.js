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
  JSON.stringify({ ...e1, kid: 'v 1' }),
];


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

// fuzz_text_diff's bound seeds (the other text_diff seeds are hand-written and kept): byte 0 holds
// the flags of fuzz_text_diff.cc (0x01 seal the body under v1, 0x02 a context spec follows its
// length byte, 0x04 seal bound, 0x38 the ctx edit, 0xC0 the keyring).
function contextAad(kid, pairs) {
  const sorted = [...pairs].sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
  const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const sized = (s) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([u32(b.length), b]); };
  return Buffer.concat([Buffer.from('connector-crypto/ctx/1'), Buffer.from([0]), sized(kid), u32(sorted.length),
    ...sorted.map(([n, v]) => Buffer.concat([sized(n), sized(v)]))]);
}
function sealBound(keyB64, kid, plaintext, pairs) {
  const iv = crypto.createHash('sha256').update(`bound ${plaintext} ${kid}`).digest().subarray(0, 12);
  const c = crypto.createCipheriv('aes-256-gcm', Buffer.from(keyB64, 'base64'), iv);
  c.setAAD(contextAad(kid, pairs));
  const ct = Buffer.concat([c.update(Buffer.from(plaintext, 'utf8')), c.final(), c.getAuthTag()]);
  const ctx = pairs.map(([n]) => n).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return { __enc: 1, kid, iv: iv.toString('base64'), ct: ct.toString('base64'), ctx };
}
const record = [['tenant', 'oid:6650f0c2a1b2c3d4e5f60718'], ['collection', 'connectorinstances'],
  ['field', 'credentials'], ['id', 'oid:6650f0c2a1b2c3d4e5f60719']];
const swapped = [['tenant', 'oid:6650f0c2a1b2c3d4e5f6071a'], ['collection', 'connectorinstances'],
  ['field', 'credentials'], ['id', 'oid:6650f0c2a1b2c3d4e5f6071b']];
const spec = (pairs) => Buffer.from(pairs.map(([n, v]) => `${n}=${v}`).join('\n'), 'latin1');
const SEAL = 0x01, CONTEXT = 0x02, BOUND = 0x04, BIND = 0x40, REQUIRE = 0x80, BIND_V1 = 0xc0;
function seed(flags, specBytes, body) {
  const head = specBytes === null ? Buffer.from([flags]) : Buffer.concat([Buffer.from([flags, specBytes.length]), specBytes]);
  return Buffer.concat([head, Buffer.from(body, 'utf8')]);
}
const secret = '{"apiKey":"sk_live_bound","n":[1,2.5,null]}';
const stored = sealBound(keyA, 'v1', secret, record);
const active = sealBound(keyB, 'v2', secret, record);
// fuzz_envelope's bound seeds, under the context it passes (recordContext there).
envelope.push(JSON.stringify(stored), JSON.stringify(active),
  JSON.stringify({ ...stored, ctx: ['tenant', 'id', 'field', 'collection'] }));
write('envelope', envelope);
const textDiff = {
  bound_sealed_bind: seed(SEAL | CONTEXT | BOUND | BIND, spec(record), secret),
  bound_sealed_plain_keyring: seed(SEAL | CONTEXT | BOUND, spec([...record].reverse()), secret),
  bound_sealed_swap: seed(SEAL | CONTEXT | BOUND | BIND, spec(swapped), secret),
  bound_sealed_no_context: seed(SEAL | BOUND, null, secret),
  bound_sealed_other_names: seed(SEAL | CONTEXT | BOUND, spec(record.slice(0, 2)), secret),
  unbound_sealed_require: seed(SEAL | CONTEXT | REQUIRE, spec(record), secret),
  unbound_sealed_bind_v1: seed(SEAL | CONTEXT | BIND_V1, spec(record), secret),
  plain_bind: seed(CONTEXT | BIND, spec(record), '{"b":[1,{"c":"d"}],"a":null}'),
  plain_bind_no_context: seed(BIND, null, '{"b":1}'),
  plain_bind_string: seed(CONTEXT | BIND_V1, spec([['id', 'str:x']]), '"a string secret"'),
  bound_sealed_active_v1: seed(SEAL | CONTEXT | BOUND | BIND_V1, spec(record), secret),
  stored_bound_active_v1: seed(CONTEXT | BIND_V1, spec(record), JSON.stringify(stored)),
  stored_bound: seed(CONTEXT, spec(record), JSON.stringify(stored)),
  stored_bound_bind_rewrap: seed(CONTEXT | BIND, spec(record), JSON.stringify(stored)),
  stored_bound_active: seed(CONTEXT | REQUIRE, spec(record), JSON.stringify(active)),
  stored_bound_ctx_unsorted: seed(CONTEXT, spec(record), JSON.stringify({ ...stored, ctx: ['tenant', 'id', 'field', 'collection'] })),
  stored_bound_ctx_string: seed(CONTEXT | BIND, spec(record), JSON.stringify({ ...stored, ctx: 'tenant' })),
  invalid_context_name: seed(CONTEXT | BIND, Buffer.from('a b=x'), '{"a":1}'),
  invalid_context_empty_value: seed(CONTEXT, Buffer.from('id='), '{"a":1}'),
  invalid_context_utf8: seed(CONTEXT, Buffer.from([0x69, 0x64, 0x3d, 0xff, 0xfe, 0xfd, 0xfc]), '{"a":1}'),
  invalid_context_repeated: seed(CONTEXT, Buffer.from('id=x\nid=y'), '{"a":1}'),
  invalid_context_17: seed(CONTEXT, spec(Array.from({ length: 17 }, (_, i) => [`n${i + 10}`, 'v'])), '{"a":1}'),
};
for (let edit = 1; edit < 8; edit++) textDiff[`bound_sealed_ctx_edit_${edit}`] = seed(SEAL | CONTEXT | BOUND | (edit << 3), spec(record), secret);
for (const [name, bytes] of Object.entries(textDiff)) fs.writeFileSync(path.join(__dirname, 'corpus', 'text_diff', name), bytes);
