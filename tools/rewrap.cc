#include "rewrap.hpp"

#include <optional>

#include "connector_crypto/connector_crypto.hpp"

namespace connector_crypto {
namespace cli {
namespace {

// Longest _id text quoted in messages.
constexpr std::size_t kMaxIdText = 120;

constexpr const char* kNotJson = "not valid JSON (or nested deeper than 512 levels)";

std::string shortId(std::string_view text) {
  if (text.size() <= kMaxIdText) return std::string(text);
  return std::string(text.substr(0, kMaxIdText)) + "...";
}

RecordClass malformed(RecordClass c, ErrorCode code, std::string reason) {
  c.kind = RecordClass::Kind::kMalformed;
  c.error = code;
  c.reason = std::move(reason);
  if (c.value) wipeCredentials(*c.value);
  c.value.reset();
  return c;
}

// An object whose members are all scalars: Extended JSON conversion cannot change it, so its bytes
// are the value as it is.
bool flatObject(const nlohmann::json& v) {
  if (!v.is_object()) return false;
  for (const auto& member : v) {
    if (member.is_structured()) return false;
  }
  return true;
}

}  // namespace

RecordClass::~RecordClass() {
  if (value) wipeCredentials(*value);
}

RecordClass classifyRecord(std::string_view line, const FieldPath& path) {
  RecordClass c;
  if (isBlank(line)) return c;
  if (!isValidJson(line)) return malformed(std::move(c), ErrorCode::kInvalidText, kNotJson);
  c.where = locate(line, path);
  if (!c.where.isObject) {
    return malformed(std::move(c), ErrorCode::kInvalidText, "not a JSON object (a document)");
  }
  if (c.where.id) c.id = shortId(c.where.id->of(line));
  if (!c.where.duplicate.empty()) {
    return malformed(std::move(c), ErrorCode::kInvalidText,
                     "the field \"" + c.where.duplicate + "\" appears twice");
  }
  c.kind = RecordClass::Kind::kMissing;
  if (!c.where.field) return c;
  // The field's own bytes, read by the library's parser: valid, since the whole line is.
  c.value = parseValue(c.where.field->of(line));
  if (!c.value) return malformed(std::move(c), ErrorCode::kInvalidText, kNotJson);
  nlohmann::json& value = *c.value;
  const bool asIs = flatObject(value);
  // The library's conversion; its Error names the wrapper, never a value.
  std::string error;
  ErrorCode errorCode = ErrorCode::kExtendedJson;
  try {
    convertExtendedJson(value);
  } catch (const Error& e) {
    error = e.what();
    errorCode = e.code();
  }
  if (!error.empty()) {
    // Without "__enc" still plaintext (audit counts it so), but rewrap cannot seal it.
    if (inspectCredentials(value).kind == CredentialsInfo::Kind::kPlaintext) {
      c.kind = RecordClass::Kind::kPlaintext;
      c.convertible = false;
      c.reason = path.text + ": " + error;
      wipeCredentials(value);
      c.value.reset();
      return c;
    }
    return malformed(std::move(c), errorCode, path.text + ": " + error);
  }
  const CredentialsInfo info = inspectCredentials(value);
  switch (info.kind) {
    case CredentialsInfo::Kind::kNull:
      c.value.reset();
      return c;
    case CredentialsInfo::Kind::kPlaintext:
      c.kind = RecordClass::Kind::kPlaintext;
      return c;
    case CredentialsInfo::Kind::kEnvelope:
      c.kind = RecordClass::Kind::kEnvelope;
      c.kid = info.kid;
      c.envelopeTextAsIs = asIs;
      return c;
    case CredentialsInfo::Kind::kMalformed:
      break;
  }
  return malformed(std::move(c), info.error, path.text + ": " + info.message);
}

std::string envelopeShapeProblem(const nlohmann::json& v) {
  const CredentialsInfo info = inspectCredentials(v);
  return info.kind == CredentialsInfo::Kind::kMalformed ? info.message : std::string();
}

namespace {

std::string jsonString(const std::string& s) { return nlohmann::json(s).dump(); }

// The text of an envelope value from rewrapCredentials, in the member order of the text API and
// the TypeScript writer ({"__enc":1,"kid":…,"iv":…,"ct":…}), without running the escaper over the
// base64 strings (base64 never needs escaping).
std::string envelopeText(const nlohmann::json& envelope) {
  const std::string& ct = envelope.at("ct").get_ref<const std::string&>();
  const std::string& iv = envelope.at("iv").get_ref<const std::string&>();
  std::string out;
  out.reserve(ct.size() + iv.size() + 64);
  out.append("{\"__enc\":1,\"kid\":")
      .append(jsonString(envelope.at("kid").get_ref<const std::string&>()));
  out.append(",\"iv\":\"").append(iv).append("\",\"ct\":\"").append(ct).append("\"}");
  return out;
}

RecordResult unreadable(std::string reason, std::string id) {
  RecordResult r;
  r.status = RecordResult::Status::kUnreadable;
  r.reason = std::move(reason);
  r.id = std::move(id);
  return r;
}

}  // namespace

RecordResult rewrapRecord(std::string_view line, const RewrapConfig& config,
                          const Keyring& keyring) {
  RecordClass c = classifyRecord(line, config.path);
  using Kind = RecordClass::Kind;
  if (c.kind == Kind::kBlank) return {};
  if (c.kind == Kind::kMalformed || (c.kind == Kind::kPlaintext && !c.convertible)) {
    return unreadable(std::move(c.reason), std::move(c.id));
  }
  RecordResult r;
  r.id = std::move(c.id);
  r.status = RecordResult::Status::kUnchanged;
  if (c.kind == Kind::kMissing) return r;
  // classifyRecord checked the envelope by decrypt's rules: under the active kid it stays as is.
  if (c.kind == Kind::kEnvelope && c.kid == keyring.activeKid()) return r;
  const std::string& path = config.path.text;
  if (!c.where.id) return unreadable(path + ": needs rewrapping but the document has no _id", {});
  const Span field = *c.where.field;
  try {
    std::string envelope;
    std::string oldCt;
    if (c.kind == Kind::kEnvelope) {
      r.fromKid = c.kid;
      oldCt = c.value->at("ct").get<std::string>();
      // The text core re-seals the decrypted bytes as they are: no value of the plaintext.
      envelope = c.envelopeTextAsIs ? rewrapCredentialsText(field.of(line), keyring)
                                    : envelopeText(rewrapCredentials(*c.value, keyring));
    } else {
      envelope = envelopeText(rewrapCredentials(*c.value, keyring));
    }
    if (config.format == RewrapFormat::kDocuments) {
      r.output.reserve(line.size() + envelope.size());
      r.output.append(line.substr(0, field.begin)).append(envelope).append(line.substr(field.end));
    } else {
      r.output = "{\"filter\":{\"_id\":";
      r.output.append(withExactInt64(c.where.id->of(line))).append(",");
      if (r.fromKid.empty()) {
        // Exactly the exported value: the field's own bytes (Extended JSON wrappers kept, so the
        // script's EJSON.parse rebuilds the BSON types), compared whole by $expr, which unlike
        // {PATH: X} never matches an array that merely contains X. Holds the plaintext.
        r.output.append("\"$expr\":{\"$eq\":[")
            .append(jsonString("$" + path))
            .append(",{\"$literal\":")
            .append(withExactInt64(field.of(line)))
            .append("}]}");
      } else {
        r.output.append(jsonString(path + ".ct")).append(":").append(jsonString(oldCt));
      }
      r.output.append("},\"update\":{\"$set\":{")
          .append(jsonString(path))
          .append(":")
          .append(envelope)
          .append("}}}");
    }
    r.status = RecordResult::Status::kChanged;
    return r;
  } catch (const Error& e) {
    return unreadable(path + ": " + e.what(), std::move(r.id));
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    return unreadable(path + ": internal error", std::move(r.id));
  }
}

AuditResult auditRecord(std::string_view line, const FieldPath& path, const Keyring* verify) {
  RecordClass c = classifyRecord(line, path);
  AuditResult r;
  r.id = std::move(c.id);
  switch (c.kind) {
    case RecordClass::Kind::kBlank:
      return r;
    case RecordClass::Kind::kMissing:
      r.kind = AuditResult::Kind::kMissing;
      return r;
    case RecordClass::Kind::kMalformed:
      r.kind = AuditResult::Kind::kInvalid;
      r.reason = std::move(c.reason);
      return r;
    case RecordClass::Kind::kPlaintext:
      r.kind = AuditResult::Kind::kPlaintext;
      if (verify != nullptr && !c.convertible) {
        r.verified = false;
        r.reason = std::move(c.reason);
      }
      return r;
    case RecordClass::Kind::kEnvelope:
      break;
  }
  r.kind = AuditResult::Kind::kEncrypted;
  r.kid = c.kid;
  if (verify == nullptr) return r;
  try {
    if (c.envelopeTextAsIs) {
      (void)decryptCredentialsText(c.where.field->of(line), *verify);  // wipes itself
    } else {
      nlohmann::json plain = decryptCredentials(*c.value, *verify);
      wipeCredentials(plain);
    }
  } catch (const Error& e) {
    r.verified = false;
    r.reason = path.text + ": " + e.what();
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    r.verified = false;
    r.reason = path.text + ": internal error";
  }
  return r;
}

}  // namespace cli
}  // namespace connector_crypto
