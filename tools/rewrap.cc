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
      c.bound = info.bound;
      c.iv = decodeIv(value.at("iv").get_ref<const std::string&>());
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
// the TypeScript writer ({"__enc":1,"kid":…,"iv":…,"ct":…} and a bound envelope's "ctx"), without
// running the escaper over the base64 strings (base64 never needs escaping).
std::string envelopeText(const nlohmann::json& envelope) {
  const std::string& ct = envelope.at("ct").get_ref<const std::string&>();
  const std::string& iv = envelope.at("iv").get_ref<const std::string&>();
  std::string out;
  out.reserve(ct.size() + iv.size() + 64);
  out.append("{\"__enc\":1,\"kid\":")
      .append(jsonString(envelope.at("kid").get_ref<const std::string&>()));
  out.append(",\"iv\":\"").append(iv).append("\",\"ct\":\"").append(ct).append("\"");
  const auto names = envelope.find("ctx");
  if (names != envelope.end()) out.append(",\"ctx\":").append(names->dump());
  out.push_back('}');
  return out;
}

// The field re-sealed by the library: the text API on its bytes when they are the envelope as it
// is (no plaintext value is built), else the value API on its Extended JSON conversion.
std::string resealed(const RecordClass& c, std::string_view field, const Keyring& keyring,
                     const EncryptionContext* context) {
  if (c.kind == RecordClass::Kind::kEnvelope && c.envelopeTextAsIs) {
    return context ? rewrapCredentialsText(field, keyring, *context)
                   : rewrapCredentialsText(field, keyring);
  }
  return envelopeText(context ? rewrapCredentials(*c.value, keyring, *context)
                              : rewrapCredentials(*c.value, keyring));
}

// Why a record is not bound when its envelope's IV is shared (or unknown), or empty when it may be.
std::string bindRefusal(const RecordClass& c, const RewrapConfig& config) {
  if (c.kind != RecordClass::Kind::kEnvelope || c.bound) return {};
  if (config.sharedIvs == nullptr || !c.iv) {
    return "not bound: the input's IVs were not indexed (internal error)";
  }
  const std::vector<IvHolder>* holders = config.sharedIvs->holders(*c.iv);
  if (holders == nullptr) return {};
  return "not bound: its iv is held by " + std::to_string(holders->size()) + " records (" +
         describeHolders(*holders) +
         "): a copied envelope must not become its new record's own; a person decides which "
         "record it belongs to";
}

RecordResult unreadable(std::string reason, std::string id) {
  RecordResult r;
  r.status = RecordResult::Status::kUnreadable;
  r.reason = std::move(reason);
  r.id = std::move(id);
  return r;
}

}  // namespace

bool binds(const RewrapConfig& config, const Keyring& keyring) noexcept {
  return keyring.options().bindContext && !config.context.empty();
}

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
  const bool withContext = !config.context.empty();
  // classifyRecord checked the envelope by decrypt's rules: under the active kid it stays as is.
  if (!withContext && c.kind == Kind::kEnvelope && c.kid == keyring.activeKid()) return r;
  const std::string& path = config.path.text;
  std::optional<EncryptionContext> context;
  if (withContext) {
    std::string problem;
    context = recordContext(config.context, line, c.where, problem);
    if (!context) return unreadable(path + ": " + problem, std::move(r.id));
  }
  const Span field = *c.where.field;
  try {
    // With a context the library decides (names checked, bound or not, kid); nothing decrypted.
    if (context && !needsRewrap(*c.value, keyring, *context)) return r;
    const bool binding = binds(config, keyring);
    if (binding) {
      std::string refusal = bindRefusal(c, config);
      if (!refusal.empty()) return unreadable(path + ": " + refusal, std::move(r.id));
    }
    if (!c.where.id) return unreadable(path + ": needs rewrapping but the document has no _id", {});
    std::string oldCt;
    if (c.kind == Kind::kEnvelope) {
      r.fromKid = c.kid;
      oldCt = c.value->at("ct").get<std::string>();
    }
    r.newlyBound = binding && !(c.kind == Kind::kEnvelope && c.bound);
    const std::string envelope =
        resealed(c, field.of(line), keyring, context ? &*context : nullptr);
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

namespace {

// The record's context for audit --verify; nullopt (r unverified, with the reason) when it cannot
// be built.
std::optional<EncryptionContext> auditContext(const ContextSpec& spec, std::string_view line,
                                              const RecordClass& c, const FieldPath& path,
                                              AuditResult& r) {
  std::string problem;
  std::optional<EncryptionContext> context = recordContext(spec, line, c.where, problem);
  if (!context) {
    r.verified = false;
    r.reason = path.text + ": " + problem;
  }
  return context;
}

}  // namespace

AuditResult auditRecord(std::string_view line, const FieldPath& path, const Keyring* verify,
                        const ContextSpec& context) {
  RecordClass c = classifyRecord(line, path);
  AuditResult r;
  r.id = std::move(c.id);
  const bool withContext = verify != nullptr && !context.empty();
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
      } else if (withContext) {
        (void)auditContext(context, line, c, path, r);  // rewrap would seal it under its context
      }
      return r;
    case RecordClass::Kind::kEnvelope:
      break;
  }
  r.kind = AuditResult::Kind::kEncrypted;
  r.kid = c.kid;
  r.bound = c.bound;
  r.iv = c.iv;
  if (verify == nullptr) return r;
  std::optional<EncryptionContext> own;
  if (withContext) {
    own = auditContext(context, line, c, path, r);
    if (!own) return r;
  }
  try {
    if (c.envelopeTextAsIs) {
      const std::string_view field = c.where.field->of(line);
      (void)(own ? decryptCredentialsText(field, *verify, *own)  // wipes itself
                 : decryptCredentialsText(field, *verify));
    } else {
      nlohmann::json plain =
          own ? decryptCredentials(*c.value, *verify, *own) : decryptCredentials(*c.value, *verify);
      wipeCredentials(plain);
    }
  } catch (const Error& e) {
    r.reason = path.text + ": " + e.what();
    // Under its record's own context it can never open here: copied from another record, or
    // modified (or a wrong key: authentication cannot tell them apart).
    const bool notItsRecord =
        e.code() == ErrorCode::kAuthentication || e.code() == ErrorCode::kContextMismatch;
    if (own && notItsRecord) {
      r.kind = AuditResult::Kind::kInvalid;
    } else {
      r.verified = false;
    }
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
