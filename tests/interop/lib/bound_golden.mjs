// The golden bound vectors (tests/vectors/golden/bound-ts-{noble,node}.json) and the worked example of
// docs/FORMAT.md, "Bound envelopes". Deterministic: every IV here is a FIXED TEST-VECTOR IV (the
// worked example's, or SHA-256 of a label), which a real writer must never use; a writer takes its IV
// from the CSPRNG (lib/bound.mjs does unless given one). So regenerating gives the same files, and the
// checker compares each file with what this module generates as well as decrypting it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ObjectId } from 'bson';
import * as b from './bound.mjs';
import * as ts from './tspackage.mjs';
import { firstDifference } from './equal.mjs';

export const KEY_A = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';  // bytes 0..31 (tests/test_support.hpp)
export const KEY_B = 'QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=';  // 32 x 0x42
export const ENVS = {
  noble: { CONNECTOR_CRED_KEY: KEY_A },
  node: { CONNECTOR_CRED_KEYS: JSON.stringify({ v1: KEY_A, v2: KEY_B }), CONNECTOR_CRED_ACTIVE_KID: 'v2' },
};
export const FILES = { noble: 'bound-ts-noble.json', node: 'bound-ts-node.json' };

// Records of the ConnectorInstance collection, with the recommended context (tenant, collection,
// field, id), typed values built from ObjectIds as a service would.
const record = (tenant, id) => b.credentialsContext({ tenant: new ObjectId(tenant), id: new ObjectId(id) });
const RECORD_A = record('6650f0c2a1b2c3d4e5f60718', '6650f0c2a1b2c3d4e5f60719');  // the worked example
const RECORD_B = record('6650f0c2a1b2c3d4e5f6071a', '6650f0c2a1b2c3d4e5f6071b');  // another tenant
const RECORD_A2 = record('6650f0c2a1b2c3d4e5f60718', '6650f0c2a1b2c3d4e5f6071c');  // tenant A, another connector

// The worked example (noble and node:crypto give the same bytes; the checker and bound_test.mjs
// verify it). FIXED TEST-VECTOR IV: the IV of the GCM specification's test cases 3-4.
export const WORKED = {
  kid: 'v1',
  keyB64: KEY_A,
  ivHex: 'cafebabefacedbaddecaf888',
  // Given in the order a service would write them; the AAD sorts them.
  context: [['tenant', 'oid:6650f0c2a1b2c3d4e5f60718'], ['collection', 'connectorinstances'],
    ['field', 'credentials'], ['id', 'oid:6650f0c2a1b2c3d4e5f60719']],
  plaintext: { apiKey: 'sk_live_51H8secretKEY' },
  // Pinned literals: a change to the AAD or the writer shows up here.
  envelope: '{"__enc":1,"kid":"v1","iv":"yv66vvrO263eyviI","ct":"8YHBVsMxKmJkMX+uEELlVntFn2TuUVIHK7x2FMrCIKaPLYd7WkJLMAkclsHi09LhIEc=","ctx":["collection","field","id","tenant"]}',
  aadHex: '636f6e6e6563746f722d63727970746f2f6374782f310000000002763100000004' +
    '0000000a636f6c6c656374696f6e00000012636f6e6e6563746f72696e7374616e636573' +
    '000000056669656c640000000b63726564656e7469616c73' +
    '0000000269640000001c6f69643a363635306630633261316232633364346535663630373139' +
    '0000000674656e616e740000001c6f69643a363635306630633261316232633364346535663630373138',
};

const keyringFor = (impl) => ts.keyringFromEnv(ENVS[impl]);
const fixedIv = (impl, name) => createHash('sha256').update(`connector-crypto golden-bound ${impl} ${name}`).digest().subarray(0, 12);
const pairs = (ctx) => b.encryptionContext(ctx).pairs.map(([n, v]) => [n, v]);

// The worked example computed with `impl` (key A, kid v1, the fixed IV).
export function computeWorked(impl) {
  const keyring = ts.keyringFromEnv({ CONNECTOR_CRED_KEY: WORKED.keyB64, CONNECTOR_CRED_KID: WORKED.kid });
  const ctx = b.encryptionContext(WORKED.context);
  const envelope = b.encryptBound(WORKED.plaintext, keyring, ctx, impl, { iv: Buffer.from(WORKED.ivHex, 'hex') });
  const sealed = Buffer.from(envelope.ct, 'base64');
  return {
    envelope, ctx,
    aad: b.contextAad(WORKED.kid, ctx),
    plaintextJson: JSON.stringify(WORKED.plaintext),
    ciphertextHex: sealed.subarray(0, sealed.length - 16).toString('hex'),
    tagHex: sealed.subarray(sealed.length - 16).toString('hex'),
  };
}

// The markdown of FORMAT.md's worked example (bound_test.mjs checks FORMAT.md holds it verbatim).
export function workedExampleMarkdown() {
  const w = computeWorked('noble');
  const hex = (s) => Buffer.from(s, 'utf8').toString('hex');
  const u32 = (n) => n.toString(16).padStart(8, '0');
  const rows = [
    ['`636f6e6e6563746f722d63727970746f2f6374782f31`', '`connector-crypto/ctx/1` (22 bytes)'],
    ['`00`', 'separator'],
    [`\`${u32(Buffer.byteLength(WORKED.kid))}\` \`${hex(WORKED.kid)}\``, `u32be(${Buffer.byteLength(WORKED.kid)}), kid \`${WORKED.kid}\``],
    [`\`${u32(w.ctx.pairs.length)}\``, `u32be(${w.ctx.pairs.length}): the number of pairs`],
  ];
  for (const [n, v] of w.ctx.pairs) {
    rows.push([`\`${u32(n.length)}\` \`${hex(n)}\``, `u32be(${n.length}), name \`${n}\``]);
    rows.push([`\`${u32(Buffer.byteLength(v))}\` \`${hex(v)}\``, `u32be(${Buffer.byteLength(v)}), value \`${v}\``]);
  }
  const lines = [
    '| field | value |',
    '|---|---|',
    `| key (test key A, bytes 0..31) | \`${Buffer.from(WORKED.keyB64, 'base64').toString('hex')}\` (base64 \`${WORKED.keyB64}\`) |`,
    `| kid | \`${WORKED.kid}\` |`,
    `| IV (a fixed test vector: never fixed in a real writer) | \`${WORKED.ivHex}\` (base64 \`${w.envelope.iv}\`) |`,
    `| context, as given | ${WORKED.context.map(([n, v]) => `\`${n}\` = \`${v}\``).join(', ')} |`,
    `| \`ctx\` (the names, sorted) | \`${JSON.stringify(w.envelope.ctx)}\` |`,
    `| plaintext (${Buffer.byteLength(w.plaintextJson)} bytes) | \`${w.plaintextJson}\` |`,
    `| plaintext, hex | \`${hex(w.plaintextJson)}\` |`,
    `| AAD (${w.aad.length} bytes), hex | \`${b.toHex(w.aad)}\` |`,
    `| ciphertext (${w.ciphertextHex.length / 2} bytes), hex | \`${w.ciphertextHex}\` |`,
    `| tag (16 bytes), hex | \`${w.tagHex}\` |`,
    `| \`ct\` = base64(ciphertext ‖ tag) | \`${w.envelope.ct}\` |`,
    '',
    'The AAD, field by field:',
    '',
    '| bytes (hex) | meaning |',
    '|---|---|',
    ...rows.map(([x, m]) => `| ${x} | ${m} |`),
    '',
    'The envelope:',
    '',
    '```json',
    JSON.stringify(w.envelope),
    '```',
  ];
  return lines.join('\n');
}

// Every case of one golden file. A case: `context` (pairs as given, or null: none given), `options`
// (reader switches), `envelope`, and either `plaintext_json` (it opens to these exact bytes; `aad_hex`
// when bound) or `error` (the C++ class) with `kind` (lib/bound.mjs's error kind), and `why`.
export function goldenBoundCases(impl) {
  const keyring = keyringFor(impl);
  const kid = keyring.activeKid;
  const seal = (name, context, plain) => b.encryptBound(plain, keyring, context, impl, { iv: fixedIv(impl, name) });
  const unbound = (name, plain) => {
    // An unbound format-1 envelope, sealed as today (no AAD), at a fixed test-vector IV.
    const iv = fixedIv(impl, name);
    const sealed = b.sealAad(impl, keyring.keys.get(kid), iv, Buffer.from(JSON.stringify(plain), 'utf8'), new Uint8Array(0));
    return { __enc: 1, kid, iv: Buffer.from(iv).toString('base64'), ct: Buffer.from(sealed).toString('base64') };
  };
  const cases = [];
  const opens = (name, why, context, envelope, plain, options) => cases.push({
    name, why, context: context === null ? null : (Array.isArray(context) ? context : pairs(context)),
    ...(options ? { options } : {}), envelope,
    ...('ctx' in envelope && context !== null ? { aad_hex: b.toHex(b.contextAad(envelope.kid, context)) } : {}),
    plaintext_json: JSON.stringify(plain),
  });
  const refuses = (name, why, context, envelope, kind, options) => cases.push({
    name, why, context: context === null ? null : (Array.isArray(context) ? context : pairs(context)),
    ...(options ? { options } : {}), envelope, error: b.ERROR_CLASS[kind], kind,
  });

  // Written cases: each opens under its own context.
  // In bound-ts-noble.json (key A, kid v1), the worked example's own IV gives FORMAT.md's envelope.
  const worked = impl === 'noble'
    ? b.encryptBound(WORKED.plaintext, keyring, WORKED.context, impl, { iv: Buffer.from(WORKED.ivHex, 'hex') })
    : seal('worked_example', WORKED.context, WORKED.plaintext);
  opens('worked_example', 'docs/FORMAT.md\'s worked example context and plaintext (in bound-ts-noble.json: its exact envelope)',
    WORKED.context, worked, WORKED.plaintext);
  const oauthB = { type: 'oauth2', provider: 'google', access_token: 'ya29.tenant-B-token', refresh_token: '1//0gTenantB', expires_at: 1764345600000 };
  const envB = seal('record_b', RECORD_B, oauthB);
  opens('record_b', 'another tenant\'s connector (recommended context)', RECORD_B, envB, oauthB);
  const a2 = { apiKey: 'sk_live_tenantA_second' };
  const envA2 = seal('record_a2', RECORD_A2, a2);
  opens('record_a2', 'tenant A\'s second connector', RECORD_A2, envA2, a2);
  const strTenant = [['tenant', 'str:acme-corp'], ['collection', 'connectorinstances'], ['field', 'credentials'], ['id', 'oid:6650f0c2a1b2c3d4e5f6071d']];
  opens('string_tenant', 'a tenant id that is a string: str: + the string', strTenant, seal('string_tenant', strTenant, { token: 't' }), { token: 't' });
  const single = [['id', 'oid:000000000000000000000000']];
  opens('single_pair', 'one pair, the minimum', single, seal('single_pair', single, 'bare string plaintext'), 'bare string plaintext');
  const sixteen = ['z', 'a', 'Z', 'A', '_', '-', '.', '0', '9', 'a.b', 'a-b', 'a_b', 'ab', 'aa', 'B', 'x'.repeat(64)]
    .map((n, i) => [n, `str:${i}`]);
  opens('sixteen_pairs_byte_order', '16 pairs, the maximum, given unsorted: "-" < "." < digits < upper case < "_" < lower case in the AAD',
    sixteen, seal('sixteen_pairs_byte_order', sixteen, [1, 2, 3]), [1, 2, 3]);
  const limits = [['n'.repeat(64), 'é'.repeat(2048)], ['v', 'x'], ['w', '😀'.repeat(1024)], ['y', 'a'.repeat(4096)]];
  opens('limits', 'a 64-character name, values of 1 byte and of exactly 4096 bytes (2- and 4-byte UTF-8)',
    limits, seal('limits', limits, { ok: true }), { ok: true });
  const unicode = [['cjk', '中文\u2028한국어'], ['nfc', 'str:é'], ['nfd', 'str:e\u0301'], ['ctl', '\t\n\u001f\u007f'], ['plane16', '\u{10ffff}']];
  opens('unicode_values', 'values are bytes: CJK, U+2028, NFC and NFD (distinct), controls, U+10FFFF',
    unicode, seal('unicode_values', unicode, { u: '\u00e9' }), { u: '\u00e9' });

  // Reader cases on those envelopes.
  opens('other_order_opens', 'the worked example opened with its context in another order: the same AAD',
    [...WORKED.context].reverse(), worked, WORKED.plaintext);
  refuses('swap_to_other_tenant', 'tenant B\'s envelope copied into tenant A\'s connector: the AAD differs', WORKED.context, envB, 'tag');
  refuses('swap_within_tenant', 'tenant A\'s second connector\'s envelope copied into the first', RECORD_A, envA2, 'tag');
  refuses('swap_to_b', 'the worked example opened under record B\'s context', RECORD_B, worked, 'tag');
  const { ctx: _c, ...stripped } = worked;
  refuses('stripped_ctx', 'ctx removed: read as unbound (no AAD), the tag fails', WORKED.context, stripped, 'tag');
  refuses('stripped_ctx_no_context', 'ctx removed, no context given: the tag fails', null, stripped, 'tag');
  const plainU = { apiKey: 'sk_live_unbound' };
  const envU = unbound('unbound', plainU);
  opens('unbound_no_context', 'an unbound envelope without a context: decrypts, as today', null, envU, plainU);
  opens('unbound_with_context', 'an unbound envelope with a context: decrypts (the transition)', WORKED.context, envU, plainU);
  refuses('unbound_require_context_none', 'requireContext, unbound, no context', null, envU, 'context_required_by_keyring', { requireContext: true });
  refuses('unbound_require_context_given', 'requireContext, unbound, a context', WORKED.context, envU, 'unbound_refused', { requireContext: true });
  opens('bound_require_context', 'requireContext, bound, its context: opens', WORKED.context, worked, WORKED.plaintext, { requireContext: true });
  const added = { ...envU, ctx: [...b.encryptionContext(WORKED.context).names] };
  refuses('added_ctx', 'ctx added to an unbound envelope: the AAD is now used, the tag fails', WORKED.context, added, 'tag');
  refuses('added_ctx_no_context', 'ctx added, no context given', null, added, 'context_required');
  refuses('bound_no_context', 'a bound envelope read without a context', null, worked, 'context_required');
  refuses('bound_no_context_require', 'a bound envelope read without a context, requireContext', null, worked, 'context_required', { requireContext: true });
  const noTenant = WORKED.context.filter(([n]) => n !== 'tenant');
  const editedDrop = { ...worked, ctx: ['collection', 'field', 'id'] };
  refuses('edited_ctx_names_differ', 'ctx edited (tenant dropped), the caller gives the record\'s four names', WORKED.context, editedDrop, 'names_differ');
  refuses('edited_ctx_matching_context', 'ctx edited (tenant dropped) and a caller context without tenant: the tag fails', noTenant, editedDrop, 'tag');
  const renamed = WORKED.context.map(([n, v]) => [n === 'tenant' ? 'workspace' : n, v]);
  refuses('edited_ctx_renamed', 'ctx and context rename tenant to workspace, same value: names are in the AAD',
    renamed, { ...worked, ctx: ['collection', 'field', 'id', 'workspace'] }, 'tag');
  refuses('caller_names_superset', 'the caller gives one name more than ctx', [...WORKED.context, ['extra', 'x']], worked, 'names_differ');
  refuses('caller_names_subset', 'the caller gives one name fewer than ctx', noTenant, worked, 'names_differ');
  refuses('value_nfd_vs_nfc', 'unicode_values opened with nfc given as NFD: values are compared as bytes',
    unicode.map(([n, v]) => [n, n === 'nfc' ? 'str:e\u0301' : v]), cases.find((c) => c.name === 'unicode_values').envelope, 'tag');
  refuses('value_case_differs', 'the worked example with the id in upper-case hex', WORKED.context.map(([n, v]) => [n, n === 'id' ? v.toUpperCase() : v]), worked, 'tag');
  const malformed = [
    ['ctx_empty_array', []], ['ctx_null', null], ['ctx_string', 'collection,field,id,tenant'], ['ctx_object', { tenant: 1 }],
    ['ctx_number', 4], ['ctx_unsorted', ['field', 'collection', 'id', 'tenant']], ['ctx_duplicate', ['collection', 'field', 'id', 'id', 'tenant']],
    ['ctx_bad_name', ['collection', 'field', 'id', 'ten ant']], ['ctx_empty_name', ['', 'collection', 'field', 'id', 'tenant']],
    ['ctx_name_65', ['collection', 'field', 'id', 'n'.repeat(65)]], ['ctx_non_string_name', ['collection', 'field', 'id', 7]],
    ['ctx_17_names', Array.from({ length: 17 }, (_, i) => `n${String(i).padStart(2, '0')}`)],
  ];
  for (const [name, ctx] of malformed) {
    refuses(name, 'a ctx that is not 1-16 valid, sorted, unique names: malformed (before anything else)', WORKED.context, { ...worked, ctx }, 'malformed');
  }
  refuses('ctx_malformed_no_context', 'a malformed ctx without a context: malformed comes first', null, { ...worked, ctx: [] }, 'malformed');
  refuses('kid_unknown', 'kid not in the keyring', WORKED.context, { ...worked, kid: 'v9' }, 'unknown_kid');
  const flip = (b64, i) => { const x = Buffer.from(b64, 'base64'); x[i] ^= 1; return x.toString('base64'); };
  refuses('ct_bit_flipped', 'the first bit of ct flipped', WORKED.context, { ...worked, ct: flip(worked.ct, 0) }, 'tag');
  refuses('tag_bit_flipped', 'the last bit of the tag flipped', WORKED.context, { ...worked, ct: flip(worked.ct, Buffer.from(worked.ct, 'base64').length - 1) }, 'tag');
  refuses('iv_bit_flipped', 'a bit of the IV flipped', WORKED.context, { ...worked, iv: flip(worked.iv, 5) }, 'tag');
  refuses('ct_truncated', 'the last byte of ct removed', WORKED.context, { ...worked, ct: Buffer.from(worked.ct, 'base64').subarray(0, -1).toString('base64') }, 'tag');
  // Contexts the reader must refuse before decrypting (C++: EncryptionContext's constructor throws).
  // Lone surrogates are left out: JSON text holding one is not valid Unicode (bound_test.mjs tests them).
  const invalid = [
    ['context_empty', []], ['context_17_pairs', Array.from({ length: 17 }, (_, i) => [`n${i}`, 'v'])],
    ['context_duplicate_name', [...WORKED.context, ['id', 'oid:6650f0c2a1b2c3d4e5f60719']]],
    ['context_empty_name', [['', 'v']]], ['context_name_65', [['n'.repeat(65), 'v']]], ['context_name_colon', [['a:b', 'v']]],
    ['context_name_non_ascii', [['é', 'v']]], ['context_name_newline', [['id\n', 'v']]],
    ['context_empty_value', [['id', '']]], ['context_value_4097', [['id', 'a'.repeat(4095) + 'é']]],
    ['context_value_nul', [['id', 'oid:\u0000']]],
  ];
  for (const [name, context] of invalid) {
    refuses(name, 'an invalid encryption context: refused before any envelope is read', context, worked, 'invalid_context');
  }
  return cases;
}

// What one case gives when read with `impl`: { text } or { kind }.
function readCase(c, keyring, impl) {
  try {
    return { text: b.openBoundToText(c.envelope, keyring, c.context, impl, c.options ?? {}) };
  } catch (e) {
    if (e instanceof b.BoundError) return { kind: e.kind, message: e.message };
    return { kind: `unexpected ${e.name}`, message: e.message };
  }
}

// Checks one golden file with both back ends; `fail(name, what)` reports. Returns the case count.
export function checkGoldenBoundFile(file, writer, fail) {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const keyring = ts.keyringFromEnv(doc.env);
  const expected = goldenBoundCases(writer);
  const diff = firstDifference(expected, doc.cases);
  if (diff !== null) fail(file, `cases differ from what lib/bound_golden.mjs generates, at ${diff}`);
  const tagError = (e) => e.message === 'aes-gcm: invalid tag' || e.message === 'Unsupported state or unable to authenticate data';
  for (const c of doc.cases) {
    for (const impl of b.IMPLS) {
      const got = readCase(c, keyring, impl);
      if ('error' in c) {
        if (got.kind !== c.kind) fail(c.name, `${impl}: expected ${c.kind}, got ${got.kind ?? 'a plaintext'}`);
        else if (c.kind === 'names_differ' && !(got.message.includes(c.envelope.ctx.join(', ')) &&
          got.message.includes(b.encryptionContext(c.context).names.join(', ')))) fail(c.name, `${impl}: the error does not name both lists`);
        continue;
      }
      if (got.text !== c.plaintext_json) { fail(c.name, `${impl}: ${got.kind ?? 'plaintext bytes differ'} ${got.message ?? ''}`); continue; }
      if (!b.isBound(c.envelope)) continue;
      if (b.toHex(b.contextAad(c.envelope.kid, c.context)) !== c.aad_hex) fail(c.name, `${impl}: aad_hex differs`);
      // Cross-check the writers: sealing the plaintext again at the envelope's IV gives its ct.
      const again = b.sealAad(impl, keyring.keys.get(c.envelope.kid), new Uint8Array(Buffer.from(c.envelope.iv, 'base64')),
        Buffer.from(c.plaintext_json, 'utf8'), b.contextAad(c.envelope.kid, c.context));
      if (Buffer.from(again).toString('base64') !== c.envelope.ct) fail(c.name, `${impl} does not write the same ct as the file's writer`);
      // Format-1-only reader (today's TypeScript): fails closed on the tag; encrypt leaves it unchanged.
      try {
        ts.decryptCredentials(c.envelope, keyring, impl);
        fail(c.name, `${impl} format-1 reader opened a bound envelope`);
      } catch (e) {
        if (!tagError(e)) fail(c.name, `${impl} format-1 reader failed, but not on the tag: ${e.message}`);
      }
      if (ts.encryptCredentials(c.envelope, keyring, impl) !== c.envelope) fail(c.name, `${impl} format-1 encrypt did not return the envelope unchanged`);
    }
  }
  const worked = doc.cases.find((c) => c.name === 'worked_example');
  if (writer === 'noble' && (!worked || JSON.stringify(worked.envelope) !== WORKED.envelope)) {
    fail(file, 'worked_example is not docs/FORMAT.md\'s envelope');
  }
  return doc.cases.length;
}
