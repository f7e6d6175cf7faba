// The library's exception hierarchy: every failure of the API is one of these.
#pragma once

#include <stdexcept>
#include <string>

#include "connector_crypto/config.hpp"

namespace connector_crypto {

// Base of every exception the library throws (std::bad_alloc aside). Messages name the env var or
// envelope field at fault and never hold key material or plaintext.
class CONNECTOR_CRYPTO_API Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Configuration error: the keyring cannot be built from the given variables or keys.
class CONNECTOR_CRYPTO_API KeyringError : public Error {
 public:
  using Error::Error;
};

// An envelope names a kid that the keyring does not hold.
class CONNECTOR_CRYPTO_API UnknownKidError : public KeyringError {
 public:
  using KeyringError::KeyringError;
};

// A value carries "__enc" but is not a well-formed version-1 envelope.
class CONNECTOR_CRYPTO_API EnvelopeError : public Error {
 public:
  using Error::Error;
};

// Authentication failed (tampered iv/ct/tag or wrong key), or the decrypted bytes are not JSON.
class CONNECTOR_CRYPTO_API DecryptError : public Error {
 public:
  using Error::Error;
};

// Strict mode (KeyringOptions::requireEncrypted) met non-null plaintext where an envelope was required.
class CONNECTOR_CRYPTO_API PlaintextRejectedError : public Error {
 public:
  using Error::Error;
};

}  // namespace connector_crypto
