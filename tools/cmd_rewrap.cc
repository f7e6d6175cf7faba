// rewrap: bring the credentials of a mongoexport file to the active key, streaming, on every core.
#include <chrono>
#include <cstdio>
#include <map>
#include <ostream>
#include <thread>

#include "atomic_file.hpp"
#include "cli_common.hpp"
#include "connector_crypto/connector_crypto.hpp"
#include "line_stream.hpp"
#include "rewrap.hpp"

namespace connector_crypto {
namespace cli {

// The pipeline of tools/rewrap.hpp: here, beside the command, since it needs the CLI's common
// helpers (the fuzz target links rewrap.cc alone).
std::string describe(const RewrapSkip& s) {
  return "line " + std::to_string(s.line) + (s.id.empty() ? "" : " (_id " + s.id + ")") + ": " +
         s.reason;
}

namespace {

// One batch's share of the run, made on a worker thread.
struct BatchOut {
  std::string text;
  RewrapTotals counts;
  std::vector<RewrapSkip> skipped;
};

BatchOut rewrapBatch(LineBatch& batch, const RewrapOptions& options, const Keyring& keyring) {
  const RewrapConfig& config = options.config;
  BatchOut b;
  b.text.reserve(batch.text.size() + batch.text.size() / 4);
  for (std::size_t i = 0; i < batch.lines.size(); ++i) {
    const std::string_view line = batch.line(i);
    const RecordResult r = rewrapRecord(line, config, keyring);
    switch (r.status) {
      case RecordResult::Status::kBlank:
        break;
      case RecordResult::Status::kUnchanged:
        ++b.counts.records;
        ++b.counts.unchanged;
        break;
      case RecordResult::Status::kChanged:
        ++b.counts.records;
        if (r.newlyBound) ++b.counts.newlyBound;
        if (r.fromKid.empty()) {
          ++b.counts.fromPlaintext;
        } else {
          ++b.counts.fromKid[r.fromKid];
        }
        break;
      case RecordResult::Status::kUnreadable:
        ++b.counts.records;
        b.skipped.push_back({batch.firstLineNumber + i, r.id, r.reason});
        if (batch.firstLineNumber == 1 && b.counts.records == 1) {
          b.counts.wholeFileJson = looksLikeWholeFileJson(line);
        }
        break;
    }
    if (!options.keepGoing && !b.skipped.empty()) break;
    // An updates file holds only updates; a documents file holds every line.
    const bool emit = config.format == RewrapFormat::kDocuments ||
                      r.status == RecordResult::Status::kChanged;
    if (!options.dryRun && emit) {
      b.text.append(emittedText(line, r));
      if (batch.lines[i].newline || config.format == RewrapFormat::kUpdates) {
        b.text.push_back('\n');
      }
    }
  }
  detail::secureWipe(batch.text.data(), batch.text.size());
  return b;
}

}  // namespace

RewrapTotals rewrapLines(LineReader& reader, const RewrapOptions& options, const Keyring& keyring,
                         const RewrapSinks& sinks) {
  RewrapTotals total;
  total.readOk = processInOrder(
      reader, std::max(1u, options.threads),
      [&](LineBatch& batch) { return rewrapBatch(batch, options, keyring); },
      [&](BatchOut&& b) {
        total.wholeFileJson = total.wholeFileJson || b.counts.wholeFileJson;
        if (!options.keepGoing && !b.skipped.empty()) {
          total.stoppedAt = b.skipped.front();
          return false;
        }
        if (!options.dryRun && sinks.write && !sinks.write(b.text)) {
          total.writeStopped = true;
          return false;
        }
        total.records += b.counts.records;
        total.fromPlaintext += b.counts.fromPlaintext;
        total.unchanged += b.counts.unchanged;
        total.newlyBound += b.counts.newlyBound;
        for (const auto& e : b.counts.fromKid) total.fromKid[e.first] += e.second;
        for (const RewrapSkip& s : b.skipped) {  // handed on, then only counted: memory stays flat
          if (sinks.skipped) sinks.skipped(s);
          ++total.skipped;
        }
        if (sinks.progress) sinks.progress(total);
        return true;
      });
  return total;
}

bool indexIvs(LineReader& reader, const FieldPath& path, unsigned threads, IvIndex& index) {
  const bool readOk = processInOrder(
      reader, std::max(1u, threads),
      [&](LineBatch& batch) {
        IvIndex part;
        for (std::size_t i = 0; i < batch.lines.size(); ++i) {
          const RecordClass c = classifyRecord(batch.line(i), path);
          if (c.kind == RecordClass::Kind::kEnvelope && c.iv) {
            part.add(*c.iv, batch.firstLineNumber + i, c.id);
          }
        }
        detail::secureWipe(batch.text.data(), batch.text.size());
        return part;
      },
      [&](IvIndex&& part) {
        index.append(std::move(part));
        return true;
      });
  index.finish();
  return readOk;
}

namespace {

constexpr const char* kRewrapHelp =
    "usage: connector-crypto rewrap [--field PATH] [--format documents|updates] [--keep-going]\n"
    "                               [--dry-run] [--threads N] [-o OUTPUT]\n"
    "                               [--context NAME=VALUE] [--context-id NAME]\n"
    "                               [--context-path NAME] [--context-from NAME=FIELD] [INPUT]\n"
    "\n"
    "Reads a mongoexport file (JSON Lines, relaxed Extended JSON v2) from INPUT, or standard "
    "input\n"
    "when INPUT is absent or '-', and brings the field at PATH of every document to the active "
    "key\n"
    "of the keyring in the environment: plaintext is encrypted, an envelope under an older kid is\n"
    "decrypted and re-encrypted, an envelope under the active kid, null and a missing field are\n"
    "left alone. A value that cannot be decrypted is never re-encrypted.\n"
    "\n"
    "  --field PATH      the credentials field (default credentials; dotted paths such as\n"
    "                    config.auth reach nested fields)\n"
    "  --format documents  (default) every document, changed ones with the new envelope: for\n"
    "                    rewrapping export and backup files OFFLINE. NEVER merge it into a live\n"
    "                    collection (mongoimport --mode=merge re-sets whole top-level fields from\n"
    "                    relaxed Extended JSON: BSON types change, --field config.auth replaces\n"
    "                    all of config, a document deleted since the export comes back).\n"
    "  --format updates  the only way to write to a live collection (write freeze or not): one\n"
    "                    line per changed document, "
    "{\"filter\":F,\"update\":{\"$set\":{\"PATH\":...}}},\n"
    "                    F = {\"_id\":...,\"PATH.ct\":<old ct>} for an envelope, or\n"
    "                    {\"_id\":...,\"$expr\":{\"$eq\":[\"$PATH\",{\"$literal\":<exported "
    "value>}]}}\n"
    "                    for plaintext: it matches only a record that still holds exactly what\n"
    "                    was exported. Such a file HOLDS THE PLAINTEXT (like the export): keep it\n"
    "                    0600 and delete it after. Apply with apply-rewrap-updates.js\n"
    "                    (installed in PREFIX/share/connector_crypto/; tools/ in a checkout)\n"
    "                    with mongosh; rerun export + rewrap for records that no longer matched.\n"
    "  --keep-going      copy unreadable records unchanged (documents) or leave them out\n"
    "                    (updates), list them on standard error, exit 3\n"
    "  --dry-run         print the summary only; write nothing\n"
    "  --threads N       worker threads (default: every core)\n"
    "  -o OUTPUT         write OUTPUT atomically (temporary file in the same folder, fsync,\n"
    "                    rename), always mode 0600: it holds credentials. An existing regular\n"
    "                    file is replaced; a symbolic link, folder, device, FIFO or socket is\n"
    "                    refused (exit 2, nothing touched). A run stopped by SIGINT, SIGTERM or\n"
    "                    SIGHUP leaves no temporary file. '-' or no -o: standard output\n"
    "\n"
    "Plaintext may hold Extended JSON wrappers; they are converted to what the TypeScript\n"
    "services' JSON.stringify produces ($date -> ISO-8601 string, $numberLong/$numberInt/\n"
    "$numberDouble -> number, non-finite -> null, $oid -> hex string); any other '$' wrapper "
    "makes\n"
    "the record unreadable. Unchanged lines are copied byte for byte; changed documents keep "
    "every\n"
    "other field and their order.\n"
    "\n"
    "An unreadable record (not JSON, malformed envelope, unknown kid, authentication failure)\n"
    "stops the run with exit 1 naming its line and _id; OUTPUT is then left untouched (with\n"
    "standard output, what was written stays written: prefer -o). A summary goes to standard\n"
    "error, with a progress bar when it is a terminal. See docs/ROTATION.md.\n"
    "INPUT must hold one document per line (mongoexport's default output, not --pretty or\n"
    "--jsonArray).\n"
    "\n"
    "Bound envelopes (docs/FORMAT.md): each record's encryption context is built from\n"
    "  --context NAME=VALUE      a constant (a collection name), as given\n"
    "  --context-id NAME         the document's _id, typed: an ObjectId {\"$oid\":...} is\n"
    "                            oid:<24 lowercase hex>, a string str:<string>; no other type\n"
    "  --context-path NAME       the --field path, as given\n"
    "  --context-from NAME=FIELD another field of the document (a dotted path, not --field's),\n"
    "                            typed as _id is\n"
    "each repeatable, the names unique across them: 1 to 16 pairs, a name 1 to 64 characters of\n"
    "[A-Za-z0-9_.-], a value 1 to 4096 bytes of UTF-8 without NUL. A name or value that breaks a\n"
    "rule, or a name given twice, is a usage error (exit 2; pairs are counted in the order given;\n"
    "a value is never quoted). A record whose context cannot be built (_id or FIELD missing,\n"
    "null or of another type) is an unreadable record. With a context, the library decides what\n"
    "changes: a bound envelope under an older kid is re-sealed bound to it (bound to other names,\n"
    "or to another record: unreadable); nothing is ever unbound.\n"
    "With CONNECTOR_CRED_BIND_CONTEXT=1 a context is required, and rewrap also binds unbound\n"
    "envelopes (even under the active kid) and plaintext to their record's context. Trust on\n"
    "first bind: whatever a record holds becomes its own, so run 'audit --verify' first\n"
    "(docs/ROTATION.md). An unbound envelope whose IV (its 12 bytes) another record of INPUT\n"
    "also holds is NOT bound: it is an unreadable record, listed with every record holding that\n"
    "IV (a copied envelope, or a connector duplicated on purpose: a person decides). To know\n"
    "every IV before binding anything, rewrap reads INPUT twice, so binding needs INPUT to be a\n"
    "regular file that does not change during the run (not standard input: spooling it would\n"
    "copy the export's credentials to a file nobody chose; mongoexport -o writes a file anyway).\n"
    "The first read keeps about 32 bytes and the _id of each envelope in memory. The summary\n"
    "then counts the records newly bound. Without CONNECTOR_CRED_BIND_CONTEXT=1 INPUT is read\n"
    "once, as before, nothing is bound, and standard error says so once before the summary.\n"
    "\n"
    "Exit 0 done; 1 an unreadable record or INPUT (or INPUT changed between the two reads of a\n"
    "binding run), or OUTPUT could not be written (standard output or -o); 2 usage or\n"
    "configuration error (INPUT cannot be opened or is a folder, the -o target is refused, a\n"
    "context option breaks a rule, binding without a context or from standard input); 3\n"
    "--keep-going skipped records.\n";

class Progress {
 public:
  Progress(std::ostream& err, bool enabled, std::uint64_t size)
      : err_(err),
        enabled_(enabled),
        size_(size),
        start_(Clock::now()),
        last_(start_ - std::chrono::seconds(1)) {}  // the first batch draws at once
  void update(std::uint64_t records, std::uint64_t bytes) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const auto rate =
        static_cast<std::uint64_t>(secs > 0 ? static_cast<double>(records) / secs : 0);
    char line[160];
    if (size_ > 0) {
      const double frac = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(size_));
      const int filled = static_cast<int>(frac * 30);
      std::snprintf(line, sizeof line, "\r[%-30.*s] %3d%%  %llu records  %llu records/s", filled,
                    "##############################", static_cast<int>(frac * 100),
                    static_cast<unsigned long long>(records),
                    static_cast<unsigned long long>(rate));
    } else {
      std::snprintf(line, sizeof line, "\r%llu records  %llu records/s",
                    static_cast<unsigned long long>(records),
                    static_cast<unsigned long long>(rate));
    }
    err_ << line << std::flush;
    drawn_ = true;
  }
  void clear() {
    if (drawn_) err_ << "\r\033[K" << std::flush;
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& err_;
  bool enabled_;
  std::uint64_t size_;
  Clock::time_point start_, last_;
  bool drawn_ = false;
};

// The command line into options; nullopt after reporting a usage error (exit 2).
std::optional<RewrapOptions> parseRewrapArgs(const std::vector<std::string>& args,
                                             std::ostream& err) {
  const auto usage = [&](const std::string& message) -> std::optional<RewrapOptions> {
    usageError(err, "rewrap", message);
    return std::nullopt;
  };
  RewrapOptions o;
  o.threads = std::max(1u, std::thread::hardware_concurrency());
  std::string field = "credentials", format = "documents";
  bool haveInput = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string problem;
    switch (parseContextOption(args, i, true, o.config.context, problem)) {
      case ContextOption::kTaken:
        continue;
      case ContextOption::kBad:
        return usage(problem);
      case ContextOption::kNotMine:
        break;
    }
    const std::string& a = args[i];
    const bool takesValue = a == "--field" || a == "--format" || a == "--threads" || a == "-o";
    if (takesValue && i + 1 >= args.size()) return usage(a + " needs a value");
    if (a == "--field") {
      field = args[++i];
    } else if (a == "--format") {
      format = args[++i];
    } else if (a == "--threads") {
      const std::string& n = args[++i];
      if (n.empty() || n.size() > 3 || n.find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(n) < 1 || std::stoul(n) > 256) {
        return usage("--threads must be a number from 1 to 256");
      }
      o.threads = static_cast<unsigned>(std::stoul(n));
    } else if (a == "-o") {
      o.output = args[++i];
      o.haveOutput = true;
    } else if (a == "--keep-going") {
      o.keepGoing = true;
    } else if (a == "--dry-run") {
      o.dryRun = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage("unknown option '" + a + "'");
    } else if (!haveInput) {
      o.input = a;
      haveInput = true;
    } else {
      return usage("expected at most one INPUT");
    }
  }
  if (format == "documents") {
    o.config.format = RewrapFormat::kDocuments;
  } else if (format == "updates") {
    o.config.format = RewrapFormat::kUpdates;
  } else {
    return usage("--format must be documents or updates");
  }
  const std::optional<FieldPath> path = parseFieldPath(field);
  if (!path) return usage("--field must be a dotted path of non-empty names not starting with '$'");
  o.config.path = *path;
  if (const auto problem = resolveContextSpec(o.config.context, o.config.path)) return usage(*problem);
  if (o.haveOutput && o.output.empty()) return usage("-o needs a file name");
  if (o.dryRun && o.haveOutput) return usage("--dry-run writes nothing: drop -o");
  return o;
}

// The summary on err; the exit status of a run that got this far.
int printRewrapSummary(std::ostream& err, const RewrapOptions& o, const RewrapTotals& total,
                       bool binding) {
  err << "connector-crypto rewrap: " << (o.dryRun ? "dry run, nothing written\n" : "done\n")
      << "  records read              " << total.records << "\n"
      << "  encrypted from plaintext  " << total.fromPlaintext << "\n";
  for (const auto& e : total.fromKid) {
    err << "  rewrapped from " << e.first
        << std::string(e.first.size() < 11 ? 11 - e.first.size() : 1, ' ') << e.second << "\n";
  }
  if (binding) err << "  newly bound               " << total.newlyBound << "\n";
  err << "  unchanged                 " << total.unchanged << "\n"
      << "  skipped                   " << total.skipped << "\n";
  return total.skipped == 0 ? kExitOk : kExitSkipped;
}

int runRewrap(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
              const CliEnv& env) {
  std::optional<RewrapOptions> options = parseRewrapArgs(args, err);
  if (!options) return kExitUsage;
  RewrapOptions& o = *options;

  const Keyring keyring = keyringOf(env);
  if (!o.config.context.empty()) noteContextWithoutBinding(err, "rewrap", keyring, true);
  const bool binding = binds(o.config, keyring);
  if (keyring.options().bindContext && o.config.context.empty()) {
    return usageError(err, "rewrap",
                      "CONNECTOR_CRED_BIND_CONTEXT=1 binds every record to its context: give "
                      "--context, --context-id, --context-path or --context-from");
  }
  std::optional<Input> in = openInput(o.input, env, err, "rewrap");
  if (!in) return kExitUsage;
  IvIndex sharedIvs;
  std::uint64_t firstReadBytes = 0;
  if (binding) {
    if (!in->regular) {
      return usageError(err, "rewrap",
                        "binding (CONNECTOR_CRED_BIND_CONTEXT=1) reads INPUT twice, every IV "
                        "first: give INPUT as a regular file, not standard input or a pipe");
    }
    LineReader first(*in->stream);
    if (!indexIvs(first, o.config.path, o.threads, sharedIvs)) {
      return fail(err, "rewrap", in->name + ": " + first.error(), kExitDataError);
    }
    firstReadBytes = first.bytesRead();
    in = openInput(o.input, env, err, "rewrap");
    if (!in) return kExitUsage;
    o.config.sharedIvs = &sharedIvs;
  }
  const bool toFile = o.toFile();
  AtomicFile file;
  if (!o.dryRun && toFile && !file.open(o.output)) return outputFailure(err, "rewrap", file);

  LineReader reader(*in->stream);
  Progress progress(err, env.stderrIsTerminal, in->size);
  std::string writeError;
  bool stdoutFailed = false;  // runCli reports a failed out
  RewrapSinks sinks;
  sinks.write = [&](std::string_view text) {
    if (toFile) {
      if (file.write(text)) return true;
      writeError = file.error();
      return false;
    }
    if (out.write(text.data(), static_cast<std::streamsize>(text.size()))) return true;
    stdoutFailed = true;  // stop reading: nothing more can be written
    return false;
  };
  sinks.skipped = [&](const RewrapSkip& s) {
    progress.clear();
    err << "connector-crypto rewrap: skipped " << describe(s) << "\n";
  };
  sinks.progress = [&](const RewrapTotals& t) { progress.update(t.records, reader.bytesRead()); };
  const RewrapTotals total = rewrapLines(reader, o, keyring, sinks);
  progress.clear();

  if (total.wholeFileJson) printOneDocumentPerLineHint(err, "rewrap");
  if (total.stoppedAt) {
    return fail(err, "rewrap",
                "unreadable record at " + describe(*total.stoppedAt) +
                    (toFile ? "; " + o.output + " was not written" : "") +
                    " (--keep-going copies such records unchanged)",
                kExitDataError);
  }
  if (!total.readOk) return fail(err, "rewrap", in->name + ": " + reader.error(), kExitDataError);
  if (!writeError.empty()) return fail(err, "rewrap", writeError, kExitDataError);
  if (binding && !stdoutFailed && reader.bytesRead() != firstReadBytes) {
    return fail(err, "rewrap",
                in->name + " changed between its two reads" +
                    (toFile ? "; " + o.output + " was not written" : ""),
                kExitDataError);
  }
  if (!o.dryRun && toFile && !file.commit()) return outputFailure(err, "rewrap", file);
  if (stdoutFailed || (!o.dryRun && !toFile && !out.flush())) return kExitDataError;
  return printRewrapSummary(err, o, total, binding);
}

}  // namespace

Command rewrapCommand() {
  return {"rewrap", "bring a mongoexport file's credentials to the active key", kRewrapHelp,
          runRewrap};
}

}  // namespace cli
}  // namespace connector_crypto
