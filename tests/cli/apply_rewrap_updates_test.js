// Runs tools/apply-rewrap-updates.js against a mock mongosh (db, EJSON, print, quit) on a file that
// `connector-crypto rewrap --format updates` wrote: batching, filters passed through, counts.
// usage: node apply_rewrap_updates_test.js SCRIPT UPDATES_FILE
'use strict';
const assert = require('assert');
const fs = require('fs');
const vm = require('vm');

const [script, updatesFile] = process.argv.slice(2);
const lines = fs.readFileSync(updatesFile, 'utf8').split('\n').filter((l) => l !== '');
assert.ok(lines.length >= 3, 'need at least three updates');

function runWith(batch, matchOf) {
  const calls = [];
  const printed = [];
  let exitCode = 0;
  const context = {
    require,
    Buffer,
    process: { env: { REWRAP_UPDATES: updatesFile, REWRAP_COLLECTION: 'connectors', REWRAP_BATCH: String(batch) } },
    print: (s) => printed.push(s),
    quit: (c) => { exitCode = c; },
    // Relaxed EJSON: only the $oid wrapper matters for these files.
    EJSON: { parse: (text) => JSON.parse(text, (k, v) => (v && typeof v === 'object' && typeof v.$oid === 'string' ? { oid: v.$oid } : v)) },
    db: {
      getCollection: (name) => {
        assert.strictEqual(name, 'connectors');
        return {
          bulkWrite: (ops, options) => {
            assert.strictEqual(JSON.stringify(options), '{"ordered":false}');
            calls.push(ops);
            const matched = ops.filter(matchOf).length;
            return { matchedCount: matched, modifiedCount: matched };
          },
        };
      },
    },
  };
  vm.runInNewContext(fs.readFileSync(script, 'utf8'), context, { filename: script });
  return { calls, printed, exitCode };
}

// Every update matches: ceil(n / 2) batches of at most 2, filters and $set passed as written.
{
  const r = runWith(2, () => true);
  assert.strictEqual(r.exitCode, 0);
  assert.strictEqual(r.calls.length, Math.ceil(lines.length / 2));
  const ops = [].concat(...r.calls);
  assert.strictEqual(ops.length, lines.length);
  ops.forEach((op, i) => {
    const want = JSON.parse(lines[i]);
    assert.strictEqual(op.updateOne.filter._id.oid, want.filter._id.$oid);
    assert.strictEqual(JSON.stringify(op.updateOne.update), JSON.stringify(want.update));
    const conditions = Object.keys(op.updateOne.filter).filter((k) => k !== '_id');
    assert.strictEqual(conditions.length, 1);
  });
  assert.match(r.printed.join('\n'), new RegExp(`${lines.length} updates in ${r.calls.length} batches: ${lines.length} matched, ${lines.length} modified, 0 no longer matched`));
}
// The first record changed since the export: it no longer matches and is reported.
{
  const first = JSON.parse(lines[0]).filter._id.$oid;
  const r = runWith(500, (op) => op.updateOne.filter._id.oid !== first);
  assert.strictEqual(r.calls.length, 1);
  assert.match(r.printed.join('\n'), /1 no longer matched \(changed since the export/);
}
console.log('apply-rewrap-updates.js: ok');
