// Runs tools/apply-rewrap-updates.js against a stand-in for mongosh: `db` whose bulkWrite evaluates
// the filter forms rewrap writes (_id equality, PATH.ct equality, $expr $eq with $literal, and the
// old PATH.__enc $exists form, so a test shows what it matched) against in-memory documents and
// applies $set; EJSON from the real `bson` package (tests/interop/node_modules, `npm ci` there);
// print; quit (stops the script, like mongosh's). Not modelled: a real server's query semantics
// beyond these forms, collations, write concern. docs/ROTATION.md, "What is tested how".
// usage: node apply_rewrap_updates_test.js SCRIPT CONNECTOR_CRYPTO_BINARY
'use strict';
const assert = require('assert');
const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vm = require('vm');
const { createRequire } = require('module');

const [script, bin] = process.argv.slice(2);
assert.ok(script && bin, 'usage: node apply_rewrap_updates_test.js SCRIPT CONNECTOR_CRYPTO_BINARY');
const interop = path.join(__dirname, '..', 'interop', 'package.json');
let bson;
try {
  bson = createRequire(interop)('bson');
} catch (e) {
  console.error('bson is not installed: run tools/install-deps.sh (npm ci in tests/interop)');
  process.exit(1);
}
const { EJSON, ObjectId, Long, Int32, Double } = bson;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'apply-rewrap-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
let failures = 0;
function test(name, body) {
  try {
    body();
    console.log(`ok: ${name}`);
  } catch (e) {
    failures += 1;
    console.log(`FAILED: ${name}\n${e.stack}`);
  }
}

// ---- BSON comparison as MongoDB does it: numbers by value across types, documents in order.
function numberOf(v) {
  if (typeof v === 'number') return v;
  if (v instanceof Double) return v.value;
  if (v instanceof Int32) return BigInt(v.value);
  if (v instanceof Long) return BigInt(v.toString());
  return undefined;
}
function bsonEquals(a, b) {
  const na = numberOf(a), nb = numberOf(b);
  if (na !== undefined || nb !== undefined) {
    if (na === undefined || nb === undefined) return false;
    if (typeof na === typeof nb) return na === nb || (Number.isNaN(na) && Number.isNaN(nb));
    const [d, i] = typeof na === 'number' ? [na, nb] : [nb, na];
    return Number.isInteger(d) && BigInt(d) === i;
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (a instanceof ObjectId || b instanceof ObjectId) {
    return a instanceof ObjectId && b instanceof ObjectId && a.equals(b);
  }
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((x, i) => bsonEquals(x, b[i]));
  }
  assert.ok(!a._bsontype && !b._bsontype, `stand-in does not compare ${a._bsontype || b._bsontype}`);
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && bsonEquals(a[k], b[k]));
}
const isDoc = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !v._bsontype &&
  !(v instanceof Date);
// A query path: arrays on the way (and at the end) match if any element does.
function queryMatch(v, segs, pred) {
  if (Array.isArray(v)) return (segs.length === 0 && pred(v)) || v.some((e) => queryMatch(e, segs, pred));
  if (segs.length === 0) return pred(v);
  if (!isDoc(v) || !(segs[0] in v)) return segs.length === 0 ? pred(v) : pred(undefined);
  return queryMatch(v[segs[0]], segs.slice(1), pred);
}
// An aggregation "$a.b" path: an array on the way maps to the array of its elements' values.
function aggPath(v, segs) {
  if (segs.length === 0) return v;
  if (Array.isArray(v)) return v.map((e) => aggPath(e, segs)).filter((e) => e !== undefined);
  if (!isDoc(v) || !(segs[0] in v)) return undefined;
  return aggPath(v[segs[0]], segs.slice(1));
}
function matches(doc, filter) {
  return Object.keys(filter).every((key) => {
    const want = filter[key];
    if (key === '_id') return bsonEquals(doc._id, want);
    if (key === '$expr') {
      assert.deepStrictEqual(Object.keys(want), ['$eq'], 'stand-in models $expr {$eq: [...]} only');
      const [field, literal] = want.$eq;
      assert.ok(typeof field === 'string' && field[0] === '$' && isDoc(literal) &&
        Object.keys(literal).join() === '$literal', 'stand-in models ["$path", {$literal: X}] only');
      const got = aggPath(doc, field.slice(1).split('.'));
      return got !== undefined && bsonEquals(got, literal.$literal);
    }
    assert.ok(key[0] !== '$', `stand-in does not model ${key}`);
    const segs = key.split('.');
    if (isDoc(want) && Object.keys(want).join() === '$exists') {
      const present = queryMatch(doc, segs, (v) => v !== undefined);
      return present === want.$exists;
    }
    assert.ok(!isDoc(want) || !Object.keys(want).some((k) => k[0] === '$'), `stand-in does not model ${key}`);
    return queryMatch(doc, segs, (v) => v !== undefined && bsonEquals(v, want));
  });
}
// $set of a dotted path; through a missing level it creates documents, through anything else
// it fails like the server (PathNotViable, 28).
function applySet(doc, set) {
  for (const key of Object.keys(set)) {
    const segs = key.split('.');
    let at = doc;
    for (const s of segs.slice(0, -1)) {
      if (!(s in at)) at[s] = {};
      if (!isDoc(at[s])) return 28;
      at = at[s];
    }
    at[segs[segs.length - 1]] = set[key];
  }
  return 0;
}

// A collection of in-memory documents. failOn(batchNo, opIndex) returns a write error code for
// that op (the others apply; the batch throws a MongoBulkWriteError with the partial result), or
// 'network' to throw before anything applies.
// A failed check inside the stand-in is recorded (the script catches what bulkWrite throws) and
// rethrown by apply().
function makeDb(docs, failOn = () => 0) {
  const batches = [];
  const standInErrors = [];
  const checked = (f) => (...args) => {
    try {
      return f(...args);
    } catch (e) {
      if (e instanceof assert.AssertionError) standInErrors.push(e);
      throw e;
    }
  };
  const db = {
    standInErrors,
    getCollection(name) {
      assert.strictEqual(name, 'connectors');
      return {
        bulkWrite: checked((ops, options) => {
          assert.strictEqual(JSON.stringify(options), '{"ordered":false}');
          const batchNo = batches.length;
          batches.push(ops);
          if (ops.some((op, i) => failOn(batchNo, i) === 'network')) {
            throw Object.assign(new Error('connection reset while sending s3cret'), { name: 'MongoNetworkError' });
          }
          let matchedCount = 0, modifiedCount = 0;
          const writeErrors = [];
          ops.forEach((op, index) => {
            assert.deepStrictEqual(Object.keys(op), ['updateOne']);
            assert.deepStrictEqual(Object.keys(op.updateOne), ['filter', 'update']);
            const { filter, update } = op.updateOne;
            assert.deepStrictEqual(Object.keys(update), ['$set']);
            const code = failOn(batchNo, index);
            if (code) {
              writeErrors.push({ index, code, errmsg: 'the server quotes { credentials: "s3cret" }' });
              return;
            }
            const doc = docs.find((d) => matches(d, filter));
            if (!doc) return;
            matchedCount += 1;
            const before = EJSON.stringify(doc, { relaxed: false });
            const err = applySet(doc, update.$set);
            if (err) {
              matchedCount -= 1;
              writeErrors.push({ index, code: err, errmsg: 'Cannot create field in element {s3cret}' });
              return;
            }
            if (EJSON.stringify(doc, { relaxed: false }) !== before) modifiedCount += 1;
          });
          const result = { ok: 1, matchedCount, modifiedCount, insertedCount: 0, deletedCount: 0, upsertedCount: 0 };
          if (writeErrors.length > 0) {
            throw Object.assign(new Error(`${writeErrors[0].errmsg}`), {
              name: 'MongoBulkWriteError', code: writeErrors[0].code, result, writeErrors,
            });
          }
          return { acknowledged: true, ...result };
        }),
      };
    },
  };
  return { db, batches };
}

class Quit extends Error {}
function runScript(env, db) {
  const printed = [];
  let exitCode = 0;
  const context = {
    require,
    Buffer,
    process: { env },
    print: (s) => printed.push(String(s)),
    quit: (c) => { exitCode = c === undefined ? 0 : c; throw new Quit(); },
    EJSON,
    db,
  };
  try {
    vm.runInNewContext(fs.readFileSync(script, 'utf8'), context, { filename: script });
  } catch (e) {
    if (!(e instanceof Quit)) throw e;
  }
  if (db.standInErrors && db.standInErrors.length > 0) throw db.standInErrors[0];
  return { printed: printed.join('\n'), exitCode };
}
function apply(file, db, batch = 500) {
  return runScript({ REWRAP_UPDATES: file, REWRAP_COLLECTION: 'connectors', REWRAP_BATCH: String(batch) }, db);
}
const summaryOf = (printed) => printed.split('\n').filter((l) => / updates in \d+ batches: /.test(l)).join('\n');

// ---- The real binary: keys, envelopes, rewrap, decrypt.
const keyEnv = (() => {
  const key = () => childProcess.execFileSync(bin, ['keygen'], { env: { PATH: process.env.PATH } }).toString().trim();
  return { PATH: process.env.PATH, CONNECTOR_CRED_KEYS: JSON.stringify({ v1: key(), v2: key() }) };
})();
function cli(args, kid, input) {
  return childProcess.execFileSync(bin, args, { env: { ...keyEnv, CONNECTOR_CRED_ACTIVE_KID: kid }, input })
    .toString();
}
const envelopeUnder = (kid, plain) => EJSON.parse(cli(['encrypt'], kid, JSON.stringify(plain)));
const decrypt = (envelope) => JSON.parse(cli(['decrypt'], 'v2', JSON.stringify(envelope)));
const clone = (d) => EJSON.parse(EJSON.stringify(d, { relaxed: false }), { relaxed: false });
// What mongoexport writes: relaxed Extended JSON by default.
const relaxedLine = (d) => EJSON.stringify(d, { relaxed: true });
function rewrap(docs, field, lineOf = relaxedLine) {
  const exportFile = path.join(work, 'export.jsonl');
  const updates = path.join(work, 'updates.jsonl');
  fs.writeFileSync(exportFile, docs.map((d) => lineOf(d) + '\n').join(''));
  fs.rmSync(updates, { force: true });
  cli(['rewrap', '--format', 'updates', '--field', field, exportFile, '-o', updates], 'v2');
  return updates;
}

test('export -> rewrap -> apply: each record changes only if it still holds what was exported', () => {
  const plain = { accessToken: 's3cret-a', user: 'alice' };
  const typed = { n: new Long('9007199254740993'), i: new Int32(7), d: new Double(2.5), at: new Date(1614852930000), tags: ['x', 'y'] };
  const v1 = envelopeUnder('v1', { accessToken: 's3cret-old' });
  const v1b = envelopeUnder('v1', { accessToken: 's3cret-old-b' });
  const exported = [
    { _id: new ObjectId('65a1b2c3d4e5f60000000001'), name: 'plain', credentials: plain },
    { _id: new ObjectId('65a1b2c3d4e5f60000000002'), name: 'nulled since', credentials: { t: 's3cret-b' } },
    { _id: new ObjectId('65a1b2c3d4e5f60000000003'), name: 'changed since', credentials: { t: 's3cret-c' } },
    { _id: new ObjectId('65a1b2c3d4e5f60000000004'), name: 'now an array', credentials: { t: 's3cret-d' } },
    { _id: new ObjectId('65a1b2c3d4e5f60000000005'), name: 'v1', credentials: v1 },
    { _id: new ObjectId('65a1b2c3d4e5f60000000006'), name: 'v1 re-encrypted since', credentials: v1b },
    { _id: new ObjectId('65a1b2c3d4e5f60000000007'), name: 'deleted since', credentials: { t: 's3cret-g' } },
    { _id: new ObjectId('65a1b2c3d4e5f60000000008'), name: 'typed (canonical export)', credentials: typed },
    { _id: new ObjectId('65a1b2c3d4e5f60000000009'), name: 'string', credentials: '$s3cret-string' },
    { _id: 0, name: 'falsy 0', credentials: { t: 's3cret-0' } },
    { _id: '', name: 'falsy empty', credentials: { t: 's3cret-e' } },
    { _id: false, name: 'falsy false', credentials: { t: 's3cret-f' } },
    { _id: 'ünïcødé-日本', name: 'non-ASCII', credentials: ['s3cret-arr', 1] },
    { _id: new ObjectId('65a1b2c3d4e5f6000000000a'), name: 'array now contains it', credentials: ['s3cret-arr2'] },
    { _id: new Long('9007199254740993'), name: 'int64 beyond 2^53 (relaxed export)', credentials: { n: new Long('-9007199254740993') } },
  ];
  // mongoexport --jsonFormat=canonical for the typed record; a relaxed export writes an int64 as a
  // bare number (bson's own relaxed EJSON.stringify would round it, mongoexport does not).
  const updates = rewrap(exported, 'credentials', (d) => {
    if (d.name.startsWith('typed')) return EJSON.stringify(d, { relaxed: false });
    if (d.name.startsWith('int64')) return '{"_id":9007199254740993,"name":"int64 beyond 2^53 (relaxed export)","credentials":{"n":-9007199254740993}}';
    return relaxedLine(d);
  });
  const updateLines = fs.readFileSync(updates, 'utf8').trim().split('\n');
  assert.strictEqual(updateLines.length, exported.length);
  // The live collection since the export.
  const live = exported.map(clone).filter((d) => d.name !== 'deleted since');
  const byName = (n) => live.find((d) => d.name === n);
  byName('nulled since').credentials = null;
  byName('changed since').credentials = { t: 's3cret-c2' };
  byName('now an array').credentials = [{ t: 's3cret-d' }];
  byName('v1 re-encrypted since').credentials = envelopeUnder('v2', { accessToken: 's3cret-old-b' });
  byName('array now contains it').credentials = [['s3cret-arr2'], 'other'];
  const untouched = ['nulled since', 'changed since', 'now an array', 'v1 re-encrypted since', 'array now contains it']
    .map((n) => [n, EJSON.stringify(byName(n), { relaxed: false })]);

  const { db, batches } = makeDb(live);
  const r = apply(updates, db, 4);
  assert.strictEqual(r.exitCode, 0, r.printed);
  assert.strictEqual(batches.length, Math.ceil(exported.length / 4));
  assert.strictEqual(summaryOf(r.printed), `apply-rewrap-updates: 15 updates in 4 batches: 9 matched, 9 modified, ` +
    '6 no longer matched (changed since the export: export and rewrap again)');
  for (const [n, before] of untouched) assert.strictEqual(EJSON.stringify(byName(n), { relaxed: false }), before, n);
  assert.strictEqual(live.length, exported.length - 1, 'a deleted document came back');
  const want = {
    plain, v1: { accessToken: 's3cret-old' }, string: '$s3cret-string', 'falsy 0': { t: 's3cret-0' },
    'falsy empty': { t: 's3cret-e' }, 'falsy false': { t: 's3cret-f' }, 'non-ASCII': ['s3cret-arr', 1],
    // What the TypeScript services read: Extended JSON converted as JSON.stringify does.
    'typed (canonical export)': null,  // compared as text below (an int64 beyond 2^53)
    'int64 beyond 2^53 (relaxed export)': null,
  };
  for (const [n, plaintext] of Object.entries(want)) {
    const doc = byName(n);
    assert.strictEqual(doc.credentials.kid, 'v2', n);
    assert.deepStrictEqual(Object.keys(doc), ['_id', 'name', 'credentials'], n);
    if (n.startsWith('typed')) {
      const text = cli(['decrypt'], 'v2', JSON.stringify(doc.credentials));
      assert.strictEqual(text.trim(), '{"at":"2021-03-04T10:15:30.000Z","d":2.5,"i":7,"n":9007199254740993,"tags":["x","y"]}', n);
    } else if (n.startsWith('int64')) {
      assert.strictEqual(cli(['decrypt'], 'v2', JSON.stringify(doc.credentials)).trim(), '{"n":-9007199254740993}', n);
    } else {
      assert.deepStrictEqual(decrypt(doc.credentials), plaintext, n);
    }
  }
  // Applying the file again changes nothing: every filter now misses.
  const again = apply(updates, db, 4);
  assert.strictEqual(summaryOf(again.printed), 'apply-rewrap-updates: 15 updates in 4 batches: 0 matched, ' +
    '0 modified, 15 no longer matched (changed since the export: export and rewrap again)');
  assert.ok(!r.printed.includes('s3cret'), 'the output quotes a credential');
});

test('a nested --field: only that field is compared and set, the rest of its parent stays', () => {
  const exported = [
    { _id: 1, config: { host: 'h', auth: { password: 's3cret-n' }, port: new Long('5') } },
    { _id: 2, config: { host: 'h', auth: { password: 's3cret-m' } } },
  ];
  const updates = rewrap(exported, 'config.auth');
  const live = exported.map(clone);
  live[0].config.host = 'h2';  // changed elsewhere since the export: kept
  live[1].config.auth = null;  // disconnected since the export: not brought back
  const { db } = makeDb(live);
  const r = apply(updates, db);
  assert.strictEqual(r.exitCode, 0, r.printed);
  assert.match(summaryOf(r.printed), /: 2 updates in 1 batches: 1 matched, 1 modified, 1 no longer matched/);
  assert.deepStrictEqual(Object.keys(live[0].config), ['host', 'auth', 'port']);
  assert.strictEqual(live[0].config.host, 'h2');
  assert.ok(live[0].config.port instanceof Long, 'the int64 port was rewritten');
  assert.deepStrictEqual(decrypt(live[0].config.auth), { password: 's3cret-n' });
  assert.strictEqual(live[1].config.auth, null);
});

// An update line in rewrap's format for a stand-in document {_id, credentials: {ct}}.
const updateLine = (id, ct, newCt = `new-${ct}`) => JSON.stringify({
  filter: { _id: id, 'credentials.ct': ct },
  update: { $set: { credentials: { __enc: 1, ct: newCt, iv: 'AAAAAAAAAAAAAAAA', kid: 'v2' } } },
});
const liveFor = (pairs) => pairs.map(([id, ct]) => ({ _id: id, credentials: { __enc: 1, ct, iv: 'AAAAAAAAAAAAAAAA', kid: 'v1' } }));

test('a non-ASCII _id straddling a 1 MiB read boundary still matches', () => {
  const MiB = 1 << 20;
  for (const boundary of [MiB, 3 * MiB]) {
    const id = 'é日本-ü';  // é is 2 bytes, 日 and 本 3 each
    const second = updateLine(id, 'c2');
    const idAt = Buffer.byteLength(second.slice(0, second.indexOf(id)));
    for (const cut of [1, 3, 4]) {  // 1 byte into é, 1 byte into 日, 2 bytes into 日
      // The first line is padded so that `boundary` falls `cut` bytes into the second line's _id.
      const padLen = boundary - cut - idAt - Buffer.byteLength(updateLine('pad', '', 'new-pad')) - 1;
      const pad = 'p'.repeat(padLen);
      const text = `${updateLine('pad', pad, 'new-pad')}\n${second}\n`;
      const at = boundary - cut;
      assert.strictEqual(Buffer.from(text).subarray(at, at + Buffer.byteLength(id)).toString('utf8'), id);
      const file = path.join(work, 'straddle.jsonl');
      fs.writeFileSync(file, text);
      const live = liveFor([['pad', pad], [id, 'c2']]);
      const { db, batches } = makeDb(live);
      const r = apply(file, db);
      assert.strictEqual(r.exitCode, 0, r.printed);
      assert.strictEqual(batches[0][1].updateOne.filter._id, id);
      assert.strictEqual(summaryOf(r.printed), 'apply-rewrap-updates: 2 updates in 1 batches: 2 matched, 2 modified, 0 no longer matched');
      assert.strictEqual(live[1].credentials.ct, 'new-c2');
    }
  }
});

test('a malformed line is a counted skip named by number, and loses no update around it', () => {
  const file = path.join(work, 'malformed.jsonl');
  const bad = [
    '{"filter":{"_id":5,"credentials.ct":"s3cret-in-a-cut-line"',  // not JSON
    '{"filter":{"_id":{"$oid":"nope-s3cret"},"credentials.ct":"c"},"update":{"$set":{}}}',  // bad EJSON
    '{"a":"s3cret"}',  // JSON, not an update
    '{"filter":{"credentials.ct":"c"},"update":{"$set":{"credentials":1}}}',  // no _id
    '{"filter":{"_id":9},"update":{"$set":{"credentials":1}}}',  // no condition: not stale-safe
    '{"filter":{"_id":9,"credentials.ct":"c"},"update":{"credentials":1}}',  // a replacement
  ];
  const lines = [updateLine(1, 'a'), updateLine(2, 'b'), ...bad.slice(0, 3), '', updateLine(3, 'c'),
    ...bad.slice(3), updateLine(4, 'd'), updateLine(5, 'e')];
  fs.writeFileSync(file, Buffer.concat([Buffer.from(lines.join('\n') + '\n'),
    Buffer.from('{"filter":{"_id":"\xff"},"update":{}}\n', 'latin1'), Buffer.from(updateLine(6, 'f'))]));
  const live = liveFor([[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, 'e'], [6, 'f']]);
  const { db, batches } = makeDb(live);
  const r = apply(file, db, 2);
  assert.strictEqual(r.exitCode, 1);
  assert.strictEqual(JSON.stringify(batches.map((b) => b.map((op) => Number(numberOf(op.updateOne.filter._id))))), "[[1,2],[3,4],[5,6]]");
  assert.ok(live.every((d) => d.credentials.ct.startsWith('new-')));
  const skipped = r.printed.split('\n').filter((l) => l.includes('skipped'));
  assert.deepStrictEqual(skipped, [
    'apply-rewrap-updates: line 3 skipped: not valid Extended JSON',
    'apply-rewrap-updates: line 4 skipped: not valid Extended JSON',
    'apply-rewrap-updates: line 5 skipped: not a rewrap update ({"filter":{"_id":...,...},"update":{"$set":...}})',
    'apply-rewrap-updates: line 8 skipped: not a rewrap update ({"filter":{"_id":...,...},"update":{"$set":...}})',
    'apply-rewrap-updates: line 9 skipped: not a rewrap update ({"filter":{"_id":...,...},"update":{"$set":...}})',
    'apply-rewrap-updates: line 10 skipped: not a rewrap update ({"filter":{"_id":...,...},"update":{"$set":...}})',
    'apply-rewrap-updates: line 13 skipped: not valid UTF-8',
  ]);
  assert.strictEqual(summaryOf(r.printed), 'apply-rewrap-updates: 6 updates in 3 batches: 6 matched, 6 modified, ' +
    '0 no longer matched, 7 lines SKIPPED (listed above)');
  assert.ok(!r.printed.includes('s3cret'), 'a skipped line was quoted');
});

test('a failing batch: its partial result is counted, its failures are not "no longer matched"', () => {
  const file = path.join(work, 'failing.jsonl');
  const ids = [1, 2, 3, 4, 5, 6, 7, 8];
  fs.writeFileSync(file, ids.map((i) => updateLine(i, `c${i}`)).join('\n') + '\n');
  const live = liveFor(ids.map((i) => [i, `c${i}`]));
  live[2].credentials.ct = 'changed-since';  // line 3 (batch 2) no longer matches
  // Batch 2 (lines 3-4): line 4 gets write error 11000, line 3 misses. Batch 3 (lines 5-6): the
  // connection drops before anything applies. Batch 4 (lines 7-8): fine.
  const { db } = makeDb(live, (batch, index) => {
    if (batch === 1 && index === 1) return 11000;
    if (batch === 2) return 'network';
    return 0;
  });
  const r = apply(file, db, 2);
  assert.strictEqual(r.exitCode, 1);
  assert.deepStrictEqual(r.printed.split('\n').slice(0, -1), [
    'apply-rewrap-updates: lines 3-4: batch partly failed (MongoBulkWriteError 11000)',
    'apply-rewrap-updates: line 4: write error 11000',
    'apply-rewrap-updates: lines 5-6: batch failed with no result (MongoNetworkError); rerun the file: an update that did apply no longer matches',
  ]);
  assert.strictEqual(summaryOf(r.printed), 'apply-rewrap-updates: 8 updates in 4 batches: 4 matched, 4 modified, ' +
    '1 no longer matched (changed since the export: export and rewrap again), 1 FAILED (write errors, lines listed above), ' +
    '2 in 1 failed batches with no result (rerun the file)');
  assert.deepStrictEqual(live.map((d) => d.credentials.ct),
    ['new-c1', 'new-c2', 'changed-since', 'c4', 'c5', 'c6', 'new-c7', 'new-c8']);
  assert.ok(!r.printed.includes('s3cret'), 'a server message was quoted');
  // The same partial result under the older driver's names (result.nMatched, getWriteErrors()).
  const legacy = {
    getCollection: () => ({
      bulkWrite: () => {
        throw Object.assign(new Error('x'), {
          name: 'BulkWriteError', code: 2,
          result: { nMatched: 1, nModified: 1, getWriteErrors: () => [{ index: 0, code: 2 }] },
        });
      },
    }),
  };
  const l = apply(file, legacy, 8);
  assert.strictEqual(l.exitCode, 1);
  assert.strictEqual(summaryOf(l.printed), 'apply-rewrap-updates: 8 updates in 1 batches: 1 matched, 1 modified, ' +
    '6 no longer matched (changed since the export: export and rewrap again), 1 FAILED (write errors, lines listed above)');
  assert.match(l.printed, /^apply-rewrap-updates: line 1: write error 2$/m);
  // Every update applied on the primary, but the write concern failed: not "done".
  const concern = {
    getCollection: () => ({
      bulkWrite: (ops) => {
        throw Object.assign(new Error('x'), {
          name: 'MongoBulkWriteError', code: 64, writeErrors: [], err: { code: 64 },
          result: { matchedCount: ops.length, modifiedCount: ops.length },
        });
      },
    }),
  };
  const c = apply(file, concern, 8);
  assert.strictEqual(c.exitCode, 1);
  assert.strictEqual(c.printed, 'apply-rewrap-updates: lines 1-8: batch partly failed (MongoBulkWriteError 64), ' +
    'write concern not satisfied: rerun the file\napply-rewrap-updates: 8 updates in 1 batches: 8 matched, 8 modified, ' +
    '0 no longer matched, write concern NOT SATISFIED in 1 batches (rerun the file)');
});

test('settings: a missing variable, a bad batch size or an unreadable file exit 2', () => {
  const { db, batches } = makeDb([]);
  const usage = 'apply-rewrap-updates: set REWRAP_UPDATES (file), REWRAP_COLLECTION and optionally REWRAP_BATCH (>= 1)';
  for (const env of [{ REWRAP_COLLECTION: 'connectors' }, { REWRAP_UPDATES: 'x' },
    { REWRAP_UPDATES: 'x', REWRAP_COLLECTION: 'connectors', REWRAP_BATCH: '0' },
    { REWRAP_UPDATES: 'x', REWRAP_COLLECTION: 'connectors', REWRAP_BATCH: '1.5' }]) {
    assert.deepStrictEqual(runScript(env, db), { printed: usage, exitCode: 2 });
  }
  assert.deepStrictEqual(apply(path.join(work, 'missing.jsonl'), db),
    { printed: 'apply-rewrap-updates: cannot open REWRAP_UPDATES: ENOENT', exitCode: 2 });
  assert.strictEqual(batches.length, 0);
});

if (failures > 0) {
  console.log(`apply-rewrap-updates.js: ${failures} FAILED`);
  process.exit(1);
}
console.log('apply-rewrap-updates.js: ok');
