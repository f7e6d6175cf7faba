// The text API: envelopes over JSON text, through the same core as the value API.
#include "connector_crypto/text.hpp"

#include "connector_crypto/error.hpp"
#include "connector_crypto/inspect.hpp"
#include "envelope_core.hpp"
#include "json_codec.hpp"
#include "json_text.hpp"
#include "keyring_state.hpp"

namespace connector_crypto {
namespace {

using detail::JsonTextTop;
using detail::JsonTextVerdict;
using detail::KeyringAccess;
using detail::KeyringState;

// Scans text named `what` for `operation`; throws Error when it is not JSON (or, with
// refuseDuplicates, repeats a member name).
JsonTextTop scanOrThrow(const char* operation, const char* what, std::string_view text,
                        bool refuseDuplicates) {
  JsonTextTop top;
  switch (detail::scanJsonText(text, refuseDuplicates, &top)) {
    case JsonTextVerdict::ok:
      return top;
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

std::string sealText(const std::uint8_t* bytes, std::size_t size, const KeyringState& state) {
  return detail::envelopeText(detail::sealBytes(bytes, size, state));
}

std::string sealPlainText(std::string_view json, const KeyringState& state) {
  const SecretBuffer compact = detail::compactJsonText(json);
  return sealText(reinterpret_cast<const std::uint8_t*>(compact.data()), compact.size(), state);
}

}  // namespace

std::string encryptCredentialsText(std::string_view json, const Keyring& keyring) {
  return detail::guarded("encryptCredentialsText", [&]() -> std::string {
    const JsonTextTop top = scanOrThrow("encryptCredentialsText", "json", json, true);
    if (top.kind == JsonTextTop::Kind::null) return std::string(json);
    if (carriesEnc(top)) {
      if (detail::core::hasEnvelopeShape(top.fields)) return std::string(json);
      throw EnvelopeError(
          ErrorCode::kEnvelopeRefused,
          "encryptCredentialsText: the value carries \"__enc\" but is not a valid envelope; "
          "refusing to wrap it");
    }
    return sealPlainText(json, KeyringAccess::state(keyring));
  });
}

SecretBuffer decryptCredentialsText(std::string_view stored, const Keyring& keyring) {
  return detail::guarded("decryptCredentialsText", [&]() -> SecretBuffer {
    const KeyringState& state = KeyringAccess::state(keyring);
    const JsonTextTop top = scanOrThrow("decryptCredentialsText", "stored", stored, false);
    if (carriesEnc(top)) {
      detail::ParsedEnvelope envelope =
          detail::parseEnvelope(top.fields, detail::kJsonParsePadding);
      const std::size_t size = detail::openText(envelope, state);
      const auto* begin = reinterpret_cast<const char*>(envelope.sealed.data());
      return SecretBuffer(begin, begin + size);
    }
    if (top.kind != JsonTextTop::Kind::null) {
      if (state.options.requireEncrypted) {
        state.plaintextRejected.fetch_add(1, std::memory_order_relaxed);
        throw PlaintextRejectedError(
            "decryptCredentialsText: the stored value is plaintext, and this keyring requires "
            "encryption (requireEncrypted / CONNECTOR_CRED_REQUIRE_ENCRYPTED=1)");
      }
      state.plaintextPassthroughs.fetch_add(1, std::memory_order_relaxed);
    }
    return SecretBuffer(stored.begin(), stored.end());
  });
}

CredentialsInfo inspectCredentialsText(std::string_view stored) {
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

std::string rewrapCredentialsText(std::string_view stored, const Keyring& keyring) {
  return detail::guarded("rewrapCredentialsText", [&]() -> std::string {
    const KeyringState& state = KeyringAccess::state(keyring);
    const JsonTextTop top = scanOrThrow("rewrapCredentialsText", "stored", stored, false);
    if (top.kind == JsonTextTop::Kind::null) return std::string(stored);
    if (!carriesEnc(top)) {
      scanOrThrow("rewrapCredentialsText", "stored", stored, true);  // never write duplicates
      return sealPlainText(stored, state);
    }
    detail::ParsedEnvelope envelope = detail::parseEnvelope(top.fields, detail::kJsonParsePadding);
    if (envelope.kid == keyring.activeKid()) return std::string(stored);
    const std::size_t size = detail::openText(envelope, state);
    return sealText(envelope.sealed.data(), size, state);
  });
}

}  // namespace connector_crypto
