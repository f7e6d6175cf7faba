// libFuzzer target: one mongoexport line through the rewrap record handler (tools/rewrap.hpp).
// The first byte picks the output format (bit 0), the field path (bit 1), a context built per
// record (bit 2: --context collection=…, --context-id id, --context-path field, --context-from
// tenant=tenant) and, with it, a binding keyring (bit 3); the rest is the line.
// Contract checked: nothing but std::bad_alloc escapes; a changed record's new envelope is under
// the active kid, bound exactly when binding or when the old one was, and decrypts (under the
// record's context) to the value the old record held (Extended JSON converted), and in documents
// format every byte outside the field is kept, in updates format the filter pins the exported _id
// and value; an unchanged record is null, missing or already under the active kid (and bound, when
// binding); rewrapping a changed record again changes nothing; audit --verify and rewrap agree
// (they share classifyRecord and the record's context): what rewrap refuses audit does not pass,
// and what audit does not pass rewrap refuses, but for an envelope rewrap leaves without
// decrypting (under the active kid, and bound when binding).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector_crypto/connector_crypto.hpp"
#include "exact_int64.hpp"
#include "export_line.hpp"
#include "rewrap.hpp"

namespace {

using connector_crypto::EncryptionContext;
using connector_crypto::Keyring;
using connector_crypto::cli::ContextSpec;
using connector_crypto::cli::FieldPath;
using connector_crypto::cli::RecordResult;
using connector_crypto::cli::RewrapConfig;
using connector_crypto::cli::RewrapFormat;

// The test keys of tests/test_support.hpp (A under v1, B under v2; v2 active), binding or not.
Keyring makeKeyring(bool bind) {
  connector_crypto::KeyringOptions options;
  options.bindContext = bind;
  return Keyring::fromBase64({{"v1", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
                              {"v2", "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="}},
                             "v2", options);
}
const Keyring& keyring() {
  static const Keyring k = makeKeyring(false);
  return k;
}
const Keyring& bindKeyring() {
  static const Keyring k = makeKeyring(true);
  return k;
}

// The context rewrap builds per record from every source, resolved for path.
ContextSpec contextSpec(const FieldPath& path) {
  const std::vector<std::string> args = {"--context",      "collection=connectorinstances",
                                         "--context-id",   "id",
                                         "--context-path", "field",
                                         "--context-from", "tenant=tenant"};
  ContextSpec spec;
  std::string problem;
  for (std::size_t i = 0; i < args.size(); ++i) {
    connector_crypto::cli::parseContextOption(args, i, true, spec, problem);
  }
  if (connector_crypto::cli::resolveContextSpec(spec, path)) std::abort();
  return spec;
}

// An index of no shared IV: one line shares its IV with no other record.
const connector_crypto::cli::IvIndex& noSharedIvs() {
  static const connector_crypto::cli::IvIndex index = [] {
    connector_crypto::cli::IvIndex i;
    i.finish();
    return i;
  }();
  return index;
}

[[noreturn]] void contractBroken(const char* what) {
  std::fprintf(stderr, "contract broken: %s\n", what);
  std::abort();
}

void require(bool ok, const char* what) {
  if (!ok) contractBroken(what);
}

// v with its Extended JSON converted (the library's conversion); nullopt when it does not convert.
std::optional<nlohmann::json> converted(nlohmann::json v) {
  try {
    connector_crypto::convertExtendedJson(v);
  } catch (const connector_crypto::Error&) {
    return std::nullopt;
  }
  return v;
}

// The field's value as rewrap saw it, Extended JSON converted.
nlohmann::json oldValue(std::string_view line, const FieldPath& path) {
  std::optional<nlohmann::json> field;
  require(connector_crypto::cli::parseLine(line, path, field), "changed a line that is not JSON");
  require(field.has_value(), "changed a record without the field");
  require(converted(*field).has_value(), "changed a record whose Extended JSON does not convert");
  connector_crypto::convertExtendedJson(*field);
  return *field;
}

// The record's context when config has one (it must build for a changed record), else nullopt.
std::optional<EncryptionContext> contextOf(std::string_view line, const RewrapConfig& config) {
  if (config.context.empty()) return std::nullopt;
  std::string problem;
  std::optional<EncryptionContext> context = connector_crypto::cli::recordContext(
      config.context, line, connector_crypto::cli::locate(line, config.path), problem);
  require(context.has_value(), "changed a record whose context does not build");
  return context;
}


// The filter pins the exported _id and the exported value: the old ct of an envelope, or the
// whole plaintext (the field's bytes, int64 beyond 2^53 wrapped) under $expr $eq $literal.
void checkFilter(std::string_view line, const FieldPath& path, const nlohmann::json& filter) {
  const auto where = connector_crypto::cli::locate(line, path);
  require(where.id.has_value() && where.field.has_value(), "an update without _id or field");
  require(filter.size() == 2 && filter.contains("_id"), "a filter without _id and one condition");
  const auto id = converted(nlohmann::json::parse(where.id->of(line)));
  if (id) require(converted(filter.at("_id")) == id, "the filter's _id is not the exported _id");
  const nlohmann::json field = nlohmann::json::parse(where.field->of(line));
  if (field.is_object() && field.contains("__enc")) {
    require(filter.at(path.text + ".ct") == field.at("ct"), "an envelope filter without its ct");
    return;
  }
  const nlohmann::json& eq = filter.at("$expr").at("$eq");
  require(eq.size() == 2 && eq.at(0) == "$" + path.text, "a plaintext filter on another path");
  require(converted(eq.at(1).at("$literal")) == converted(field),
          "a plaintext filter that is not the exported value");
}

void checkChanged(std::string_view line, const RewrapConfig& config, const Keyring& k,
                  const RecordResult& r) {
  const std::optional<EncryptionContext> context = contextOf(line, config);
  const nlohmann::json old = oldValue(line, config.path);
  const bool oldBound = connector_crypto::inspectCredentials(old).bound;
  const nlohmann::json want = context ? connector_crypto::decryptCredentials(old, keyring(), *context)
                                      : connector_crypto::decryptCredentials(old, keyring());
  const bool binding = connector_crypto::cli::binds(config, k);
  require(r.newlyBound == (binding && !oldBound), "newlyBound is not what binding did");
  nlohmann::json envelope;
  if (config.format == RewrapFormat::kDocuments) {
    const auto where = connector_crypto::cli::locate(line, config.path);
    require(where.field.has_value(), "changed a record without a located field");
    const std::string_view prefix = line.substr(0, where.field->begin);
    const std::string_view suffix = line.substr(where.field->end);
    const std::string_view out = r.output;
    require(out.size() >= prefix.size() + suffix.size() && out.substr(0, prefix.size()) == prefix &&
                out.substr(out.size() - suffix.size()) == suffix,
            "bytes outside the field changed");
    envelope = nlohmann::json::parse(
        out.substr(prefix.size(), out.size() - prefix.size() - suffix.size()));
    // Rewrapping the new document again changes nothing.
    const RecordResult again = connector_crypto::cli::rewrapRecord(r.output, config, k);
    require(again.status == RecordResult::Status::kUnchanged, "a second rewrap changed the record");
  } else {
    const nlohmann::json update = nlohmann::json::parse(r.output);
    envelope = update.at("update").at("$set").at(config.path.text);
    checkFilter(line, config.path, update.at("filter"));
  }
  require(connector_crypto::isEncrypted(envelope), "the new value is not an envelope");
  require(envelope.at("kid") == "v2", "the new envelope is not under the active kid");
  require(envelope.contains("ctx") == (binding || oldBound),
          "the new envelope is bound but should not be, or the reverse");
  const nlohmann::json got = context
                                 ? connector_crypto::decryptCredentials(envelope, keyring(), *context)
                                 : connector_crypto::decryptCredentials(envelope, keyring());
  require(got == want, "the new envelope does not decrypt to the old value");
}

void checkUnchanged(std::string_view line, const FieldPath& path, bool binding) {
  std::optional<nlohmann::json> field;
  require(connector_crypto::cli::parseLine(line, path, field), "passed a line that is not JSON");
  if (!field || field->is_null()) return;
  require(connector_crypto::isEncrypted(*field) && field->at("kid") == "v2",
          "left plaintext or an old-kid envelope unchanged");
  require(!binding || field->contains("ctx"), "left an unbound envelope unchanged when binding");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  RewrapConfig config;
  config.format = (data[0] & 1) != 0 ? RewrapFormat::kUpdates : RewrapFormat::kDocuments;
  config.path =
      *connector_crypto::cli::parseFieldPath((data[0] & 2) != 0 ? "config.auth" : "credentials");
  if ((data[0] & 4) != 0) config.context = contextSpec(config.path);
  const Keyring& k = (data[0] & 12) == 12 ? bindKeyring() : keyring();
  const bool binding = connector_crypto::cli::binds(config, k);
  if (binding) config.sharedIvs = &noSharedIvs();
  const std::string_view line(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const RecordResult r = connector_crypto::cli::rewrapRecord(line, config, k);
    switch (r.status) {
      case RecordResult::Status::kBlank:
        require(connector_crypto::cli::isBlank(line), "a non-blank line called blank");
        break;
      case RecordResult::Status::kUnchanged:
        require(connector_crypto::cli::emittedText(line, r) == line, "unchanged but not identical");
        checkUnchanged(line, config.path, binding);
        break;
      case RecordResult::Status::kChanged:
        checkChanged(line, config, k, r);
        break;
      case RecordResult::Status::kUnreadable:
        require(!r.reason.empty(), "unreadable without a reason");
        break;
    }
    using connector_crypto::cli::AuditResult;
    const AuditResult a =
        connector_crypto::cli::auditRecord(line, config.path, &keyring(), config.context);
    const bool auditPasses = a.kind != AuditResult::Kind::kInvalid && a.verified;
    const bool refused = r.status == RecordResult::Status::kUnreadable;
    // Without an _id rewrap refuses a record it would change, which audit does not check.
    const bool hasId = connector_crypto::cli::classifyRecord(line, config.path).where.id.has_value();
    if (refused && hasId) require(!auditPasses, "rewrap refuses a record audit --verify passes");
    // An envelope rewrap leaves as it is without decrypting it (audit decrypts every one).
    const bool current = !a.kid.empty() && a.kid == k.activeKid() && (a.bound || !binding);
    if (!auditPasses && !current) require(refused, "audit --verify fails a record rewrap takes");
  } catch (const std::bad_alloc&) {
  } catch (...) {
    contractBroken("an exception escaped (the checks above use only valid data)");
  }
  return 0;
}
