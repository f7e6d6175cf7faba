// Envelope encryption of credentials: {"__enc":1,"kid":…,"iv":…,"ct":…} (docs/FORMAT.md).
#pragma once

#include <nlohmann/json.hpp>

#include "connector_crypto/config.hpp"
#include "connector_crypto/keyring.hpp"

namespace connector_crypto {

// True when v is an object whose "__enc" is a number equal to 1 and whose "kid", "iv", "ct" are
// strings. Shape only: it does not check base64 or keys. Never use it to decide whether to decrypt.
CONNECTOR_CRYPTO_API bool isEncrypted(const nlohmann::json& v) noexcept;

// Encrypts plain under the active kid with a fresh random IV. null and values for which isEncrypted
// holds come back unchanged (idempotent); an object carrying "__enc" that is not an envelope throws
// EnvelopeError. Encrypts only what decrypt can read back: throws Error, before encrypting, for
// nesting deeper than kMaxJsonDepth, a string that is not valid UTF-8, a discarded or binary value,
// a NaN or infinite number. No function here recurses deeper than kMaxJsonDepth on a value.
CONNECTOR_CRYPTO_API nlohmann::json encryptCredentials(const nlohmann::json& plain,
                                                       const Keyring& keyring);

// Like encryptCredentials, but refuses (EnvelopeError) any value that carries "__enc": for API
// boundaries where the plaintext comes from a user, who must not be able to submit an envelope.
CONNECTOR_CRYPTO_API nlohmann::json encryptPlainCredentials(const nlohmann::json& plain,
                                                            const Keyring& keyring);

// Decrypts an envelope to its plaintext value. A value without "__enc" is legacy plaintext and
// comes back unchanged (PlaintextRejectedError in strict mode, null aside; Error when it nests
// deeper than kMaxJsonDepth, since nlohmann's copy would recurse). A value with "__enc" decrypts to
// its true plaintext or throws EnvelopeError, UnknownKidError or DecryptError.
CONNECTOR_CRYPTO_API nlohmann::json decryptCredentials(const nlohmann::json& stored,
                                                       const Keyring& keyring);

// True for non-null legacy plaintext and for envelopes whose kid is not the active kid; throws
// EnvelopeError for a value that carries "__enc" but is malformed, Error for plaintext nested
// deeper than kMaxJsonDepth (which rewrapCredentials would refuse).
CONNECTOR_CRYPTO_API bool needsRewrap(const nlohmann::json& stored, const Keyring& keyring);

// Brings stored to the active key: plaintext is encrypted, an envelope under another kid is
// decrypted and re-encrypted, an envelope under the active kid and null come back unchanged. A
// value that cannot be decrypted, or that encryptCredentials refuses, throws; garbage is never
// re-encrypted.
CONNECTOR_CRYPTO_API nlohmann::json rewrapCredentials(const nlohmann::json& stored,
                                                      const Keyring& keyring);

// Overwrites every string and number inside value (OPENSSL_cleanse) and leaves it null: call it when
// done with decrypted credentials. Object keys and nlohmann's internal buffers are out of reach.
CONNECTOR_CRYPTO_API void wipeCredentials(nlohmann::json& value) noexcept;

}  // namespace connector_crypto
