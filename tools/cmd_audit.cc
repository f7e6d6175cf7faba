// audit: count a mongoexport file's records by state of the credentials field.
#include <map>
#include <ostream>
#include <thread>

#include "cli_common.hpp"
#include "connector_crypto/connector_crypto.hpp"
#include "line_stream.hpp"
#include "rewrap.hpp"

namespace connector_crypto {
namespace cli {
namespace {

// Invalid records listed one by one on standard error; the rest are only counted.
constexpr std::size_t kMaxListed = 20;

// --expect-only KID: records other than envelopes under KID remain.
constexpr int kExitOthersRemain = kExitSkipped;  // 3

constexpr const char* kAuditHelp =
    "usage: connector-crypto audit [--field PATH] [--verify] [--expect-only KID] [FILE]\n"
    "\n"
    "Reads a mongoexport file (JSON Lines, relaxed Extended JSON v2: one document per line) from\n"
    "FILE, or standard input when FILE is absent or '-', and prints one JSON summary:\n"
    "  "
    "{\"total\":N,\"plaintext\":N,\"encrypted\":{\"v1\":N,\"v2\":N},\"missing\":N,\"invalid\":N}\n"
    "  plaintext  the field holds no \"__enc\" (legacy plaintext)\n"
    "  encrypted  well-formed envelopes, per kid (whether or not the keyring holds the kid)\n"
    "  missing    the field is absent or null\n"
    "  invalid    the line is not a JSON document, or the field carries \"__enc\" but is\n"
    "             malformed: no key can ever read it\n"
    "These four add up to total. Rewrap and audit classify a record by the same rules.\n"
    "  --field PATH   the credentials field (default credentials; dotted paths reach nested\n"
    "                 fields, e.g. config.auth)\n"
    "  --verify       also check every record as rewrap would read it, with the keyring in the\n"
    "                 environment: decrypt every envelope (unknown kid, authentication failure)\n"
    "                 and convert every plaintext's Extended JSON ($binary, $numberDecimal, ...\n"
    "                 cannot be); the summary gains \"unreadable\":N, those of the records counted\n"
    "                 above that fail. Without it no key is needed.\n"
    "  --expect-only KID  exit 3 unless every record is an envelope under KID (missing/null\n"
    "                 fields aside: they need no key); plaintext, envelopes under other kids,\n"
    "                 invalid records and, with --verify, unreadable ones all count against it.\n"
    "                 With --verify it answers \"may I drop every other key?\" without parsing\n"
    "                 the summary: run it on every collection and backup you still need to read.\n"
    "Invalid and unreadable records are listed on standard error (line number and _id; never a\n"
    "value).\n"
    "FILE must hold one document per line (mongoexport's default output, not --pretty or\n"
    "--jsonArray).\n"
    "Exit 0 when no record is invalid or unreadable (with --expect-only: every record is an\n"
    "envelope under KID or missing); 1 when one is (the summary is printed either way), when FILE\n"
    "fails while being read or when standard output could not be written; 2 usage or\n"
    "configuration error (FILE cannot be opened or is a folder, --expect-only without a valid\n"
    "kid); 3 with --expect-only, when any record is not an envelope under KID (plaintext, another\n"
    "kid, invalid, unreadable); a read or write failure is still 1.\n";

struct Counts {
  std::uint64_t total = 0, plaintext = 0, missing = 0, invalid = 0, unreadable = 0;
  std::uint64_t notExpected = 0;  // --expect-only: records other than verified envelopes under KID
  std::map<std::string, std::uint64_t> encrypted;
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
    for (std::string& line : other.listed) list(std::move(line));
    unlisted += other.unlisted;
    wholeFileJson = wholeFileJson || other.wholeFileJson;
  }
};

int runAudit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
             const CliEnv& env) {
  std::string field = "credentials", file, expectOnly;
  bool verify = false, haveFile = false, haveExpectOnly = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--field") {
      if (i + 1 >= args.size()) return usageError(err, "audit", "--field needs a value");
      field = args[++i];
    } else if (a == "--expect-only") {
      if (i + 1 >= args.size()) return usageError(err, "audit", "--expect-only needs a kid");
      expectOnly = args[++i];
      haveExpectOnly = true;
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
  if (haveExpectOnly && !isValidKid(expectOnly)) {
    return usageError(err, "audit", std::string("--expect-only: ") + kidProblem(expectOnly));
  }
  std::optional<Keyring> keyring;
  if (verify) keyring = keyringOf(env);
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
          AuditResult r = auditRecord(batch.line(i), *path, verifyWith);
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
              break;
            default:
              ++c.invalid;
              if (batch.firstLineNumber == 1 && c.total == 1) {
                c.wholeFileJson = looksLikeWholeFileJson(batch.line(i));
              }
              c.list(where());
          }
          if (!r.verified) {
            ++c.unreadable;
            c.list(where());
          }
          const bool expected =
              r.kind == AuditResult::Kind::kMissing ||
              (r.kind == AuditResult::Kind::kEncrypted && r.verified && r.kid == expectOnly);
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
  if (counts.wholeFileJson) printOneDocumentPerLineHint(err, "audit");
  nlohmann::ordered_json summary;
  summary["total"] = counts.total;
  summary["plaintext"] = counts.plaintext;
  summary["encrypted"] = nlohmann::ordered_json::object();
  for (const auto& e : counts.encrypted) summary["encrypted"][e.first] = e.second;
  summary["missing"] = counts.missing;
  summary["invalid"] = counts.invalid;
  if (verify) summary["unreadable"] = counts.unreadable;
  out << summary.dump() << "\n";
  if (haveExpectOnly) {
    const std::uint64_t others = counts.notExpected;
    if (others == 0) return kExitOk;
    err << "connector-crypto audit: " << others << " record" << (others == 1 ? "" : "s")
        << " not an envelope under \"" << expectOnly << "\"" << (verify ? " that decrypts" : "")
        << "\n";
    return kExitOthersRemain;
  }
  return counts.invalid == 0 && counts.unreadable == 0 ? kExitOk : kExitDataError;
}

}  // namespace

Command auditCommand() {
  return {"audit", "count a mongoexport file's records: plaintext, per kid, missing, invalid",
          kAuditHelp, runAudit};
}

}  // namespace cli
}  // namespace connector_crypto
