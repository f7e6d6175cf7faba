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

constexpr const char* kAuditHelp =
    "usage: connector-crypto audit [--field PATH] [--verify] [FILE]\n"
    "\n"
    "Reads a mongoexport file (JSON Lines, relaxed Extended JSON v2: one document per line) from\n"
    "FILE, or standard input when FILE is absent or '-', and prints one JSON summary:\n"
    "  "
    "{\"total\":N,\"plaintext\":N,\"encrypted\":{\"v1\":N,\"v2\":N},\"missing\":N,\"invalid\":N}\n"
    "  missing    the field is absent or null\n"
    "  invalid    the line is not JSON, or the field carries \"__enc\" but is malformed\n"
    "  --field PATH   the credentials field (default credentials; dotted paths reach nested\n"
    "                 fields, e.g. config.auth)\n"
    "  --verify       also decrypt every envelope with the keyring in the environment; failures\n"
    "                 (unknown kid, authentication) count as invalid. Without it no key is "
    "needed.\n"
    "Invalid records are listed on standard error (line number and _id; never a value).\n"
    "Answers \"can v1 be dropped from CONNECTOR_CRED_KEYS yet?\": yes once encrypted holds only\n"
    "the active kid and plaintext and invalid are 0, in every collection and every backup you\n"
    "still need to read.\n"
    "FILE must hold one document per line (mongoexport's default output, not --pretty or\n"
    "--jsonArray).\n"
    "Exit 0 when no record is invalid; 1 when one is (the summary is printed either way), when\n"
    "FILE fails while being read or when standard output could not be written; 2 usage or\n"
    "configuration error (FILE cannot be opened or is a folder).\n";

struct Counts {
  std::uint64_t total = 0, plaintext = 0, missing = 0, invalid = 0;
  std::map<std::string, std::uint64_t> encrypted;
  std::vector<std::string> listed;  // "line N (_id X): reason"
  std::uint64_t unlisted = 0;
  bool wholeFileJson = false;  // the input's first line is invalid and looks like --pretty

  void add(Counts&& other) {
    total += other.total;
    plaintext += other.plaintext;
    missing += other.missing;
    invalid += other.invalid;
    for (const auto& e : other.encrypted) encrypted[e.first] += e.second;
    for (std::string& line : other.listed) {
      if (listed.size() < kMaxListed) {
        listed.push_back(std::move(line));
      } else {
        ++unlisted;
      }
    }
    unlisted += other.unlisted;
    wholeFileJson = wholeFileJson || other.wholeFileJson;
  }
};

int runAudit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
             const CliEnv& env) {
  std::string field = "credentials", file;
  bool verify = false, haveFile = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--field") {
      if (i + 1 >= args.size()) return usageError(err, "audit", "--field needs a value");
      field = args[++i];
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
              if (c.listed.size() < kMaxListed) {
                c.listed.push_back("line " + std::to_string(batch.firstLineNumber + i) +
                                   (r.id.empty() ? "" : " (_id " + r.id + ")") + ": " + r.reason);
              } else {
                ++c.unlisted;
              }
          }
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
    err << "connector-crypto audit: ... and " << counts.unlisted << " more invalid records\n";
  }
  if (counts.wholeFileJson) printOneDocumentPerLineHint(err, "audit");
  nlohmann::ordered_json summary;
  summary["total"] = counts.total;
  summary["plaintext"] = counts.plaintext;
  summary["encrypted"] = nlohmann::ordered_json::object();
  for (const auto& e : counts.encrypted) summary["encrypted"][e.first] = e.second;
  summary["missing"] = counts.missing;
  summary["invalid"] = counts.invalid;
  out << summary.dump() << "\n";
  return counts.invalid == 0 ? kExitOk : kExitDataError;
}

}  // namespace

Command auditCommand() {
  return {"audit", "count a mongoexport file's records: plaintext, per kid, missing, invalid",
          kAuditHelp, runAudit};
}

}  // namespace cli
}  // namespace connector_crypto
