// libFuzzer target: one mongoexport line through the rewrap record handler (tools/rewrap.hpp).
// The first byte picks the output format (bit 0) and the field path (bit 1); the rest is the line.
// Contract checked: nothing but std::bad_alloc escapes; a changed record's new envelope is under
// the active kid and decrypts to the value the old record held (Extended JSON converted), and in
// documents format every byte outside the field is kept; an unchanged record is null, missing or
// already under the active kid; rewrapping a changed record again changes nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "connector_crypto/connector_crypto.hpp"
#include "mongo_json.hpp"
#include "rewrap.hpp"

namespace {

using connector_crypto::Keyring;
using connector_crypto::cli::FieldPath;
using connector_crypto::cli::RecordResult;
using connector_crypto::cli::RewrapConfig;
using connector_crypto::cli::RewrapFormat;

// The test keys of tests/test_support.hpp (A under v1, B under v2; v2 active).
const Keyring& keyring() {
  static const Keyring k =
      Keyring::fromBase64({{"v1", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
                           {"v2", "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="}},
                          "v2");
  return k;
}

[[noreturn]] void contractBroken(const char* what) {
  std::fprintf(stderr, "contract broken: %s\n", what);
  std::abort();
}

void require(bool ok, const char* what) {
  if (!ok) contractBroken(what);
}

// The field's value as rewrap saw it, decrypted: what the new envelope must hold.
nlohmann::json expectedPlaintext(std::string_view line, const FieldPath& path) {
  std::optional<nlohmann::json> field;
  require(connector_crypto::cli::parseLine(line, path, field), "changed a line that is not JSON");
  require(field.has_value(), "changed a record without the field");
  require(connector_crypto::cli::convertExtendedJson(*field).empty(),
          "changed a record whose Extended JSON does not convert");
  return connector_crypto::decryptCredentials(*field, keyring());
}

void checkChanged(std::string_view line, const RewrapConfig& config, const RecordResult& r) {
  const nlohmann::json want = expectedPlaintext(line, config.path);
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
    const RecordResult again = connector_crypto::cli::rewrapRecord(r.output, config, keyring());
    require(again.status == RecordResult::Status::kUnchanged, "a second rewrap changed the record");
  } else {
    const nlohmann::json update = nlohmann::json::parse(r.output);
    envelope = update.at("update").at("$set").at(config.path.text);
    require(update.at("filter").contains("_id"), "an update without _id in its filter");
  }
  require(connector_crypto::isEncrypted(envelope), "the new value is not an envelope");
  require(envelope.at("kid") == "v2", "the new envelope is not under the active kid");
  require(connector_crypto::decryptCredentials(envelope, keyring()) == want,
          "the new envelope does not decrypt to the old value");
}

void checkUnchanged(std::string_view line, const FieldPath& path) {
  std::optional<nlohmann::json> field;
  require(connector_crypto::cli::parseLine(line, path, field), "passed a line that is not JSON");
  if (!field || field->is_null()) return;
  require(connector_crypto::isEncrypted(*field) && field->at("kid") == "v2",
          "left plaintext or an old-kid envelope unchanged");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  RewrapConfig config;
  config.format = (data[0] & 1) != 0 ? RewrapFormat::kUpdates : RewrapFormat::kDocuments;
  config.path =
      *connector_crypto::cli::parseFieldPath((data[0] & 2) != 0 ? "config.auth" : "credentials");
  const std::string_view line(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const RecordResult r = connector_crypto::cli::rewrapRecord(line, config, keyring());
    switch (r.status) {
      case RecordResult::Status::kBlank:
        require(connector_crypto::cli::isBlank(line), "a non-blank line called blank");
        break;
      case RecordResult::Status::kUnchanged:
        require(connector_crypto::cli::emittedText(line, r) == line, "unchanged but not identical");
        checkUnchanged(line, config.path);
        break;
      case RecordResult::Status::kChanged:
        checkChanged(line, config, r);
        break;
      case RecordResult::Status::kUnreadable:
        require(!r.reason.empty(), "unreadable without a reason");
        break;
    }
    (void)connector_crypto::cli::auditRecord(line, config.path, &keyring());
  } catch (const std::bad_alloc&) {
  } catch (...) {
    contractBroken("an exception escaped (the checks above use only valid data)");
  }
  return 0;
}
