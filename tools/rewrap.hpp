// One mongoexport line through rewrap or audit: pure functions of (line, config, keyring), so the
// streaming commands, the tests and the libFuzzer target all call the same code.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "connector_crypto/error.hpp"
#include "connector_crypto/keyring.hpp"
#include "exact_int64.hpp"
#include "export_line.hpp"
#include "line_stream.hpp"
#include "record_context.hpp"
#include "shared_iv.hpp"

namespace connector_crypto {
namespace cli {

// Why v (a value carrying "__enc") is not a well-formed envelope with a valid kid, in the library's
// words (inspectCredentials); empty when it is.
std::string envelopeShapeProblem(const nlohmann::json& v);

// What one mongoexport line's field is: the one classification audit and rewrap share, made by the
// library's inspectCredentials (decrypt's own envelope rules) and its error codes, never by message
// text. No key is needed; whether an envelope decrypts is the caller's question.
struct RecordClass {
  enum class Kind {
    kBlank,      // only whitespace: not a record
    kMissing,    // the field is absent (a level on the way is missing or not an object) or null
    kPlaintext,  // no "__enc": legacy plaintext (see convertible)
    kEnvelope,   // a well-formed envelope under kid (its tag is not checked)
    kMalformed,  // can never be read: see error and reason
  };
  Kind kind = Kind::kBlank;
  // kPlaintext: its Extended JSON wrappers convert to what the TypeScript services' JSON.stringify
  // gives, so rewrap can seal it; false for $binary, $numberDecimal, ... (reason says which).
  bool convertible = true;
  std::string kid;            // kEnvelope: the kid it was sealed under
  bool bound = false;         // kEnvelope: a bound envelope (it has "ctx")
  std::optional<IvBytes> iv;  // kEnvelope: its IV
  // kMalformed: the code decryptCredentials throws for the field (EnvelopeError's codes, kTooDeep,
  // ...), or kInvalidText when the line is not a JSON document, names a member on the path twice,
  // or the field's Extended JSON cannot be converted.
  ErrorCode error = ErrorCode::kInternal;
  std::string reason;  // kMalformed, or unconvertible kPlaintext: why, naming the field; no value
  std::string id;      // the document's _id as JSON text (shortened), or empty
  Located where;       // where _id and the field are (not kBlank, not a line that is not JSON)
  // kPlaintext (convertible) and kEnvelope: the field's value, Extended JSON converted. Wiped when
  // the RecordClass dies.
  std::optional<nlohmann::json> value;
  // kEnvelope: the field's bytes are the envelope as it is (no Extended JSON wrapper in it), so the
  // text API can take them without a value.
  bool envelopeTextAsIs = false;

  RecordClass() = default;
  RecordClass(RecordClass&&) = default;
  RecordClass& operator=(RecordClass&&) = default;
  RecordClass(const RecordClass&) = delete;
  RecordClass& operator=(const RecordClass&) = delete;
  ~RecordClass();
};

// Classifies the field at path of line. Never throws but std::bad_alloc.
RecordClass classifyRecord(std::string_view line, const FieldPath& path);

// What rewrap writes for a changed record.
enum class RewrapFormat {
  kDocuments,  // the whole document, for export and backup files offline (never a live collection)
  kUpdates,  // {"filter":…,"update":{"$set":…}}: the only live path (tools/apply-rewrap-updates.js)
};

struct RewrapConfig {
  FieldPath path;
  RewrapFormat format = RewrapFormat::kDocuments;
  // Each record's encryption context (resolveContextSpec'd); empty: none.
  ContextSpec context;
  // Binding (the keyring's bindContext and a context): the shared IVs of the whole input
  // (indexIvs); an unbound envelope whose IV another record holds is refused, not bound. Binding
  // without an index refuses every unbound envelope.
  const IvIndex* sharedIvs = nullptr;
};

// True when rewrap binds unbound envelopes and plaintext: the keyring's bindContext, a context.
bool binds(const RewrapConfig& config, const Keyring& keyring) noexcept;

struct RecordResult {
  enum class Status {
    kBlank,       // only whitespace: copied, not a record
    kUnchanged,   // copy the line byte for byte
    kChanged,     // write `output` instead
    kUnreadable,  // not JSON, malformed envelope, unknown kid, authentication failure, ...
  };
  Status status = Status::kBlank;
  std::string output;       // kChanged: the new line without its newline
  std::string fromKid;      // kChanged: the kid it was under; empty when it was plaintext
  bool newlyBound = false;  // kChanged: bound now, an unbound envelope or plaintext before
  std::string reason;       // kUnreadable: why; never quotes a value
  std::string id;           // the document's _id as JSON text (shortened), or empty
};

// Brings the field at config.path to the keyring's active kid, from classifyRecord: an envelope
// under another kid through rewrapCredentialsText on the field's bytes (no plaintext value is
// built), plaintext through its Extended JSON conversion and rewrapCredentials. With a context,
// the record's own (recordContext), and the library's needsRewrap decides; binding, an unbound
// envelope whose IV is shared is refused. Never throws but std::bad_alloc: every failure (a
// context that cannot be built included) is kUnreadable with a reason.
RecordResult rewrapRecord(std::string_view line, const RewrapConfig& config,
                          const Keyring& keyring);

// The bytes to write for line given its result (without the newline).
inline std::string_view emittedText(std::string_view line, const RecordResult& r) noexcept {
  return r.status == RecordResult::Status::kChanged ? std::string_view(r.output) : line;
}

// One rewrap run as the command line asked for it (parseRewrapArgs in cmd_rewrap.cc).
struct RewrapOptions {
  RewrapConfig config;
  bool keepGoing = false;  // skip unreadable records instead of stopping
  bool dryRun = false;     // count only; write nothing
  unsigned threads = 1;    // worker threads
  std::string input;       // "" or "-": standard input
  std::string output;      // -o (with haveOutput); "-": standard output
  bool haveOutput = false;
  bool toFile() const noexcept { return haveOutput && output != "-"; }
};

// An unreadable record: its line number, _id text and why.
struct RewrapSkip {
  std::uint64_t line = 0;
  std::string id;
  std::string reason;
};
// "line N (_id X): reason", as rewrap reports it.
std::string describe(const RewrapSkip& s);

// What the pipeline did, for the summary.
struct RewrapTotals {
  std::uint64_t records = 0, fromPlaintext = 0, unchanged = 0, skipped = 0, newlyBound = 0;
  std::map<std::string, std::uint64_t> fromKid;
  std::optional<RewrapSkip> stoppedAt;  // without keepGoing: the unreadable record that stopped it
  bool wholeFileJson = false;           // the first line is unreadable and looks like --pretty
  bool readOk = true;                   // false: reader.error() says why
  bool writeStopped = false;            // write returned false
};

// Where the pipeline's results go, on the calling thread, in input order.
struct RewrapSinks {
  std::function<bool(std::string_view bytes)> write;  // the output's next bytes; false stops
  std::function<void(const RewrapSkip&)> skipped;     // with keepGoing, each skipped record
  std::function<void(const RewrapTotals&)> progress;  // after each batch
};

// The pipeline: reads reader's batches on options.threads workers, runs rewrapRecord on every
// line and hands the output bytes (every line for documents, the updates for updates; none when
// dryRun) to sinks.write. Stops at the first unreadable record unless keepGoing; the batch holding
// it is not written. Never throws but std::bad_alloc. Defined in cmd_rewrap.cc (it uses
// cli_common.hpp; the fuzz target links rewrap.cc alone).
RewrapTotals rewrapLines(LineReader& reader, const RewrapOptions& options, const Keyring& keyring,
                         const RewrapSinks& sinks);

// The IVs of every envelope at path in reader's lines (classifyRecord), on `threads` workers,
// finished: rewrap's first pass when it binds. False when the reader failed.
bool indexIvs(LineReader& reader, const FieldPath& path, unsigned threads, IvIndex& index);

struct AuditResult {
  // kPlaintext, kEncrypted and kMissing are what the field is; kInvalid a record that can never be
  // read (classifyRecord's kMalformed) or, verifying with a context, an envelope that does not
  // open under its record's context (authentication, other names: copied from another record,
  // or modified). With a verifying keyring, verified is false for a record counted above that
  // rewrap would refuse: an envelope that does not decrypt (unknown kid, authentication without a
  // context, a bound envelope without one), plaintext whose Extended JSON does not convert, a
  // record whose context cannot be built.
  enum class Kind { kBlank, kMissing, kPlaintext, kEncrypted, kInvalid };
  Kind kind = Kind::kBlank;
  bool verified = true;
  bool bound = false;         // kEncrypted: a bound envelope
  std::optional<IvBytes> iv;  // a well-formed envelope's IV (kEncrypted, or kInvalid by context)
  std::string kid;            // kEncrypted, kInvalid by context: the envelope's kid
  std::string reason;         // kInvalid, or !verified: why
  std::string id;             // the document's _id as JSON text (shortened), or empty
};

// Classifies the field at path with classifyRecord; with verify non-null also checks what rewrap
// would check, opening each envelope under the record's context when context is not empty (see
// AuditResult). Never throws but std::bad_alloc.
AuditResult auditRecord(std::string_view line, const FieldPath& path, const Keyring* verify,
                        const ContextSpec& context = ContextSpec{});

}  // namespace cli
}  // namespace connector_crypto
