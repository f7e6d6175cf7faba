// Credentials as JSON text, for services that hold no nlohmann values (RapidJSON, simdjson,
// Boost.JSON, or libbson's relaxed Extended JSON). Same verdicts as the value API (envelope.hpp).
#pragma once

#include <string>
#include <string_view>

#include "connector_crypto/config.hpp"
#include "connector_crypto/context.hpp"
#include "connector_crypto/keyring.hpp"
#include "connector_crypto/secret_data.hpp"
#include "connector_crypto/wipe.hpp"

namespace connector_crypto {

// Encrypts the compact form of json (insignificant whitespace removed, nothing else changed) and
// returns the envelope's text {"__enc":1,"kid":…,"iv":…,"ct":…}. "null" and an envelope that
// decrypt would read as far as the key come back unchanged; a value carrying "__enc" that decrypt
// refuses without a key throws decrypt's error (as encryptCredentials); text that is not exactly
// one JSON value (UTF-8, no NUL, at most kMaxJsonDepth levels) or that repeats a member name in an
// object throws Error.
CONNECTOR_CRYPTO_API std::string encryptCredentialsText(std::string_view json,
                                                        const Keyring& keyring);
// The same with the record's encryption context (encryptCredentials with a context): a bound
// envelope {"__enc":1,"kid":…,"iv":…,"ct":…,"ctx":[…]} under bindContext.
CONNECTOR_CRYPTO_API std::string encryptCredentialsText(std::string_view json,
                                                        const Keyring& keyring,
                                                        const EncryptionContext& context);

// The plaintext JSON text of an envelope, byte for byte as its writer sealed it, in a buffer that
// wipes itself. Legacy plaintext text comes back unchanged (PlaintextRejectedError in strict mode,
// "null" aside); text carrying "__enc" decrypts or throws, as decryptCredentials; text that is not
// JSON throws Error.
CONNECTOR_CRYPTO_API SecretBuffer decryptCredentialsText(std::string_view stored,
                                                         const Keyring& keyring);
// The same with the record's encryption context (decryptCredentials with a context).
CONNECTOR_CRYPTO_API SecretBuffer decryptCredentialsText(std::string_view stored,
                                                         const Keyring& keyring,
                                                         const EncryptionContext& context);

// Brings stored to the active key as rewrapCredentials does; an envelope under another kid is
// re-sealed from its decrypted bytes as they are (no value is built, so its writer's spelling of
// numbers and its member order survive).
CONNECTOR_CRYPTO_API std::string rewrapCredentialsText(std::string_view stored,
                                                       const Keyring& keyring);
// The same with the record's encryption context (rewrapCredentials with a context).
CONNECTOR_CRYPTO_API std::string rewrapCredentialsText(std::string_view stored,
                                                       const Keyring& keyring,
                                                       const EncryptionContext& context);

}  // namespace connector_crypto
