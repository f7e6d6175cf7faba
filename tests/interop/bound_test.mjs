#!/usr/bin/env node
// ctest interop.ts_bound_self: the Node peer's bound envelopes (lib/bound.mjs, docs/FORMAT.md "Bound
// envelopes") against themselves, with both back ends: the swap, ctx stripped/added/edited, every bit
// flip and truncation, contexts in another order, every limit, the decrypt table's order, and the
// format-1-only reader (lib/tspackage.mjs, today's TypeScript). Fails (never skips) without node_modules.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';

const here = dirname(new URL(import.meta.url).pathname);
if (!existsSync(join(here, 'node_modules', '@noble', 'ciphers', 'package.json')) ||
    !existsSync(join(here, 'node_modules', 'bson', 'package.json'))) {
  console.error(`bound_test: ${join(here, 'node_modules')} is missing @noble/ciphers or bson; ` +
    `run \`npm ci --prefix ${here}\` first (CI does it in tools/ci/30-interop.sh)`);
  process.exit(2);
}
const b = await import('./lib/bound.mjs');
const ts = await import('./lib/tspackage.mjs');
const bg = await import('./lib/bound_golden.mjs');
const { ObjectId } = await import('bson');

let passed = 0;
let failed = 0;
let assertions = 0;
function t(name, fn) {
  try {
    fn();
    passed++;
  } catch (e) {
    failed++;
    console.error(`FAIL ${name}: ${e.stack ?? e}`);
  }
}
// Asserts fn throws BoundError of `kind` (the message optionally matching `re`).
function throwsKind(fn, kind, re) {
  assertions++;
  assert.throws(fn, (e) => {
    assert.ok(e instanceof b.BoundError, `expected BoundError ${kind}, got ${e}`);
    assert.equal(e.kind, kind, `expected ${kind}, got ${e.kind}: ${e.message}`);
    if (re) assert.match(e.message, re);
    return true;
  });
}
const eq = (a, c, m) => { assertions++; assert.deepEqual(a, c, m); };

const A = bg.KEY_A;
const keyA = new Uint8Array(Buffer.from(A, 'base64'));
const single = ts.keyringFromEnv({ CONNECTOR_CRED_KEY: A });  // kid v1
const rotation = ts.keyringFromEnv(bg.ENVS.node);            // v1: A, v2: B, active v2
const ctxA = bg.WORKED.context;
const ctxB = [['tenant', 'oid:6650f0c2a1b2c3d4e5f6071a'], ['collection', 'connectorinstances'], ['field', 'credentials'], ['id', 'oid:6650f0c2a1b2c3d4e5f6071b']];
const secretA = { apiKey: 'sk_live_tenant_A', n: 1 };
const secretB = { apiKey: 'sk_live_tenant_B', n: 2 };
const tagError = (e) => e.message === 'aes-gcm: invalid tag' || e.message === 'Unsupported state or unable to authenticate data';

t('worked example: both back ends give FORMAT.md\'s pinned bytes', () => {
  for (const impl of b.IMPLS) {
    const w = bg.computeWorked(impl);
    eq(JSON.stringify(w.envelope), bg.WORKED.envelope, impl);
    eq(b.toHex(w.aad), bg.WORKED.aadHex, impl);
    eq(w.aad.length, 173);
    eq(b.decryptBound(JSON.parse(bg.WORKED.envelope), single, ctxA, impl), bg.WORKED.plaintext);
  }
});

t('docs/FORMAT.md holds the worked example verbatim', () => {
  const doc = readFileSync(join(here, '..', '..', 'docs', 'FORMAT.md'), 'utf8');
  assertions++;
  assert.ok(doc.includes(bg.workedExampleMarkdown()), 'FORMAT.md lacks the output of `node tests/interop/peer.mjs worked-example`');
  assert.ok(doc.includes(bg.WORKED.envelope));
});

t('AAD layout: label, 0x00, length-prefixed kid, count, length-prefixed sorted pairs', () => {
  const aad = Buffer.from(b.contextAad('k', [['b', 'yz'], ['a', 'x']]));
  const want = Buffer.concat([Buffer.from('connector-crypto/ctx/1'), Buffer.from([0]), Buffer.from([0, 0, 0, 1]), Buffer.from('k'),
    Buffer.from([0, 0, 0, 2]), Buffer.from([0, 0, 0, 1]), Buffer.from('a'), Buffer.from([0, 0, 0, 1]), Buffer.from('x'),
    Buffer.from([0, 0, 0, 1]), Buffer.from('b'), Buffer.from([0, 0, 0, 2]), Buffer.from('yz')]);
  eq(aad.toString('hex'), want.toString('hex'));
  eq(Buffer.from('connector-crypto/ctx/1').length, 22);
  // Length prefixes keep boundaries: moving a byte between name and value changes the AAD.
  assert.notDeepEqual(b.contextAad('k', [['ab', 'c']]), b.contextAad('k', [['a', 'bc']]));
  assert.notDeepEqual(b.contextAad('k1', [['a', 'b']]), b.contextAad('k', [['1a', 'b']]));
  // Multi-byte values are counted in bytes.
  eq(Buffer.from(b.contextAad('k', [['a', 'é']])).subarray(-6).toString('hex'), '00000002c3a9');
});

t('a context in another order, as a Map or an object: the same AAD, and it opens', () => {
  const ref = b.toHex(b.contextAad('v1', ctxA));
  const forms = [[...ctxA].reverse(), [ctxA[2], ctxA[0], ctxA[3], ctxA[1]], new Map(ctxA), Object.fromEntries([...ctxA].reverse())];
  for (const impl of b.IMPLS) {
    const env = b.encryptBound(secretA, single, ctxA, impl);
    for (const f of forms) {
      eq(b.toHex(b.contextAad('v1', f)), ref);
      eq(b.decryptBound(env, single, f, impl), secretA);
    }
  }
});

t('both back ends read each other\'s bound envelopes (random IVs from the CSPRNG)', () => {
  for (const w of b.IMPLS) {
    const e1 = b.encryptBound(secretA, rotation, ctxA, w);
    const e2 = b.encryptBound(secretA, rotation, ctxA, w);
    assertions++;
    assert.notEqual(e1.iv, e2.iv, 'two encryptions share an IV');
    eq(Object.keys(e1), ['__enc', 'kid', 'iv', 'ct', 'ctx']);
    eq(e1.kid, 'v2');
    eq(e1.ctx, ['collection', 'field', 'id', 'tenant']);
    eq(Buffer.from(e1.iv, 'base64').length, 12);
    eq(Buffer.from(e1.ct, 'base64').length, JSON.stringify(secretA).length + 16);
    for (const r of b.IMPLS) eq(b.decryptBound(e1, rotation, ctxA, r), secretA, `${w} -> ${r}`);
  }
});

t('the swap: A\'s envelope under B\'s context (and the reverse) fails the tag', () => {
  for (const w of b.IMPLS) {
    const envA = b.encryptBound(secretA, single, ctxA, w);
    const envB = b.encryptBound(secretB, single, ctxB, w);
    for (const r of b.IMPLS) {
      throwsKind(() => b.decryptBound(envA, single, ctxB, r), 'tag', /another record/);
      throwsKind(() => b.decryptBound(envB, single, ctxA, r), 'tag');
      // One value changed (the id only, the tenant only, one byte of it): still fails.
      throwsKind(() => b.decryptBound(envA, single, ctxA.map(([n, v]) => [n, n === 'id' ? ctxB[3][1] : v]), r), 'tag');
      throwsKind(() => b.decryptBound(envA, single, ctxA.map(([n, v]) => [n, n === 'tenant' ? ctxB[0][1] : v]), r), 'tag');
      throwsKind(() => b.decryptBound(envA, single, ctxA.map(([n, v]) => [n, n === 'field' ? 'credentials2' : v]), r), 'tag');
    }
  }
});

t('ctx stripped, added or edited: fails (tag, names differ, or context required)', () => {
  for (const impl of b.IMPLS) {
    const env = b.encryptBound(secretA, single, ctxA, impl);
    const { ctx, ...stripped } = env;
    throwsKind(() => b.decryptBound(stripped, single, ctxA, impl), 'tag');
    throwsKind(() => b.decryptBound(stripped, single, null, impl), 'tag');
    const unbound = ts.encryptCredentials(secretA, single, impl);
    eq(b.decryptBound(unbound, single, ctxA, impl), secretA);  // the transition
    const added = { ...unbound, ctx: [...ctx] };
    throwsKind(() => b.decryptBound(added, single, ctxA, impl), 'tag');
    throwsKind(() => b.decryptBound(added, single, undefined, impl), 'context_required', /\[collection, field, id, tenant\]/);
    const dropped = { ...env, ctx: ['collection', 'field', 'id'] };
    throwsKind(() => b.decryptBound(dropped, single, ctxA, impl), 'names_differ',
      /bound to \[collection, field, id\], the caller gave \[collection, field, id, tenant\]/);
    throwsKind(() => b.decryptBound(dropped, single, ctxA.filter(([n]) => n !== 'tenant'), impl), 'tag');
    const renamed = { ...env, ctx: ['collection', 'field', 'id', 'workspace'] };
    throwsKind(() => b.decryptBound(renamed, single, ctxA.map(([n, v]) => [n === 'tenant' ? 'workspace' : n, v]), impl), 'tag');
    throwsKind(() => b.decryptBound(env, single, [...ctxA, ['extra', 'x']], impl), 'names_differ');
  }
});

t('every bit flip of ct and iv, and every truncation of ct, fails', () => {
  for (const impl of b.IMPLS) {
    const env = b.encryptBound({ k: 'v' }, single, ctxA, impl);
    const ct = Buffer.from(env.ct, 'base64');
    for (let bit = 0; bit < ct.length * 8; bit++) {
      const x = Buffer.from(ct);
      x[bit >> 3] ^= 1 << (bit & 7);
      throwsKind(() => b.decryptBound({ ...env, ct: x.toString('base64') }, single, ctxA, impl), 'tag');
    }
    const iv = Buffer.from(env.iv, 'base64');
    for (let bit = 0; bit < 96; bit++) {
      const x = Buffer.from(iv);
      x[bit >> 3] ^= 1 << (bit & 7);
      throwsKind(() => b.decryptBound({ ...env, iv: x.toString('base64') }, single, ctxA, impl), 'tag');
    }
    for (let n = 0; n < ct.length; n++) {
      throwsKind(() => b.decryptBound({ ...env, ct: ct.subarray(0, n).toString('base64') }, single, ctxA, impl), n < 16 ? 'malformed' : 'tag');
    }
    // Truncations of the base64 text. Read leniently, as the package does (assumption A2), a text
    // without its '=' padding decodes to the same bytes and opens (the C++ reader is strict and
    // refuses it); every other truncation loses bytes and fails.
    let samebytes = 0;
    for (let n = 0; n < env.ct.length; n++) {
      const cut = { ...env, ct: env.ct.slice(0, n) };
      assertions++;
      if (Buffer.from(cut.ct, 'base64').equals(ct)) {
        samebytes++;
        assert.ok(/^=+$/.test(env.ct.slice(n)), `truncation at ${n} decodes to the same bytes`);
        eq(b.decryptBound(cut, single, ctxA, impl), { k: 'v' });
      } else {
        assert.throws(() => b.decryptBound(cut, single, ctxA, impl), b.BoundError, `truncation at ${n}`);
      }
    }
    assertions++;
    assert.ok(samebytes <= 2);
    for (let n = 0; n < env.iv.length; n++) throwsKind(() => b.decryptBound({ ...env, iv: env.iv.slice(0, n) }, single, ctxA, impl), 'malformed');
  }
});

t('the kid is authenticated: the same key under another kid fails the tag', () => {
  const twoKids = { keys: new Map([['v1', keyA], ['v1b', keyA]]), activeKid: 'v1' };
  for (const impl of b.IMPLS) {
    const env = b.encryptBound(secretA, twoKids, ctxA, impl);
    throwsKind(() => b.decryptBound({ ...env, kid: 'v1b' }, twoKids, ctxA, impl), 'tag');
    throwsKind(() => b.decryptBound({ ...env, kid: 'v9' }, twoKids, ctxA, impl), 'unknown_kid');
  }
});

t('encryption context: names at and beyond every limit', () => {
  const ok = (name) => eq(b.encryptionContext([[name, 'v']]).names, [name]);
  const bad = (name) => throwsKind(() => b.encryptionContext([[name, 'v']]), 'invalid_context');
  ok('a'); ok('n'.repeat(64)); ok('A-Z_a.z-0_9'); ok('-'); ok('.'); ok('_'); ok('0');
  bad(''); bad('n'.repeat(65)); bad('a b'); bad('a/b'); bad('a:b'); bad('a=b'); bad('é'); bad('id\n'); bad('\nid'); bad('id\u0000');
  bad('a\u{1f600}'); bad('İ'); bad(7); bad(null); bad(undefined); bad(new String('id'));
  throwsKind(() => b.encryptionContext([['id', 'a'], ['id', 'b']]), 'invalid_context', /given twice/);
  throwsKind(() => b.encryptionContext([['id', 'a'], ['x', 'b'], ['id', 'a']]), 'invalid_context', /given twice/);
  eq(b.encryptionContext([['b', '1'], ['B', '2'], ['_', '3'], ['-', '4'], ['9', '5'], ['.', '6']]).names, ['-', '.', '9', 'B', '_', 'b']);
});

t('encryption context: values at and beyond every limit', () => {
  const ok = (v) => eq(b.encryptionContext([['v', v]]).pairs[0][1], v);
  const bad = (v, re) => throwsKind(() => b.encryptionContext([['v', v]]), 'invalid_context', re);
  ok('x'); ok('a'.repeat(4096)); ok('é'.repeat(2048)); ok('中'.repeat(1365) + 'a'); ok('😀'.repeat(1024)); ok('\ud83d\ude00');
  ok(' '); ok('\t\n\u001f\u007f\u2028\ufeff\uffff'); ok('\u{10ffff}');
  bad('', /0 bytes/); bad('a'.repeat(4097), /4097 bytes/); bad('a'.repeat(4095) + 'é', /4097 bytes/); bad('😀'.repeat(1024) + 'a');
  bad('\u0000', /NUL/); bad('oid:\u0000abc', /NUL/); bad(5); bad(null); bad(undefined); bad(Buffer.from('x')); bad({ toString: () => 'x' });
  // Lone surrogates are refused explicitly: TextEncoder would silently encode them as U+FFFD.
  eq(Buffer.from(new TextEncoder().encode('\ud800')).toString('hex'), 'efbfbd');
  for (const v of ['\ud800', '\udc00', 'a\udbffb', 'x\udfff', '\udc00\ud800', '\ud83d', '\ude00a', 'ok\ud83d\ude00\ud83d']) {
    bad(v, /lone UTF-16 surrogate/);
  }
  // The error never quotes the value.
  assertions++;
  assert.throws(() => b.encryptionContext([['v', 'secret-id\u0000']]), (e) => !e.message.includes('secret-id'));
});

t('encryption context: 1 to 16 pairs, and only pairs', () => {
  const n = (k) => Array.from({ length: k }, (_, i) => [`n${i}`, 'v']);
  eq(b.encryptionContext(n(1)).names.length, 1);
  eq(b.encryptionContext(n(16)).names.length, 16);
  throwsKind(() => b.encryptionContext(n(0)), 'invalid_context', /0 pairs/);
  throwsKind(() => b.encryptionContext(n(17)), 'invalid_context', /17 pairs/);
  throwsKind(() => b.encryptionContext({}), 'invalid_context');
  throwsKind(() => b.encryptionContext(new Map()), 'invalid_context');
  for (const x of [null, undefined, 'id=1', 5, [['id']], [['id', 'v', 'w']], ['id'], new Set([['a', 'b']])]) {
    throwsKind(() => b.encryptionContext(x), 'invalid_context');
  }
  const c = b.encryptionContext(n(2));
  assertions++;
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.pairs) && Object.isFrozen(c.names));
  // A look-alike object is revalidated, not trusted.
  throwsKind(() => b.contextAad('v1', { pairs: [['bad name', 'v']], names: ['bad name'] }), 'invalid_context');
});

t('stored ctx: 1-16 valid, sorted, unique names, else malformed (before anything else)', () => {
  const env = JSON.parse(bg.WORKED.envelope);
  const names16 = Array.from({ length: 16 }, (_, i) => `n${String(i).padStart(2, '0')}`);
  const ctx16 = names16.map((nm) => [nm, 'v']);
  for (const impl of b.IMPLS) {
    const e16 = b.encryptBound(secretA, single, ctx16, impl);
    eq(e16.ctx, names16);
    eq(b.decryptBound(e16, single, ctx16, impl), secretA);
    const e64 = b.encryptBound(secretA, single, [['n'.repeat(64), 'v']], impl);
    eq(b.decryptBound(e64, single, [['n'.repeat(64), 'v']], impl), secretA);
    const bad = [[], null, 'tenant', 4, true, {}, { 0: 'id', length: 1 }, [null], [''], ['n'.repeat(65)], ['a b'], ['b', 'a'],
      ['a', 'a'], ['collection', 'field', 'id', 'tenant', 'tenant'], [...names16, 'n16'], [['id']], ['id\n']];
    for (const ctx of bad) {
      throwsKind(() => b.decryptBound({ ...env, ctx }, single, ctxA, impl), 'malformed');
      throwsKind(() => b.decryptBound({ ...env, ctx }, single, null, impl), 'malformed');
      throwsKind(() => b.decryptBound({ ...env, ctx, kid: 'v9' }, single, ctxA, impl), 'malformed');
    }
  }
});

t('the decrypt table, row by row and in its order', () => {
  const env = JSON.parse(bg.WORKED.envelope);
  for (const impl of b.IMPLS) {
    const unbound = ts.encryptCredentials(secretA, single, impl);
    // bound, no context: context required, even with an unknown kid.
    throwsKind(() => b.decryptBound(env, single, null, impl), 'context_required');
    throwsKind(() => b.decryptBound({ ...env, kid: 'v9' }, single, undefined, impl), 'context_required');
    throwsKind(() => b.decryptBound(env, single, null, impl, { requireContext: true }), 'context_required');
    // requireContext and an unbound envelope.
    throwsKind(() => b.decryptBound(unbound, single, null, impl, { requireContext: true }), 'context_required_by_keyring');
    throwsKind(() => b.decryptBound(unbound, single, ctxA, impl, { requireContext: true }), 'unbound_refused');
    eq(b.decryptBound(env, single, ctxA, impl, { requireContext: true }), bg.WORKED.plaintext);
    // unknown kid before names differ; names differ before the tag.
    throwsKind(() => b.decryptBound({ ...env, kid: 'v9' }, single, ctxB.slice(1), impl), 'unknown_kid');
    throwsKind(() => b.decryptBound(env, single, ctxA.slice(1), impl), 'names_differ');
    // unbound, with or without a context, no requireContext: decrypts.
    eq(b.decryptBound(unbound, single, ctxA, impl), secretA);
    eq(b.decryptBound(unbound, single, null, impl), secretA);
    // null and plaintext pass through, context or not.
    eq(b.decryptBound(null, single, ctxA, impl), null);
    eq(b.decryptBound({ user: 'u', password: 'p' }, single, ctxA, impl), { user: 'u', password: 'p' });
    eq(b.decryptBound('legacy', single, null, impl, { requireContext: true }), 'legacy');
    // An invalid caller context is refused before anything else.
    throwsKind(() => b.decryptBound(env, single, [['bad name', 'v']], impl), 'invalid_context');
  }
});

t('encrypt of an existing envelope with a context never re-seals and never binds', () => {
  for (const impl of b.IMPLS) {
    const env = b.encryptBound(secretA, single, ctxA, impl);
    assertions++;
    assert.equal(b.encryptBound(env, single, [...ctxA].reverse(), impl), env);
    throwsKind(() => b.encryptBound(env, single, ctxB, impl), 'tag');           // another record's envelope
    throwsKind(() => b.encryptBound(env, single, ctxA.slice(1), impl), 'names_differ');
    throwsKind(() => b.encryptBound({ ...env, ctx: [] }, single, ctxA, impl), 'malformed');
    const unbound = ts.encryptCredentials(secretA, single, impl);
    assertions++;
    assert.equal(b.encryptBound(unbound, single, ctxA, impl), unbound);
    eq(b.encryptBound(null, single, ctxA, impl), null);
    throwsKind(() => b.encryptBound(secretA, single, [], impl), 'invalid_context');
    eq(b.encryptBound(null, single, undefined, impl), null);
    throwsKind(() => b.encryptBound(secretA, single, undefined, impl), 'context_required');
    throwsKind(() => b.encryptBound(unbound, single, null, impl), 'context_required');
    throwsKind(() => b.encryptBound(null, single, [['bad name', 'v']], impl), 'invalid_context');
  }
});

t('format-1-only mode (today\'s TypeScript): fails closed on the tag, never double-wraps', () => {
  for (const w of b.IMPLS) {
    const env = b.encryptBound(secretA, rotation, ctxA, w);
    for (const r of b.IMPLS) {
      eq(ts.isEncrypted(env), true);
      assertions++;
      assert.throws(() => ts.decryptCredentials(env, rotation, r), (e) => tagError(e), `${r} format-1 reader`);
      const again = ts.encryptCredentials(env, rotation, r);
      assertions++;
      assert.equal(again, env);
      eq(JSON.stringify(again), JSON.stringify(env));
    }
  }
  // And the worked example, which a C++ 0.2 reader also refuses on the tag.
  for (const r of b.IMPLS) {
    assertions++;
    assert.throws(() => ts.decryptCredentials(JSON.parse(bg.WORKED.envelope), single, r), (e) => tagError(e));
  }
});

t('typed values and the recommended context', () => {
  const oid = new ObjectId('6650F0C2A1B2C3D4E5F60718');
  eq(b.typedValue(oid), 'oid:6650f0c2a1b2c3d4e5f60718');
  eq(b.typedValue('acme'), 'str:acme');
  eq(b.typedValue('6650f0c2a1b2c3d4e5f60718'), 'str:6650f0c2a1b2c3d4e5f60718');  // a hex string is a string
  for (const x of [5, null, undefined, true, new Date(0), { $oid: '6650f0c2a1b2c3d4e5f60718' }, Buffer.alloc(12)]) {
    throwsKind(() => b.typedValue(x), 'invalid_context');
  }
  const c = b.credentialsContext({ tenant: new ObjectId('6650f0c2a1b2c3d4e5f60718'), id: new ObjectId('6650f0c2a1b2c3d4e5f60719') });
  eq(c.pairs.map((p) => [...p]), [['collection', 'connectorinstances'], ['field', 'credentials'],
    ['id', 'oid:6650f0c2a1b2c3d4e5f60719'], ['tenant', 'oid:6650f0c2a1b2c3d4e5f60718']]);
  eq(b.toHex(b.contextAad('v1', c)), bg.WORKED.aadHex);
});

console.log(`bound_test: ${passed} passed, ${failed} failed, ${assertions} assertions`);
if (failed > 0 || passed < 17 || assertions < 1000) {
  if (failed === 0) console.error('bound_test: fewer checks ran than expected');
  process.exit(1);
}
