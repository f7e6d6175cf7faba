// One mongoexport line through rewrap or audit: pure functions of (line, config, keyring), so the
// streaming commands, the tests and the libFuzzer target all call the same code.
#pragma once

#include <string>
#include <string_view>

#include "connector_crypto/keyring.hpp"
#include "mongo_json.hpp"

namespace connector_crypto {
namespace cli {

// Why v (a value carrying "__enc") is not a well-formed envelope with a valid kid, in the library's
// words (needsRewrap against a throwaway keyring: no real key needed); empty when it is.
std::string envelopeShapeProblem(const nlohmann::json& v);

// What rewrap writes for a changed record.
enum class RewrapFormat {
  kDocuments,  // the whole document, for export and backup files offline (never a live collection)
  kUpdates,  // {"filter":…,"update":{"$set":…}}: the only live path (tools/apply-rewrap-updates.js)
};

struct RewrapConfig {
  FieldPath path;
  RewrapFormat format = RewrapFormat::kDocuments;
};

struct RecordResult {
  enum class Status {
    kBlank,       // only whitespace: copied, not a record
    kUnchanged,   // copy the line byte for byte
    kChanged,     // write `output` instead
    kUnreadable,  // not JSON, malformed envelope, unknown kid, authentication failure, ...
  };
  Status status = Status::kBlank;
  std::string output;   // kChanged: the new line without its newline
  std::string fromKid;  // kChanged: the kid it was under; empty when it was plaintext
  std::string reason;   // kUnreadable: why; never quotes a value
  std::string id;       // the document's _id as JSON text (shortened), or empty
};

// Brings the field at config.path to the keyring's active kid with rewrapCredentials. Never throws
// but std::bad_alloc: every failure is kUnreadable with a reason.
RecordResult rewrapRecord(std::string_view line, const RewrapConfig& config,
                          const Keyring& keyring);

// The bytes to write for line given its result (without the newline).
inline std::string_view emittedText(std::string_view line, const RecordResult& r) noexcept {
  return r.status == RecordResult::Status::kChanged ? std::string_view(r.output) : line;
}

struct AuditResult {
  enum class Kind { kBlank, kMissing, kPlaintext, kEncrypted, kInvalid };
  Kind kind = Kind::kBlank;
  std::string kid;     // kEncrypted: the envelope's kid
  std::string reason;  // kInvalid: why
  std::string id;      // the document's _id as JSON text (shortened), or empty
};

// Classifies the field at path; with verify non-null, an envelope that does not decrypt under it is
// kInvalid. Never throws but std::bad_alloc.
AuditResult auditRecord(std::string_view line, const FieldPath& path, const Keyring* verify);

}  // namespace cli
}  // namespace connector_crypto
