// Envelope encryption of credentials: {"__enc":1,"kid":…,"iv":…,"ct":…} (docs/FORMAT.md), for
// nlohmann::json and nlohmann::ordered_json. Header templates over the compiled core: the result has
// the argument's type, and with ordered_json an envelope's members come out __enc, kid, iv, ct (then
// ctx) and a decrypted object keeps its plaintext's member order. Each function has a non-template
// nlohmann::json overload, so that braced lists, nullptr and string literals keep converting, and
// each takes an optional trailing EncryptionContext: the record the envelope is bound to
// (docs/FORMAT.md, "Bound envelopes"; the keyring's bindContext / requireContext switches).
#pragma once

#include <nlohmann/json.hpp>

#include "connector_crypto/context.hpp"
#include "connector_crypto/detail/core.hpp"
#include "connector_crypto/detail/json_types.hpp"
#include "connector_crypto/detail/value_adapter.hpp"
#include "connector_crypto/keyring.hpp"

namespace connector_crypto {

// True when v is an object whose "__enc" is a number equal to 1, whose "kid", "iv", "ct" are
// strings, and whose "ctx", when present (a bound envelope), is an array of strings. Shape only: it
// does not check base64, names or keys. Never use it to decide whether to decrypt.
template <typename BasicJson>
detail::IfBasicJson<BasicJson, bool> isEncrypted(const BasicJson& v) noexcept {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::adapter::carriesEnc(v) &&
         detail::core::hasEnvelopeShape(detail::adapter::fieldsOf(v));
}

// Encrypts plain under the active kid with a fresh random IV. null comes back unchanged, and so
// does an envelope that decrypt would read as far as the key (idempotent); a value carrying
// "__enc" that decrypt refuses without a key throws decrypt's error and ErrorCode (malformed
// first, then decrypt's context rules, then kContextRequired under bindContext without a context:
// docs/FORMAT.md, "Encrypting an existing envelope"). Encrypts only what decrypt can read back:
// throws Error, before encrypting, for nesting deeper than kMaxJsonDepth, a string that is not
// valid UTF-8, a discarded or binary value, a NaN or infinite number, and (ordered_json) an object
// that repeats a member name (kInvalidText). No function here recurses deeper than kMaxJsonDepth
// on a value. With context: under bindContext a bound envelope; an existing bound envelope comes
// back only if it opens under context, with decrypt's errors. Under bindContext without a context,
// any value but null throws Error kContextRequired.
template <typename BasicJson>
detail::IfBasicJson<BasicJson> encryptCredentials(const BasicJson& plain, const Keyring& keyring) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::adapter::encrypt(plain, keyring, nullptr);
}
template <typename BasicJson>
detail::IfBasicJson<BasicJson> encryptCredentials(const BasicJson& plain, const Keyring& keyring,
                                                  const EncryptionContext& context) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::adapter::encrypt(plain, keyring, &context);
}

// Like encryptCredentials, but refuses (EnvelopeError) any value that carries "__enc": for API
// boundaries where the plaintext comes from a user, who must not be able to submit an envelope.
template <typename BasicJson>
detail::IfBasicJson<BasicJson> encryptPlainCredentials(const BasicJson& plain,
                                                       const Keyring& keyring) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::adapter::encryptPlain(plain, keyring, nullptr);
}
template <typename BasicJson>
detail::IfBasicJson<BasicJson> encryptPlainCredentials(const BasicJson& plain,
                                                       const Keyring& keyring,
                                                       const EncryptionContext& context) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::adapter::encryptPlain(plain, keyring, &context);
}

// Decrypts an envelope to its plaintext value. A value without "__enc" is legacy plaintext and
// comes back unchanged (PlaintextRejectedError in strict mode, null aside; Error when it nests
// deeper than kMaxJsonDepth, since nlohmann's copy would recurse). A value with "__enc" decrypts to
// its true plaintext or throws EnvelopeError, UnknownKidError or DecryptError. A bound envelope
// needs the context it was sealed under (Error kContextRequired without one, EnvelopeError for
// other names, DecryptError for other values: another record's envelope); under requireContext an
// unbound envelope is refused (EnvelopeError).
template <typename BasicJson>
detail::IfBasicJson<BasicJson> decryptCredentials(const BasicJson& stored, const Keyring& keyring) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::adapter::decrypt(stored, keyring, nullptr);
}
template <typename BasicJson>
detail::IfBasicJson<BasicJson> decryptCredentials(const BasicJson& stored, const Keyring& keyring,
                                                  const EncryptionContext& context) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::adapter::decrypt(stored, keyring, &context);
}

// True when rewrapCredentials would change stored: non-null legacy plaintext, an envelope whose kid
// is not the active kid, or (context given, under bindContext) an unbound envelope. Throws exactly
// what rewrapCredentials would throw without decrypting, with its ErrorCode: a malformed envelope,
// the context rules of decrypt, a kid not in the keyring, plaintext (or an envelope it would
// return as it is) that encryptCredentials refuses. Decrypts nothing.
template <typename BasicJson>
detail::IfBasicJson<BasicJson, bool> needsRewrap(const BasicJson& stored, const Keyring& keyring) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::adapter::needsRewrap(stored, keyring, nullptr);
}
template <typename BasicJson>
detail::IfBasicJson<BasicJson, bool> needsRewrap(const BasicJson& stored, const Keyring& keyring,
                                                 const EncryptionContext& context) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::adapter::needsRewrap(stored, keyring, &context);
}

// Brings stored to the active key: plaintext is encrypted, an envelope under another kid is
// decrypted and its plaintext bytes re-encrypted as they are (as rewrapCredentialsText does: no
// value is built), an envelope under the active kid and null come back unchanged. A value that
// cannot be decrypted, or that encryptCredentials refuses, throws; garbage is never re-encrypted.
// With context under bindContext, an unbound envelope or plaintext is bound to it (trust on first
// bind: audit first, docs/ROTATION.md); a bound envelope stays bound, and is never unbound.
template <typename BasicJson>
detail::IfBasicJson<BasicJson> rewrapCredentials(const BasicJson& stored, const Keyring& keyring) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::adapter::rewrap(stored, keyring, nullptr);
}
template <typename BasicJson>
detail::IfBasicJson<BasicJson> rewrapCredentials(const BasicJson& stored, const Keyring& keyring,
                                                 const EncryptionContext& context) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::adapter::rewrap(stored, keyring, &context);
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
inline nlohmann::json encryptCredentials(const nlohmann::json& plain, const Keyring& keyring,
                                         const EncryptionContext& context) {
  return encryptCredentials<nlohmann::json>(plain, keyring, context);
}
inline nlohmann::json encryptPlainCredentials(const nlohmann::json& plain,
                                              const Keyring& keyring) {
  return encryptPlainCredentials<nlohmann::json>(plain, keyring);
}
inline nlohmann::json encryptPlainCredentials(const nlohmann::json& plain, const Keyring& keyring,
                                              const EncryptionContext& context) {
  return encryptPlainCredentials<nlohmann::json>(plain, keyring, context);
}
inline nlohmann::json decryptCredentials(const nlohmann::json& stored, const Keyring& keyring) {
  return decryptCredentials<nlohmann::json>(stored, keyring);
}
inline nlohmann::json decryptCredentials(const nlohmann::json& stored, const Keyring& keyring,
                                         const EncryptionContext& context) {
  return decryptCredentials<nlohmann::json>(stored, keyring, context);
}
inline bool needsRewrap(const nlohmann::json& stored, const Keyring& keyring) {
  return needsRewrap<nlohmann::json>(stored, keyring);
}
inline bool needsRewrap(const nlohmann::json& stored, const Keyring& keyring,
                        const EncryptionContext& context) {
  return needsRewrap<nlohmann::json>(stored, keyring, context);
}
inline nlohmann::json rewrapCredentials(const nlohmann::json& stored, const Keyring& keyring) {
  return rewrapCredentials<nlohmann::json>(stored, keyring);
}
inline nlohmann::json rewrapCredentials(const nlohmann::json& stored, const Keyring& keyring,
                                        const EncryptionContext& context) {
  return rewrapCredentials<nlohmann::json>(stored, keyring, context);
}
inline void wipeCredentials(nlohmann::json& value) noexcept {
  wipeCredentials<nlohmann::json>(value);
}

}  // namespace connector_crypto
