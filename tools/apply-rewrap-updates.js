// Applies a `connector-crypto rewrap --format updates` file to a live collection with bulkWrite, in
// batches, and reports matched/modified counts. A record whose filter no longer matches (its
// credentials changed since the export) is left alone: export and rewrap again for those.
//
//   REWRAP_UPDATES=updates.jsonl REWRAP_COLLECTION=connectors [REWRAP_BATCH=500] \
//     mongosh "$MONGODB_URI" --quiet --file tools/apply-rewrap-updates.js
//
// Each line is {"filter":{"_id":...,...},"update":{"$set":{...}}} in Extended JSON, parsed with
// mongosh's EJSON in canonical mode (an int64 stays an int64, wrappers become their BSON types).
// Lines are split on the 0x0A byte before UTF-8 decoding, so a character is never cut by a read.
// A line that is not such an update is skipped and reported by number (never by content: a
// plaintext filter holds the credential). Messages never quote a server's errmsg either (it can
// quote a document). Exit status 1 if a line was skipped or an update failed; 2 for bad settings.
/* global db, EJSON, print, quit */
(function applyRewrapUpdates() {
  const fs = require('fs');
  const { TextDecoder } = require('util');
  const file = process.env.REWRAP_UPDATES;
  const collectionName = process.env.REWRAP_COLLECTION;
  const batchSize = Number(process.env.REWRAP_BATCH || 500);
  if (!file || !collectionName || !Number.isInteger(batchSize) || batchSize < 1) {
    print('apply-rewrap-updates: set REWRAP_UPDATES (file), REWRAP_COLLECTION and optionally REWRAP_BATCH (>= 1)');
    quit(2);
    return;
  }
  const collection = db.getCollection(collectionName);
  const totals = {
    updates: 0, batches: 0, matched: 0, modified: 0, notMatched: 0,
    failed: 0,     // updates the server reported a write error for
    unknown: 0,    // updates in batches that failed without a result
    failedBatches: 0, unknownBatches: 0, concernBatches: 0, skipped: 0, readFailed: false,
  };
  const say = (s) => print(`apply-rewrap-updates: ${s}`);

  // A driver error's result, or null when it carries none (network error, ...).
  function partialResult(e) {
    const r = e && e.result;
    const count = (name, legacy) => {
      if (r && typeof r[name] === 'number') return r[name];
      if (r && typeof r[legacy] === 'number') return r[legacy];
      if (e && typeof e[name] === 'number') return e[name];
      return undefined;
    };
    const matched = count('matchedCount', 'nMatched');
    const modified = count('modifiedCount', 'nModified');
    if (matched === undefined || modified === undefined) return null;
    let writeErrors = e.writeErrors;
    if (writeErrors === undefined && r && typeof r.getWriteErrors === 'function') writeErrors = r.getWriteErrors();
    if (writeErrors === undefined || writeErrors === null) writeErrors = [];
    if (!Array.isArray(writeErrors)) writeErrors = [writeErrors];
    let concern = e.writeConcernError || e.err;
    if (!concern && r && typeof r.getWriteConcernError === 'function') concern = r.getWriteConcernError();
    return { matched, modified, writeErrors, concern: Boolean(concern) };
  }

  function flush(ops, lineOf) {
    if (ops.length === 0) return;
    totals.batches += 1;
    let r;
    try {
      r = collection.bulkWrite(ops, { ordered: false });
    } catch (e) {
      totals.failedBatches += 1;
      const p = partialResult(e);
      const what = `${(e && e.name) || 'Error'}${e && e.code !== undefined ? ` ${e.code}` : ''}`;
      if (p === null) {
        totals.unknown += ops.length;
        totals.unknownBatches += 1;
        say(`lines ${lineOf[0]}-${lineOf[lineOf.length - 1]}: batch failed with no result (${what}); ` +
            'rerun the file: an update that did apply no longer matches');
        return;
      }
      say(`lines ${lineOf[0]}-${lineOf[lineOf.length - 1]}: batch partly failed (${what})` +
          (p.concern ? ', write concern not satisfied: rerun the file' : ''));
      p.writeErrors.forEach((w) => {
        const at = w && Number.isInteger(w.index) && w.index >= 0 && w.index < lineOf.length ? `line ${lineOf[w.index]}` : 'a line';
        say(`${at}: write error${w && w.code !== undefined ? ` ${w.code}` : ''}`);
      });
      totals.failed += p.writeErrors.length;
      if (p.concern) totals.concernBatches += 1;
      totals.notMatched += Math.max(0, ops.length - p.writeErrors.length - p.matched);
      totals.matched += p.matched;
      totals.modified += p.modified;
      return;
    }
    totals.matched += r.matchedCount;
    totals.modified += r.modifiedCount;
    totals.notMatched += ops.length - r.matchedCount;
  }

  let fd;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    say(`cannot open REWRAP_UPDATES: ${e.code || e.name}`);
    quit(2);
    return;
  }
  const isDocument = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let ops = [];
  let lineOf = [];  // lineOf[i]: the line number of ops[i]
  let lineNo = 0;
  const skip = (why) => {
    totals.skipped += 1;
    say(`line ${lineNo} skipped: ${why}`);
  };
  const handle = (bytes) => {
    lineNo += 1;
    let text;
    try {
      text = utf8.decode(bytes);
    } catch (e) {
      skip('not valid UTF-8');
      return;
    }
    if (text.trim() === '') return;
    let u;
    try {
      u = EJSON.parse(text, { relaxed: false });
    } catch (e) {
      skip('not valid Extended JSON');
      return;
    }
    if (!isDocument(u) || Object.keys(u).length !== 2 || !isDocument(u.filter) || !isDocument(u.update) ||
        !('_id' in u.filter) || u.filter._id === undefined || Object.keys(u.filter).length < 2 ||
        Object.keys(u.update).length !== 1 || !isDocument(u.update.$set)) {
      skip('not a rewrap update ({"filter":{"_id":...,...},"update":{"$set":...}})');
      return;
    }
    totals.updates += 1;
    ops.push({ updateOne: { filter: u.filter, update: u.update } });
    lineOf.push(lineNo);
    if (ops.length >= batchSize) {
      flush(ops, lineOf);
      ops = [];
      lineOf = [];
    }
  };

  const chunk = Buffer.alloc(1 << 20);
  let pending = [];  // the current line's bytes read so far (copies: chunk is reused)
  try {
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const view = chunk.subarray(0, n);
      let start = 0;
      for (let nl = view.indexOf(0x0a); nl !== -1; nl = view.indexOf(0x0a, start)) {
        const piece = view.subarray(start, nl);
        handle(pending.length === 0 ? piece : Buffer.concat([...pending, piece]));
        pending = [];
        start = nl + 1;
      }
      if (start < n) pending.push(Buffer.from(view.subarray(start)));
    }
    if (pending.length > 0) handle(Buffer.concat(pending));
  } catch (e) {
    // Every complete line read so far is still applied below.
    totals.readFailed = true;
    say(`reading REWRAP_UPDATES failed after line ${lineNo}: ${e.code || e.name}`);
  }
  fs.closeSync(fd);
  flush(ops, lineOf);

  const t = totals;
  say(`${t.updates} updates in ${t.batches} batches: ${t.matched} matched, ${t.modified} modified, ` +
      `${t.notMatched} no longer matched` +
      (t.notMatched > 0 ? ' (changed since the export: export and rewrap again)' : '') +
      (t.failed > 0 ? `, ${t.failed} FAILED (write errors, lines listed above)` : '') +
      (t.unknown > 0 ? `, ${t.unknown} in ${t.unknownBatches} failed batches with no result (rerun the file)` : '') +
      (t.concernBatches > 0 ? `, write concern NOT SATISFIED in ${t.concernBatches} batches (rerun the file)` : '') +
      (t.skipped > 0 ? `, ${t.skipped} lines SKIPPED (listed above)` : '') +
      (t.readFailed ? ', READ FAILED (the rest of the file was not applied)' : ''));
  if (t.failed > 0 || t.unknown > 0 || t.skipped > 0 || t.failedBatches > 0 || t.readFailed) quit(1);
})();
