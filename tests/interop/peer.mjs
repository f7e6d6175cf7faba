#!/usr/bin/env node
// The Node interop peer: encrypts the corpus exactly as @octaviaflow/connector-crypto does (with
// @noble/ciphers and with node:crypto) and checks envelopes the C++ library wrote. Keys come from the
// package's env vars. Usage: see usage() below and docs/FORMAT.md, "How this is tested".
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const here = dirname(new URL(import.meta.url).pathname);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`interop peer: node ${process.version} is too old; @noble/ciphers 2.x needs >= 20.19`);
  process.exit(2);
}
if (!existsSync(join(here, 'node_modules', '@noble', 'ciphers', 'package.json'))) {
  console.error(`interop peer: ${join(here, 'node_modules')} is missing @noble/ciphers; ` +
    `run \`npm ci --prefix ${here}\` first (CI does it in tools/ci/30-interop.sh)`);
  process.exit(2);
}
const ts = await import('./lib/tspackage.mjs');
const { corpus, invalidCorpus } = await import('./lib/corpus.mjs');
const { firstDifference } = await import('./lib/equal.mjs');

function usage() {
  console.error(`usage:
  peer.mjs encrypt --impl noble|node --out FILE      encrypt the whole corpus under the env keyring
  peer.mjs check --in FILE [--order kept]            decrypt C++ envelopes (both impls), compare with the corpus;
                                                     kept: members in the TypeScript writer's and the corpus order
  peer.mjs golden --out-dir DIR                      write the Node golden vectors ts-noble.json, ts-node.json
  peer.mjs check-golden --dir DIR                    check every golden file in DIR (cpp.json, ts-*.json)
  peer.mjs golden-bound --out-dir DIR                write the bound golden vectors bound-ts-noble.json, bound-ts-node.json
  peer.mjs check-golden-bound --dir DIR              check both bound golden files with both back ends
  peer.mjs worked-example                            print docs/FORMAT.md's bound worked example (markdown)
  peer.mjs encrypt-bound --impl noble|node --out FILE  encrypt the corpus into bound envelopes, each under its case's context
  peer.mjs check-bound --in FILE                     check bound envelopes (both impls): shape, corpus values, swaps, format-1 reader`);
  process.exit(2);
}

function args(argv) {
  const out = { _: argv[0] };
  for (let i = 1; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) usage();
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

const nobleVersion = JSON.parse(readFileSync(join(here, 'node_modules/@noble/ciphers/package.json'), 'utf8')).version;
const generator = (impl) => ({
  impl: impl === 'noble' ? `@noble/ciphers ${nobleVersion} gcm` : 'node:crypto createCipheriv aes-256-gcm',
  node: process.version,
});

// One case per line, so the golden files diff well and deep values do not indent.
function writeCases(file, header, cases) {
  const head = JSON.stringify(header).slice(0, -1);
  const body = cases.map((c) => JSON.stringify(c)).join(',\n');
  writeFileSync(file, `${head},"cases":[\n${body}\n]}\n`);
}

let failures = 0;
function fail(name, what) {
  failures++;
  console.error(`FAIL ${name}: ${what}`);
}

// Checks that the C++ library wrote the strictest form of the envelope (what every reader accepts).
const canonicalBase64 = (s) => typeof s === 'string' && s.length % 4 === 0 &&
  /^[A-Za-z0-9+/]*={0,2}$/.test(s) && Buffer.from(s, 'base64').toString('base64') === s;
function checkStrictShape(name, e) {
  const keys = Object.keys(e ?? {}).sort().join(',');
  if (keys !== '__enc,ct,iv,kid') return fail(name, `envelope members are ${keys}`);
  if (e.__enc !== 1) return fail(name, `__enc is ${JSON.stringify(e.__enc)}`);
  if (typeof e.kid !== 'string' || e.kid.length === 0) return fail(name, 'kid is not a non-empty string');
  if (!canonicalBase64(e.iv) || Buffer.from(e.iv, 'base64').length !== 12) return fail(name, 'iv is not canonical base64 of 12 bytes');
  if (!canonicalBase64(e.ct) || Buffer.from(e.ct, 'base64').length < 16) return fail(name, 'ct is not canonical base64 of >= 16 bytes');
}

// Values the C++ side writes that JavaScript cannot hold exactly: documented precision loss.
const CPP_ONLY = {
  precision_beyond_2_53: {
    expect: { n: 9007199254740992, neg: -9007199254740992, u64max: 18446744073709552000 },
    textContains: ['9007199254740993', '-9007199254740993', '18446744073709551615'],
  },
};

// Decrypts every envelope with both back ends and compares with the in-memory corpus; requires
// every corpus case to be present (the golden files leave out the large payloads). With
// orderKept, envelopes must list their members as the TypeScript writer does (__enc, kid, iv, ct)
// and plaintext objects their members in the corpus order (JSON.stringify of two equal values
// differs only in that order; JavaScript puts integer-like keys first on both sides).
function checkEnvelopes(file, { large = true, orderKept = false } = {}) {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const keyring = ts.keyringFromEnv(doc.env ?? process.env);
  const expected = new Map(corpus({ large }).map((c) => [c.name, c.value]));
  const seen = new Set();
  const ivs = new Set();
  for (const c of doc.cases) {
    seen.add(c.name);
    checkStrictShape(c.name, c.envelope);
    const members = Object.keys(c.envelope ?? {}).join(',');
    if (orderKept && members !== '__enc,kid,iv,ct') fail(c.name, `envelope members in the order ${members}`);
    if (ivs.has(c.envelope.iv)) fail(c.name, 'IV reused');
    ivs.add(c.envelope.iv);
    if (c.error) continue;  // Node-written golden cases C++ must reject: checked by test_golden.cpp
    const special = CPP_ONLY[c.name];
    let want;
    if (special) want = special.expect;
    else if (expected.has(c.name)) want = expected.get(c.name);
    else { fail(c.name, 'not a corpus case'); continue; }
    for (const impl of ts.IMPLS) {
      let got;
      try {
        got = ts.decryptCredentials(c.envelope, keyring, impl);
      } catch (e) {
        fail(c.name, `${impl} decrypt threw ${e.message}`);
        continue;
      }
      const diff = firstDifference(want, got);
      if (diff !== null) fail(c.name, `${impl}: decrypted value differs at ${diff}`);
      else if (orderKept && JSON.stringify(got) !== JSON.stringify(want)) fail(c.name, `${impl}: members not in the corpus order`);
      if ('value' in c && firstDifference(c.value, got) !== null) fail(c.name, `${impl}: differs from the file's value`);
      const text = ts.openToText(c.envelope, keyring, impl);
      if ('plaintext_json' in c && text !== c.plaintext_json) fail(c.name, `${impl}: plaintext bytes differ from plaintext_json`);
      for (const s of special?.textContains ?? []) {
        if (!text.includes(s)) fail(c.name, `plaintext text lacks ${s}`);
      }
    }
  }
  for (const name of expected.keys()) if (!seen.has(name)) fail(name, `missing from ${file}`);
  return doc.cases.length;
}

// Bound envelopes (issue 11): the context of corpus case `name` in the live interop files.
const boundContext = (name) => [['tenant', 'str:interop'], ['collection', 'connectorinstances'], ['field', 'credentials'], ['id', `str:${name}`]];

// Like checkEnvelopes, for bound envelopes: every case decrypts under its own `context` with both back
// ends and equals the corpus; the writer's shape is strict (five members, canonical base64, `ctx` the
// sorted names of `context`); under another case's context, without a context, and through the
// format-1-only reader (today's TypeScript) it fails as docs/FORMAT.md says.
async function checkBoundEnvelopes(file) {
  const b = await import('./lib/bound.mjs');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const keyring = ts.keyringFromEnv(doc.env ?? process.env);
  const expected = new Map(corpus().map((c) => [c.name, c.value]));
  const seen = new Set();
  const ivs = new Set();
  const tagError = (e) => e.message === 'aes-gcm: invalid tag' || e.message === 'Unsupported state or unable to authenticate data';
  doc.cases.forEach((c, i) => {
    seen.add(c.name);
    const e = c.envelope ?? {};
    const keys = Object.keys(e).sort().join(',');
    if (keys !== '__enc,ct,ctx,iv,kid') return fail(c.name, `bound envelope members are ${keys}`);
    const { ctx, ...unbound } = e;
    checkStrictShape(c.name, unbound);
    let context;
    try {
      context = b.encryptionContext(c.context);
    } catch (err) {
      return fail(c.name, `context: ${err.message}`);
    }
    if (JSON.stringify(ctx) !== JSON.stringify(context.names)) return fail(c.name, `ctx ${JSON.stringify(ctx)} is not the sorted names of the context`);
    if (ivs.has(e.iv)) fail(c.name, 'IV reused');
    ivs.add(e.iv);
    if (c.error) return;  // lone surrogates: C++ must refuse the plaintext (DecryptError)
    const special = CPP_ONLY[c.name];
    const want = special ? special.expect : expected.get(c.name);
    if (!special && !expected.has(c.name)) return fail(c.name, 'not a corpus case');
    const other = doc.cases[(i + 1) % doc.cases.length].context;
    for (const impl of ts.IMPLS) {
      try {
        const diff = firstDifference(want, b.decryptBound(e, keyring, c.context, impl));
        if (diff !== null) fail(c.name, `${impl}: decrypted value differs at ${diff}`);
        if ('plaintext_json' in c && b.openBoundToText(e, keyring, [...c.context].reverse(), impl) !== c.plaintext_json) {
          fail(c.name, `${impl}: plaintext bytes differ from plaintext_json`);
        }
      } catch (err) {
        fail(c.name, `${impl} decrypt threw ${err.message}`);
        continue;
      }
      const expectKind = (what, fn, kind) => {
        try {
          fn();
          fail(c.name, `${impl}: ${what} opened`);
        } catch (err) {
          if (err.kind !== kind) fail(c.name, `${impl}: ${what} gave ${err.kind ?? err.message}, not ${kind}`);
        }
      };
      expectKind('under the next case\'s context', () => b.decryptBound(e, keyring, other, impl), 'tag');
      expectKind('without a context', () => b.decryptBound(e, keyring, null, impl), 'context_required');
      expectKind('with ctx stripped', () => b.decryptBound(unbound, keyring, c.context, impl), 'tag');
      try {
        ts.decryptCredentials(e, keyring, impl);
        fail(c.name, `${impl}: the format-1 reader opened a bound envelope`);
      } catch (err) {
        if (!tagError(err)) fail(c.name, `${impl}: the format-1 reader failed, but not on the tag: ${err.message}`);
      }
      // Unchanged: the same object back, its members and values as they were (nothing re-sealed in place).
      const before = JSON.stringify(e);
      if (ts.encryptCredentials(e, keyring, impl) !== e || JSON.stringify(e) !== before) {
        fail(c.name, `${impl}: format-1 encrypt did not return the envelope unchanged`);
      }
    }
  });
  for (const name of expected.keys()) if (!seen.has(name)) fail(name, `missing from ${file}`);
  return doc.cases.length;
}

const a = args(process.argv.slice(2));
switch (a._) {
  case 'encrypt': {
    if (!ts.IMPLS.includes(a.impl) || !a.out) usage();
    const keyring = ts.keyringFromEnv();
    const cases = corpus().map(({ name, value }) => ({ name, value, envelope: ts.encryptCredentials(value, keyring, a.impl) }));
    for (const { name, error, value } of invalidCorpus()) {
      cases.push({ name, error, envelope: ts.encryptCredentials(value, keyring, a.impl) });
    }
    // null passes through unencrypted (assumption A5), as in the C++ library.
    if (ts.encryptCredentials(null, keyring, a.impl) !== null) fail('null', 'encrypt(null) is not null');
    mkdirSync(dirname(a.out), { recursive: true });
    writeCases(a.out, { generator: generator(a.impl) }, cases);
    console.log(`peer: ${a.impl} wrote ${cases.length} envelopes to ${a.out}`);
    break;
  }
  case 'check': {
    if (!a.in || ![undefined, 'kept'].includes(a.order)) usage();
    const n = checkEnvelopes(a.in, { orderKept: a.order === 'kept' });
    console.log(`peer: checked ${n} envelopes of ${a.in} with ${ts.IMPLS.join(' and ')}`);
    break;
  }
  case 'golden': {
    if (!a['out-dir']) usage();
    const A = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
    const B = 'QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=';
    const envs = {
      noble: { CONNECTOR_CRED_KEY: A },
      node: { CONNECTOR_CRED_KEYS: JSON.stringify({ v1: A, v2: B }), CONNECTOR_CRED_ACTIVE_KID: 'v2' },
    };
    mkdirSync(a['out-dir'], { recursive: true });
    for (const impl of ts.IMPLS) {
      const keyring = ts.keyringFromEnv(envs[impl]);
      const cases = corpus({ large: false }).map(({ name, value }) =>
        ({ name, plaintext_json: JSON.stringify(value), envelope: ts.encryptCredentials(value, keyring, impl) }));
      for (const { name, error, value } of invalidCorpus()) {
        cases.push({ name, error, plaintext_json: JSON.stringify(value), envelope: ts.encryptCredentials(value, keyring, impl) });
      }
      const file = join(a['out-dir'], `ts-${impl}.json`);
      writeCases(file, { description: 'Envelopes written by the Node peer (tests/interop/peer.mjs golden); see README.md',
        generator: generator(impl), env: envs[impl] }, cases);
      console.log(`peer: wrote ${cases.length} golden envelopes to ${file}`);
    }
    break;
  }
  case 'check-golden': {
    if (!a.dir) usage();
    for (const f of ['cpp.json', 'ts-noble.json', 'ts-node.json']) {
      const n = checkEnvelopes(join(a.dir, f), { large: false });
      console.log(`peer: checked ${n} golden envelopes of ${f}`);
    }
    break;
  }
  case 'golden-bound': {
    // Bound envelopes (issue 11): fixed test-vector IVs, so the files are reproducible (lib/bound_golden.mjs).
    if (!a['out-dir']) usage();
    const bg = await import('./lib/bound_golden.mjs');
    mkdirSync(a['out-dir'], { recursive: true });
    for (const impl of ts.IMPLS) {
      const cases = bg.goldenBoundCases(impl);
      const file = join(a['out-dir'], bg.FILES[impl]);
      writeCases(file, { description: 'Bound envelopes written by the Node peer (tests/interop/peer.mjs golden-bound); see README.md',
        generator: generator(impl), iv: 'FIXED TEST-VECTOR IVs (SHA-256 of a label, and the worked example\'s): a real writer takes a random IV',
        env: bg.ENVS[impl] }, cases);
      console.log(`peer: wrote ${cases.length} bound golden cases to ${file}`);
    }
    break;
  }
  case 'check-golden-bound': {
    if (!a.dir) usage();
    const bg = await import('./lib/bound_golden.mjs');
    for (const impl of ts.IMPLS) {
      const n = bg.checkGoldenBoundFile(join(a.dir, bg.FILES[impl]), impl, fail);
      console.log(`peer: checked ${n} bound golden cases of ${bg.FILES[impl]} with ${ts.IMPLS.join(' and ')}`);
    }
    break;
  }
  case 'encrypt-bound': {
    if (!ts.IMPLS.includes(a.impl) || !a.out) usage();
    const b = await import('./lib/bound.mjs');
    const keyring = ts.keyringFromEnv();
    const cases = corpus().map(({ name, value }) =>
      ({ name, context: boundContext(name), value, envelope: b.encryptBound(value, keyring, boundContext(name), a.impl) }));
    for (const { name, error, value } of invalidCorpus()) {
      cases.push({ name, error, context: boundContext(name), envelope: b.encryptBound(value, keyring, boundContext(name), a.impl) });
    }
    mkdirSync(dirname(a.out), { recursive: true });
    writeCases(a.out, { generator: generator(a.impl) }, cases);
    console.log(`peer: ${a.impl} wrote ${cases.length} bound envelopes to ${a.out}`);
    break;
  }
  case 'check-bound': {
    if (!a.in) usage();
    const n = await checkBoundEnvelopes(a.in);
    console.log(`peer: checked ${n} bound envelopes of ${a.in} with ${ts.IMPLS.join(' and ')}`);
    break;
  }
  case 'worked-example': {
    const bg = await import('./lib/bound_golden.mjs');
    const md = bg.workedExampleMarkdown();
    for (const impl of ts.IMPLS) {
      const w = bg.computeWorked(impl);
      if (JSON.stringify(w.envelope) !== bg.WORKED.envelope) fail('worked_example', `${impl} gives ${JSON.stringify(w.envelope)}`);
      if (Buffer.from(w.aad).toString('hex') !== bg.WORKED.aadHex) fail('worked_example', `${impl}: the AAD differs from the pinned hex`);
    }
    console.log(md);
    break;
  }
  default:
    usage();
}
if (failures > 0) {
  console.error(`peer: ${failures} failure(s)`);
  process.exit(1);
}
