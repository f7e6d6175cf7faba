// Envelope encryption of credentials: {"__enc":1,"kid":…,"iv":…,"ct":…} (docs/FORMAT.md), for
// nlohmann::json and nlohmann::ordered_json. Header templates over the compiled core: the result has
// the argument's type, and with ordered_json an envelope's members come out __enc, kid, iv, ct and a
// decrypted object keeps its plaintext's member order. Each function has a non-template
// nlohmann::json overload, so that braced lists, nullptr and string literals keep converting.
#pragma once

#include <nlohmann/json.hpp>

#include "connector_crypto/detail/core.hpp"
#include "connector_crypto/detail/json_types.hpp"
#include "connector_crypto/detail/value_adapter.hpp"
#include "connector_crypto/keyring.hpp"

namespace connector_crypto {

// True when v is an object whose "__enc" is a number equal to 1 and whose "kid", "iv", "ct" are
// strings. Shape only: it does not check base64 or keys. Never use it to decide whether to decrypt.
template <typename BasicJson>
detail::IfBasicJson<BasicJson, bool> isEncrypted(const BasicJson& v) noexcept {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::adapter::carriesEnc(v) &&
         detail::core::hasEnvelopeShape(detail::adapter::fieldsOf(v));
}

// Encrypts plain under the active kid with a fresh random IV. null and values for which isEncrypted
// holds come back unchanged (idempotent); an object carrying "__enc" that is not an envelope throws
// EnvelopeError. Encrypts only what decrypt can read back: throws Error, before encrypting, for
// nesting deeper than kMaxJsonDepth, a string that is not valid UTF-8, a discarded or binary value,
// a NaN or infinite number. No function here recurses deeper than kMaxJsonDepth on a value.
template <typename BasicJson>
detail::IfBasicJson<BasicJson> encryptCredentials(const BasicJson& plain, const Keyring& keyring) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::guarded("encryptCredentials", [&]() -> BasicJson {
    if (plain.is_null()) return plain;
    if (isEncrypted(plain)) return detail::adapter::unchanged(plain);
    if (detail::adapter::carriesEnc(plain)) {
      detail::core::throwEnvelopeRefused("encryptCredentials", false);
    }
    return detail::adapter::sealValue(plain, keyring);
  });
}

// Like encryptCredentials, but refuses (EnvelopeError) any value that carries "__enc": for API
// boundaries where the plaintext comes from a user, who must not be able to submit an envelope.
template <typename BasicJson>
detail::IfBasicJson<BasicJson> encryptPlainCredentials(const BasicJson& plain,
                                                       const Keyring& keyring) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::guarded("encryptPlainCredentials", [&]() -> BasicJson {
    if (detail::adapter::carriesEnc(plain)) {
      detail::core::throwEnvelopeRefused("encryptPlainCredentials", true);
    }
    if (plain.is_null()) return plain;
    return detail::adapter::sealValue(plain, keyring);
  });
}

// Decrypts an envelope to its plaintext value. A value without "__enc" is legacy plaintext and
// comes back unchanged (PlaintextRejectedError in strict mode, null aside; Error when it nests
// deeper than kMaxJsonDepth, since nlohmann's copy would recurse). A value with "__enc" decrypts to
// its true plaintext or throws EnvelopeError, UnknownKidError or DecryptError.
template <typename BasicJson>
detail::IfBasicJson<BasicJson> decryptCredentials(const BasicJson& stored, const Keyring& keyring) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::guarded("decryptCredentials", [&]() -> BasicJson {
    if (detail::adapter::carriesEnc(stored)) {
      detail::adapter::Builder<BasicJson> plaintext;
      detail::core::open(detail::adapter::fieldsOf(stored), keyring, plaintext);
      return plaintext.take();
    }
    if (stored.is_null()) return stored;
    detail::core::admitPlaintext("decryptCredentials", keyring);
    const BasicJson& plaintext = detail::adapter::unchanged(stored);
    detail::core::countPassthrough(keyring);
    return plaintext;
  });
}

// True for non-null legacy plaintext and for envelopes whose kid is not the active kid; throws
// EnvelopeError for a value that carries "__enc" but is malformed, Error for plaintext nested
// deeper than kMaxJsonDepth (which rewrapCredentials would refuse).
template <typename BasicJson>
detail::IfBasicJson<BasicJson, bool> needsRewrap(const BasicJson& stored, const Keyring& keyring) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::guarded("needsRewrap", [&]() -> bool {
    if (stored.is_null()) return false;
    if (!detail::adapter::carriesEnc(stored)) {
      // rewrapCredentials would refuse it: say so now rather than promise a rewrap.
      detail::adapter::unchanged(stored);
      return true;
    }
    return detail::core::needsRewrap(detail::adapter::fieldsOf(stored), keyring);
  });
}

// Brings stored to the active key: plaintext is encrypted, an envelope under another kid is
// decrypted and its plaintext bytes re-encrypted as they are (as rewrapCredentialsText does: no
// value is built), an envelope under the active kid and null come back unchanged. A value that
// cannot be decrypted, or that encryptCredentials refuses, throws; garbage is never re-encrypted.
template <typename BasicJson>
detail::IfBasicJson<BasicJson> rewrapCredentials(const BasicJson& stored, const Keyring& keyring) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::guarded("rewrapCredentials", [&]() -> BasicJson {
    if (stored.is_null()) return stored;
    if (!detail::adapter::carriesEnc(stored)) return detail::adapter::sealValue(stored, keyring);
    detail::core::SealedMembers sealed;
    if (!detail::core::reseal(detail::adapter::fieldsOf(stored), keyring, sealed)) {
      return detail::adapter::unchanged(stored);
    }
    return detail::adapter::envelopeValue<BasicJson>(std::move(sealed));
  });
}

// Overwrites every string and number inside value (OPENSSL_cleanse) and leaves it null: call it when
// done with decrypted credentials. Object keys and nlohmann's internal buffers are out of reach.
template <typename BasicJson>
detail::IfBasicJson<BasicJson, void> wipeCredentials(BasicJson& value) noexcept {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  detail::adapter::wipeValues(value);
  value = nullptr;
}

// The nlohmann::json overloads: what a braced list, nullptr or a string literal converts to.
inline bool isEncrypted(const nlohmann::json& v) noexcept { return isEncrypted<nlohmann::json>(v); }
inline nlohmann::json encryptCredentials(const nlohmann::json& plain, const Keyring& keyring) {
  return encryptCredentials<nlohmann::json>(plain, keyring);
}
inline nlohmann::json encryptPlainCredentials(const nlohmann::json& plain,
                                              const Keyring& keyring) {
  return encryptPlainCredentials<nlohmann::json>(plain, keyring);
}
inline nlohmann::json decryptCredentials(const nlohmann::json& stored, const Keyring& keyring) {
  return decryptCredentials<nlohmann::json>(stored, keyring);
}
inline bool needsRewrap(const nlohmann::json& stored, const Keyring& keyring) {
  return needsRewrap<nlohmann::json>(stored, keyring);
}
inline nlohmann::json rewrapCredentials(const nlohmann::json& stored, const Keyring& keyring) {
  return rewrapCredentials<nlohmann::json>(stored, keyring);
}
inline void wipeCredentials(nlohmann::json& value) noexcept {
  wipeCredentials<nlohmann::json>(value);
}

}  // namespace connector_crypto
