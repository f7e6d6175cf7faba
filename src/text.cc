// The text API: envelopes over JSON text, through the same core as the value API.
#include "connector_crypto/text.hpp"

#include "connector_crypto/error.hpp"
#include "connector_crypto/inspect.hpp"
#include "connector_crypto/json_whitespace.hpp"
#include "envelope_core.hpp"
#include "json_text.hpp"
#include "keyring_state.hpp"

namespace connector_crypto {
namespace {

using detail::JsonTextTop;
using detail::JsonTextVerdict;
using detail::KeyringAccess;
using detail::KeyringState;

// Scans text named `what` for `operation` into top (when given); throws Error when it is not JSON
// (or, with refuseDuplicates, repeats a member name).
void scanOrThrow(const char* operation, const char* what, std::string_view text,
                 bool refuseDuplicates, JsonTextTop* top) {
  switch (detail::scanJsonText(text, refuseDuplicates, top)) {
    case JsonTextVerdict::ok:
      return;
    case JsonTextVerdict::duplicate:
      throw Error(ErrorCode::kInvalidText,
                  std::string(operation) + ": " + what +
                      " repeats a member name in an object (duplicate members are never written; "
                      "docs/FORMAT.md); nothing was encrypted");
    case JsonTextVerdict::invalid:
      break;
  }
  throw Error(ErrorCode::kInvalidText,
              std::string(operation) + ": " + what +
                  " is not JSON text (exactly one value, valid UTF-8, no NUL byte, at most 512 "
                  "levels of nesting)");
}

bool carriesEnc(const JsonTextTop& top) noexcept {
  return top.kind == JsonTextTop::Kind::object && top.carriesEnc;
}

// The compact form of json sealed (json accepted by scanOrThrow with refuseDuplicates).
std::string sealPlainText(const char* operation, std::string_view json, const KeyringState& state,
                          const EncryptionContext* context) {
  const EncryptionContext* boundTo = detail::writeContext(operation, state, context);
  const SecretBuffer compact = detail::compactJsonText(json);
  std::string envelope = detail::envelopeText(detail::sealBytes(
      reinterpret_cast<const std::uint8_t*>(compact.data()), compact.size(), state, boundTo));
  detail::countContextIgnored(state, context);
  return envelope;
}

std::string encryptText(std::string_view json, const Keyring& keyring,
                        const EncryptionContext* context) {
  constexpr const char* kOperation = "encryptCredentialsText";
  json = withoutByteOrderMark(json);  // input text (docs/FORMAT.md, "Byte order marks")
  return detail::guarded(kOperation, [&]() -> std::string {
    JsonTextTop top;
    scanOrThrow(kOperation, "json", json, true, &top);
    if (top.kind == JsonTextTop::Kind::null) return std::string(json);
    const KeyringState& state = KeyringAccess::state(keyring);
    if (!carriesEnc(top)) return sealPlainText(kOperation, json, state, context);
    detail::core::admitEnvelope(kOperation, top.fields, keyring, context);
    return std::string(json);
  });
}

SecretBuffer decryptText(std::string_view stored, const Keyring& keyring,
                         const EncryptionContext* context) {
  constexpr const char* kOperation = "decryptCredentialsText";
  stored = withoutByteOrderMark(stored);  // input text (docs/FORMAT.md, "Byte order marks")
  return detail::guarded(kOperation, [&]() -> SecretBuffer {
    return detail::withKidRetry(keyring, [&](const KeyringState& state) -> SecretBuffer {
      JsonTextTop top;
      scanOrThrow(kOperation, "stored", stored, false, &top);
      if (carriesEnc(top)) {
        detail::ParsedEnvelope envelope =
            detail::parseEnvelope(top.fields, detail::kJsonParsePadding);
        const std::size_t size = detail::openText(envelope, state, context);
        const auto* begin = reinterpret_cast<const char*>(envelope.sealed.data());
        return SecretBuffer(begin, begin + size);
      }
      if (top.kind != JsonTextTop::Kind::null) {
        detail::refusePlaintextIfStrict(kOperation, state);
        detail::countPassthrough(state);
      }
      return SecretBuffer(stored.begin(), stored.end());
    });
  });
}

std::string rewrapText(std::string_view stored, const Keyring& keyring,
                       const EncryptionContext* context) {
  constexpr const char* kOperation = "rewrapCredentialsText";
  stored = withoutByteOrderMark(stored);  // input text (docs/FORMAT.md, "Byte order marks")
  return detail::guarded(kOperation, [&]() -> std::string {
    const KeyringState& state = KeyringAccess::state(keyring);
    JsonTextTop top;
    scanOrThrow(kOperation, "stored", stored, false, &top);
    if (top.kind == JsonTextTop::Kind::null) return std::string(stored);
    if (!carriesEnc(top)) {
      scanOrThrow(kOperation, "stored", stored, true, nullptr);  // never write duplicates
      return sealPlainText(kOperation, stored, state, context);
    }
    detail::core::SealedMembers sealed;
    if (!detail::core::reseal(top.fields, keyring, context, sealed)) return std::string(stored);
    return detail::envelopeText(sealed);
  });
}

}  // namespace

std::string encryptCredentialsText(std::string_view json, const Keyring& keyring) {
  return encryptText(json, keyring, nullptr);
}
std::string encryptCredentialsText(std::string_view json, const Keyring& keyring,
                                   const EncryptionContext& context) {
  return encryptText(json, keyring, &context);
}

SecretBuffer decryptCredentialsText(std::string_view stored, const Keyring& keyring) {
  return decryptText(stored, keyring, nullptr);
}
SecretBuffer decryptCredentialsText(std::string_view stored, const Keyring& keyring,
                                    const EncryptionContext& context) {
  return decryptText(stored, keyring, &context);
}

std::string rewrapCredentialsText(std::string_view stored, const Keyring& keyring) {
  return rewrapText(stored, keyring, nullptr);
}
std::string rewrapCredentialsText(std::string_view stored, const Keyring& keyring,
                                  const EncryptionContext& context) {
  return rewrapText(stored, keyring, &context);
}

CredentialsInfo inspectCredentialsText(std::string_view stored) {
  stored = withoutByteOrderMark(stored);
  return detail::guarded("inspectCredentialsText", [&]() -> CredentialsInfo {
    CredentialsInfo info;
    JsonTextTop top;
    if (detail::scanJsonText(stored, false, &top) != JsonTextVerdict::ok) {
      info.kind = CredentialsInfo::Kind::kMalformed;
      info.error = ErrorCode::kInvalidText;
      info.message = "inspectCredentialsText: stored is not JSON text";
      return info;
    }
    if (top.kind == JsonTextTop::Kind::null) return info;
    if (!carriesEnc(top)) {
      info.kind = CredentialsInfo::Kind::kPlaintext;
      return info;
    }
    return detail::inspectEnvelope(top.fields);
  });
}

}  // namespace connector_crypto
