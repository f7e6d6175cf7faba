#include "rewrap.hpp"

#include <optional>

#include "connector_crypto/connector_crypto.hpp"

namespace connector_crypto {
namespace cli {
namespace {

// Longest _id text quoted in messages.
constexpr std::size_t kMaxIdText = 120;

// A line parsed as far as both commands need it.
struct Parsed {
  bool blank = false;
  std::string reason;  // non-empty: the line is unreadable
  std::string id;      // _id text for messages
  Located where;
  std::optional<nlohmann::json>
      value;  // the field's value, Extended JSON converted; nullopt: absent
  // The reason is an Extended JSON wrapper that cannot be converted, in a value without "__enc":
  // still plaintext, for audit.
  bool unconvertiblePlaintext = false;
};

bool carriesEnc(const nlohmann::json& v) { return v.is_object() && v.contains("__enc"); }

std::string shortId(std::string_view text) {
  if (text.size() <= kMaxIdText) return std::string(text);
  return std::string(text.substr(0, kMaxIdText)) + "...";
}

Parsed parseRecord(std::string_view line, const FieldPath& path) {
  Parsed p;
  if (isBlank(line)) {
    p.blank = true;
    return p;
  }
  if (!isValidJson(line)) {
    p.reason = "not valid JSON (or nested deeper than 512 levels)";
    return p;
  }
  p.where = locate(line, path);
  if (!p.where.isObject) {
    p.reason = "not a JSON object (a document)";
    return p;
  }
  if (p.where.id) p.id = shortId(p.where.id->of(line));
  if (!p.where.duplicate.empty()) {
    p.reason = "the field \"" + p.where.duplicate + "\" appears twice";
    return p;
  }
  if (!p.where.field) return p;
  // The field's own bytes, read by the library's parser: valid, since the whole line is.
  std::optional<nlohmann::json> field = parseValue(p.where.field->of(line));
  if (!field) {
    p.reason = "not valid JSON (or nested deeper than 512 levels)";
    return p;
  }
  nlohmann::json& value = *field;
  const std::string error = convertExtendedJson(value);
  if (!error.empty()) {
    p.unconvertiblePlaintext = !carriesEnc(value);
    wipeCredentials(value);
    p.reason = path.text + ": " + error;
    return p;
  }
  p.value = std::move(field);
  return p;
}

}  // namespace

std::string envelopeShapeProblem(const nlohmann::json& v) {
  const CredentialsInfo info = inspectCredentials(v);
  return info.kind == CredentialsInfo::Kind::kMalformed ? info.message : std::string();
}

namespace {

std::string jsonString(const std::string& s) { return nlohmann::json(s).dump(); }

// envelope.dump(), without running the escaper over "ct" (base64 never needs escaping).
std::string envelopeText(const nlohmann::json& envelope) {
  const std::string& ct = envelope.at("ct").get_ref<const std::string&>();
  const std::string& iv = envelope.at("iv").get_ref<const std::string&>();
  std::string out;
  out.reserve(ct.size() + iv.size() + 64);
  out.append("{\"__enc\":1,\"ct\":\"").append(ct).append("\",\"iv\":\"").append(iv);
  out.append("\",\"kid\":").append(jsonString(envelope.at("kid").get_ref<const std::string&>()));
  out.append("}");
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
  Parsed p = parseRecord(line, config.path);
  if (p.blank) return {};
  if (!p.reason.empty()) return unreadable(std::move(p.reason), std::move(p.id));
  RecordResult r;
  r.id = std::move(p.id);
  r.status = RecordResult::Status::kUnchanged;
  if (!p.value || p.value->is_null()) return r;
  nlohmann::json& value = *p.value;
  const std::string& path = config.path.text;
  std::string oldCt;
  try {
    if (carriesEnc(value)) {
      const auto kid = value.find("kid");
      const bool active = kid != value.end() && kid->is_string() &&
                          kid->get_ref<const std::string&>() == keyring.activeKid();
      // Under the active kid: needsRewrap still checks the envelope's shape (malformed throws).
      // Otherwise rewrapCredentials below checks it, so the ciphertext is decoded only once.
      if (active && !needsRewrap(value, keyring)) return r;
      if (kid != value.end() && kid->is_string()) r.fromKid = kid->get<std::string>();
      const auto ct = value.find("ct");
      if (ct != value.end() && ct->is_string()) oldCt = ct->get<std::string>();
    }
    if (!p.where.id) {
      wipeCredentials(value);
      return unreadable(path + ": needs rewrapping but the document has no _id", {});
    }
    nlohmann::json fresh = rewrapCredentials(value, keyring);
    wipeCredentials(value);
    const std::string envelope = envelopeText(fresh);
    if (config.format == RewrapFormat::kDocuments) {
      const Span span = *p.where.field;
      r.output.reserve(line.size() + envelope.size());
      r.output.append(line.substr(0, span.begin)).append(envelope).append(line.substr(span.end));
    } else {
      r.output = "{\"filter\":{\"_id\":";
      r.output.append(withExactInt64(p.where.id->of(line))).append(",");
      if (r.fromKid.empty()) {
        // Exactly the exported value: the field's own bytes (Extended JSON wrappers kept, so the
        // script's EJSON.parse rebuilds the BSON types), compared whole by $expr, which unlike
        // {PATH: X} never matches an array that merely contains X. Holds the plaintext.
        r.output.append("\"$expr\":{\"$eq\":[")
            .append(jsonString("$" + path))
            .append(",{\"$literal\":")
            .append(withExactInt64(p.where.field->of(line)))
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
    wipeCredentials(value);
    return unreadable(path + ": " + e.what(), std::move(r.id));
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    wipeCredentials(value);
    return unreadable(path + ": internal error", std::move(r.id));
  }
}

AuditResult auditRecord(std::string_view line, const FieldPath& path, const Keyring* verify) {
  Parsed p = parseRecord(line, path);
  AuditResult r;
  r.id = std::move(p.id);
  if (p.blank) return r;
  if (!p.reason.empty()) {
    // A plaintext value whose Extended JSON cannot be converted is still plaintext, not invalid.
    if (p.unconvertiblePlaintext) {
      r.kind = AuditResult::Kind::kPlaintext;
    } else {
      r.kind = AuditResult::Kind::kInvalid;
      r.reason = std::move(p.reason);
    }
    return r;
  }
  if (!p.value || p.value->is_null()) {
    r.kind = AuditResult::Kind::kMissing;
    return r;
  }
  nlohmann::json& value = *p.value;
  if (!carriesEnc(value)) {
    wipeCredentials(value);
    r.kind = AuditResult::Kind::kPlaintext;
    return r;
  }
  std::string problem = envelopeShapeProblem(value);
  if (problem.empty() && verify != nullptr) {
    try {
      nlohmann::json plain = decryptCredentials(value, *verify);
      wipeCredentials(plain);
    } catch (const Error& e) {
      problem = e.what();
    } catch (const std::bad_alloc&) {
      throw;
    } catch (...) {
      problem = "internal error";
    }
  }
  if (!problem.empty()) {
    r.kind = AuditResult::Kind::kInvalid;
    r.reason = path.text + ": " + problem;
    return r;
  }
  r.kind = AuditResult::Kind::kEncrypted;
  r.kid = value.at("kid").get<std::string>();
  return r;
}

}  // namespace cli
}  // namespace connector_crypto
