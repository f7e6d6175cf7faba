// audit: count a mongoexport file's records by state of the credentials field.
#include <map>
#include <ostream>
#include <thread>

#include "cli_common.hpp"
#include "connector_crypto/connector_crypto.hpp"
#include "line_stream.hpp"
#include "record_context.hpp"
#include "rewrap.hpp"
#include "shared_iv.hpp"

namespace connector_crypto {
namespace cli {
namespace {

// Invalid records listed one by one on standard error; the rest are only counted.
constexpr std::size_t kMaxListed = 20;

// --expect-only KID / --expect-bound: records other than the expected envelopes remain.
constexpr int kExitOthersRemain = kExitSkipped;  // 3

constexpr const char* kAuditHelp =
    "usage: connector-crypto audit [--field PATH] [--verify] [--expect-only KID] [--expect-bound]\n"
    "                              [--context NAME=VALUE] [--context-id NAME]\n"
    "                              [--context-path NAME] [--context-from NAME=FIELD] [FILE]\n"
    "\n"
    "Reads a mongoexport file (JSON Lines, relaxed Extended JSON v2: one document per line) from\n"
    "FILE, or standard input when FILE is absent or '-', and prints one JSON summary:\n"
    "  {\"total\":N,\"plaintext\":N,\"encrypted\":{\"v1\":N,\"v2\":N},\"bound\":{\"v2\":N},\n"
    "   \"unbound\":{\"v1\":N,\"v2\":N},\"missing\":N,\"invalid\":N,\"sharedIv\":N}\n"
    "  plaintext  the field holds no \"__enc\" (legacy plaintext)\n"
    "  encrypted  well-formed envelopes, per kid (whether or not the keyring holds the kid)\n"
    "  bound      of those, bound envelopes (with \"ctx\"), per kid; unbound: the others, so\n"
    "             that encrypted = bound + unbound for every kid (a kid with none is left out)\n"
    "  missing    the field is absent or null\n"
    "  invalid    the line is not a JSON document, or the field carries \"__enc\" but is\n"
    "             malformed: no key can ever read it\n"
    "  sharedIv   records whose envelope's IV (its 12 bytes) another record also holds: with\n"
    "             random IVs a repeat is a copied envelope (or a broken random generator).\n"
    "             Each group is listed on standard error by line and _id. With --verify,\n"
    "             --expect-only or --expect-bound (the gates) a sharedIv above 0 is exit 3: it\n"
    "             must be 0 before rewrap binds and before a key is dropped (docs/ROTATION.md;\n"
    "             connectors duplicated on purpose exist: re-encrypt one of them). Without a\n"
    "             gate it is only counted. To count it, audit keeps about 32 bytes and the _id\n"
    "             of each envelope in memory.\n"
    "plaintext, encrypted, missing and invalid add up to total. Rewrap and audit classify a\n"
    "record by the same rules. Keys may be added to the summary; none is removed or changes\n"
    "meaning.\n"
    "  --field PATH   the credentials field (default credentials; dotted paths reach nested\n"
    "                 fields, e.g. config.auth)\n"
    "  --verify       also check every record as rewrap would read it, with the keyring in the\n"
    "                 environment: decrypt every envelope (unknown kid, authentication failure,\n"
    "                 a bound envelope without a context) and convert every plaintext's Extended\n"
    "                 JSON ($binary, $numberDecimal, ... cannot be); the summary gains\n"
    "                 \"unreadable\":N (before \"sharedIv\"), those of the records counted above\n"
    "                 that fail. Without it no key is needed.\n"
    "  --expect-only KID  exit 3 unless every record is an envelope under KID (missing/null\n"
    "                 fields aside: they need no key); plaintext, envelopes under other kids,\n"
    "                 invalid records and, with --verify, unreadable ones all count against it.\n"
    "                 With --verify it answers \"may I drop every other key?\" without parsing\n"
    "                 the summary: run it on every collection and backup you still need to read.\n"
    "  --expect-bound exit 3 unless every record is a bound envelope (missing/null fields\n"
    "                 aside): the gate before CONNECTOR_CRED_REQUIRE_CONTEXT=1 and before "
    "dropping\n"
    "                 the last key that unbound envelopes were written under. With --expect-only\n"
    "                 KID both must hold: every record a bound envelope under KID.\n"
    "                 Both fail (exit 3) when no record holds the field: an empty export or a\n"
    "                 mistyped --field (every record missing) passes no gate.\n"
    "  --context NAME=VALUE, --context-id NAME, --context-path NAME, --context-from NAME=FIELD\n"
    "                 with --verify only: open each envelope under its record's own context,\n"
    "                 built as 'connector-crypto rewrap --help' describes (the same options and\n"
    "                 rules; a record whose context cannot be built is unreadable). An envelope\n"
    "                 that does not open under it (authentication fails, or it is bound to other\n"
    "                 names) counts as invalid, not under its kid: a bound envelope copied from\n"
    "                 another record is found this way (a wrong key looks the same). Without\n"
    "                 CONNECTOR_CRED_BIND_CONTEXT=1 standard error says once that an unbound\n"
    "                 envelope opens under any context.\n"
    "Invalid and unreadable records are listed on standard error (line number and _id; never a\n"
    "value).\n"
    "FILE must hold one document per line (mongoexport's default output, not --pretty or\n"
    "--jsonArray).\n"
    "Exit 0 when no record is invalid or unreadable (with --expect-only: every record is an\n"
    "envelope under KID or missing, and at least one holds the field) and, under a gate, no IV\n"
    "is shared; 1 when one is invalid or unreadable (the summary is printed either way), when\n"
    "FILE fails while being read or when standard output could not be written; 2 usage or\n"
    "configuration error (FILE cannot be opened or is a folder, --expect-only without a valid\n"
    "kid, a context option without --verify or breaking a rule); 3 with --expect-only or\n"
    "--expect-bound, when any record is not such an envelope (plaintext, another kid, unbound,\n"
    "invalid, unreadable), when no record holds the field, or when sharedIv is above 0; 3 with\n"
    "--verify alone when sharedIv is above 0 and nothing is invalid or unreadable; a read or\n"
    "write failure is still 1.\n";

struct Counts {
  std::uint64_t total = 0, plaintext = 0, missing = 0, invalid = 0, unreadable = 0;
  std::uint64_t notExpected = 0;  // --expect-only/-bound: records other than the expected envelopes
  std::map<std::string, std::uint64_t> encrypted, bound, unbound;
  IvIndex ivs;  // every envelope's IV, to count those more than one record holds
  std::vector<std::string> listed;  // "line N (_id X): reason"
  std::uint64_t unlisted = 0;
  bool wholeFileJson = false;  // the input's first line is invalid and looks like --pretty

  void list(std::string line) {
    if (listed.size() < kMaxListed) {
      listed.push_back(std::move(line));
    } else {
      ++unlisted;
    }
  }

  void add(Counts&& other) {
    total += other.total;
    plaintext += other.plaintext;
    missing += other.missing;
    invalid += other.invalid;
    unreadable += other.unreadable;
    notExpected += other.notExpected;
    for (const auto& e : other.encrypted) encrypted[e.first] += e.second;
    for (const auto& e : other.bound) bound[e.first] += e.second;
    for (const auto& e : other.unbound) unbound[e.first] += e.second;
    ivs.append(std::move(other.ivs));
    for (std::string& line : other.listed) list(std::move(line));
    unlisted += other.unlisted;
    wholeFileJson = wholeFileJson || other.wholeFileJson;
  }
};

// Each group of records holding one IV, on standard error (at most kMaxListed groups).
void listSharedIvs(std::ostream& err, const IvIndex& ivs) {
  const auto groups = ivs.groups();
  for (std::size_t i = 0; i < groups.size() && i < kMaxListed; ++i) {
    err << "connector-crypto audit: one iv held by " << groups[i]->size()
        << " records: " << describeHolders(*groups[i]) << "\n";
  }
  if (groups.size() > kMaxListed) {
    err << "connector-crypto audit: ... and " << groups.size() - kMaxListed
        << " more groups of records sharing an iv\n";
  }
}

int runAudit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
             const CliEnv& env) {
  std::string field = "credentials", file, expectOnly;
  bool verify = false, haveFile = false, haveExpectOnly = false, expectBound = false;
  ContextSpec context;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string problem;
    switch (parseContextOption(args, i, true, context, problem)) {
      case ContextOption::kTaken:
        continue;
      case ContextOption::kBad:
        return usageError(err, "audit", problem);
      case ContextOption::kNotMine:
        break;
    }
    const std::string& a = args[i];
    if (a == "--field") {
      if (i + 1 >= args.size()) return usageError(err, "audit", "--field needs a value");
      field = args[++i];
    } else if (a == "--expect-only") {
      if (i + 1 >= args.size()) return usageError(err, "audit", "--expect-only needs a kid");
      expectOnly = args[++i];
      haveExpectOnly = true;
    } else if (a == "--expect-bound") {
      expectBound = true;
    } else if (a == "--verify") {
      verify = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return usageError(err, "audit", "unknown option '" + a + "'");
    } else if (!haveFile) {
      file = a;
      haveFile = true;
    } else {
      return usageError(err, "audit", "expected at most one FILE");
    }
  }
  const std::optional<FieldPath> path = parseFieldPath(field);
  if (!path) {
    return usageError(err, "audit",
                      "--field must be a dotted path of non-empty names not starting with '$'");
  }
  if (const auto problem = resolveContextSpec(context, *path)) {
    return usageError(err, "audit", *problem);
  }
  if (!context.empty() && !verify) {
    return usageError(err, "audit",
                      "the --context options need --verify (without it nothing is opened)");
  }
  if (haveExpectOnly && !isValidKid(expectOnly)) {
    return usageError(err, "audit", std::string("--expect-only: ") + kidProblem(expectOnly));
  }
  std::optional<Keyring> keyring;
  if (verify) keyring = keyringOf(env);
  if (keyring && !context.empty()) noteContextWithoutBinding(err, "audit", *keyring, false);
  std::optional<Input> in = openInput(file, env, err, "audit");
  if (!in) return kExitUsage;

  LineReader reader(*in->stream);
  Counts counts;
  const Keyring* verifyWith = keyring ? &*keyring : nullptr;
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const bool readOk = processInOrder(
      reader, threads,
      [&](LineBatch& batch) {
        Counts c;
        for (std::size_t i = 0; i < batch.lines.size(); ++i) {
          AuditResult r = auditRecord(batch.line(i), *path, verifyWith, context);
          if (r.kind == AuditResult::Kind::kBlank) continue;
          ++c.total;
          const auto where = [&] {
            return "line " + std::to_string(batch.firstLineNumber + i) +
                   (r.id.empty() ? "" : " (_id " + r.id + ")") + ": " + r.reason;
          };
          switch (r.kind) {
            case AuditResult::Kind::kMissing:
              ++c.missing;
              break;
            case AuditResult::Kind::kPlaintext:
              ++c.plaintext;
              break;
            case AuditResult::Kind::kEncrypted:
              ++c.encrypted[r.kid];
              ++(r.bound ? c.bound : c.unbound)[r.kid];
              break;
            default:
              ++c.invalid;
              if (batch.firstLineNumber == 1 && c.total == 1) {
                c.wholeFileJson = looksLikeWholeFileJson(batch.line(i));
              }
              c.list(where());
          }
          if (r.iv) c.ivs.add(*r.iv, batch.firstLineNumber + i, r.id);
          if (!r.verified) {
            ++c.unreadable;
            c.list(where());
          }
          const bool expected =
              r.kind == AuditResult::Kind::kMissing ||
              (r.kind == AuditResult::Kind::kEncrypted && r.verified &&
               (!haveExpectOnly || r.kid == expectOnly) && (!expectBound || r.bound));
          if (!expected) ++c.notExpected;
        }
        detail::secureWipe(batch.text.data(), batch.text.size());
        return c;
      },
      [&](Counts&& c) {
        counts.add(std::move(c));
        return true;
      });
  if (!readOk) return fail(err, "audit", in->name + ": " + reader.error(), kExitDataError);

  for (const std::string& line : counts.listed) err << "connector-crypto audit: " << line << "\n";
  if (counts.unlisted > 0) {
    err << "connector-crypto audit: ... and " << counts.unlisted
        << " more invalid or unreadable records\n";
  }
  if (counts.wholeFileJson) {
    // Not read as records at all: no summary of it, and no gate's verdict.
    printOneDocumentPerLineHint(err, "audit");
    return kExitDataError;
  }
  counts.ivs.finish();
  listSharedIvs(err, counts.ivs);
  nlohmann::ordered_json summary;
  summary["total"] = counts.total;
  summary["plaintext"] = counts.plaintext;
  const auto perKid = [](const std::map<std::string, std::uint64_t>& counted) {
    nlohmann::ordered_json byKid = nlohmann::ordered_json::object();
    for (const auto& e : counted) byKid[e.first] = e.second;
    return byKid;
  };
  summary["encrypted"] = perKid(counts.encrypted);
  summary["bound"] = perKid(counts.bound);
  summary["unbound"] = perKid(counts.unbound);
  summary["missing"] = counts.missing;
  summary["invalid"] = counts.invalid;
  if (verify) summary["unreadable"] = counts.unreadable;
  const std::uint64_t sharedIv = counts.ivs.sharedRecords();
  summary["sharedIv"] = sharedIv;
  out << summary.dump() << "\n";
  const bool expecting = haveExpectOnly || expectBound;
  // A gate (--verify, --expect-only, --expect-bound) fails on a copied envelope.
  const bool sharedFails = sharedIv > 0 && (verify || expecting);
  if (sharedFails) {
    err << "connector-crypto audit: " << sharedIv
        << " records hold an iv another record holds (a copied envelope, or a connector "
           "duplicated on purpose: a person decides); the gate fails until sharedIv is 0\n";
  }
  if (expecting) {
    const std::uint64_t others = counts.notExpected;
    if (others > 0) {
      err << "connector-crypto audit: " << others << " record" << (others == 1 ? "" : "s")
          << " not " << (expectBound ? "a bound envelope" : "an envelope")
          << (haveExpectOnly ? " under \"" + expectOnly + "\"" : std::string())
          << (verify ? " that decrypts" : "") << "\n";
    }
    // Nothing to check passes no gate: an empty export, or a --field no record holds.
    const bool noneHeld = counts.missing == counts.total;
    if (noneHeld) {
      const std::uint64_t n = counts.total;
      err << "connector-crypto audit: no record holds the field \"" << field << "\" ("
          << n << (n == 1 ? " record" : " records")
          << (n == 0 ? "" : n == 1 ? ", missing it or null" : ", each missing it or null")
          << "): an empty export or a mistyped --field passes no gate\n";
    }
    return others == 0 && !sharedFails && !noneHeld ? kExitOk : kExitOthersRemain;
  }
  if (counts.invalid > 0 || counts.unreadable > 0) return kExitDataError;
  return sharedFails ? kExitOthersRemain : kExitOk;
}

}  // namespace

Command auditCommand() {
  return {"audit",
          "count a mongoexport file's records: plaintext, per kid, bound, invalid, shared IVs",
          kAuditHelp, runAudit};
}

}  // namespace cli
}  // namespace connector_crypto
