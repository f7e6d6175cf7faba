// Applies a `connector-crypto rewrap --format updates` file to a live collection with bulkWrite, in
// batches, and reports matched/modified counts. A record whose filter no longer matches (its
// credentials changed since the export) is left alone: export and rewrap again for those.
//
//   REWRAP_UPDATES=updates.jsonl REWRAP_COLLECTION=connectors [REWRAP_BATCH=500] \
//     mongosh "$MONGODB_URI" --quiet --file tools/apply-rewrap-updates.js
//
// Each line is {"filter":{...},"update":{"$set":{...}}} in relaxed Extended JSON (the _id keeps its
// {"$oid":...} wrapper), parsed with mongosh's EJSON. Exit status 1 if any batch failed.
/* global db, EJSON, print, quit */
(function applyRewrapUpdates() {
  const fs = require('fs');
  const file = process.env.REWRAP_UPDATES;
  const collectionName = process.env.REWRAP_COLLECTION;
  const batchSize = Number(process.env.REWRAP_BATCH || 500);
  if (!file || !collectionName || !Number.isInteger(batchSize) || batchSize < 1) {
    print('apply-rewrap-updates: set REWRAP_UPDATES (file), REWRAP_COLLECTION and optionally REWRAP_BATCH (>= 1)');
    quit(2);
    return;
  }
  const collection = db.getCollection(collectionName);
  const totals = { lines: 0, batches: 0, matched: 0, modified: 0, failedBatches: 0 };

  function flush(ops, firstLine) {
    if (ops.length === 0) return;
    totals.batches += 1;
    try {
      const r = collection.bulkWrite(ops, { ordered: false });
      totals.matched += r.matchedCount;
      totals.modified += r.modifiedCount;
    } catch (e) {
      totals.failedBatches += 1;
      // The driver's message names the operation, never a credential value (envelopes only).
      print(`apply-rewrap-updates: batch starting at line ${firstLine} failed: ${e.name}: ${e.code || ''}`);
    }
  }

  const fd = fs.openSync(file, 'r');
  const chunk = Buffer.alloc(1 << 20);
  let carry = '';
  let ops = [];
  let batchStart = 1;
  let lineNo = 0;
  const handle = (line) => {
    lineNo += 1;
    if (line.trim() === '') return;
    const u = EJSON.parse(line, { relaxed: true });
    if (!u || typeof u !== 'object' || !u.filter || !u.update || !u.filter._id) {
      throw new Error(`line ${lineNo} is not a rewrap update`);
    }
    totals.lines += 1;
    ops.push({ updateOne: { filter: u.filter, update: u.update } });
    if (ops.length >= batchSize) {
      flush(ops, batchStart);
      ops = [];
      batchStart = lineNo + 1;
    }
  };
  for (;;) {
    const n = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    const text = carry + chunk.toString('utf8', 0, n);
    const parts = text.split('\n');
    carry = parts.pop();
    parts.forEach(handle);
  }
  fs.closeSync(fd);
  if (carry !== '') handle(carry);
  flush(ops, batchStart);

  const notMatched = totals.lines - totals.matched;
  print(`apply-rewrap-updates: ${totals.lines} updates in ${totals.batches} batches: ` +
        `${totals.matched} matched, ${totals.modified} modified, ${notMatched} no longer matched` +
        (notMatched > 0 ? ' (changed since the export: export and rewrap again)' : '') +
        (totals.failedBatches > 0 ? `, ${totals.failedBatches} batches FAILED` : ''));
  if (totals.failedBatches > 0) quit(1);
})();
