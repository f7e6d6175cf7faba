// The library's exception hierarchy: every failure of the API is one of these, with a stable code.
#pragma once

#include <stdexcept>
#include <string>

#include "connector_crypto/config.hpp"

namespace connector_crypto {

// What went wrong, as stable API (messages are not): branch on code(), never on what(). The class
// each code is thrown as is in the comment; README lists them.
enum class ErrorCode : int {
  kConfiguration = 1,        // KeyringError: missing, malformed or contradicting variables or keys
  kUnknownKid = 2,           // UnknownKidError: the envelope's kid is not in the keyring (or no
                             // keyring can hold it: it breaks the kid rule)
  kEnvelopeBadVersion = 10,  // EnvelopeError: "__enc" is not the number 1
  kEnvelopeMissing = 11,     // EnvelopeError: "kid", "iv" or "ct" is missing
  kEnvelopeType = 12,        // EnvelopeError: "kid", "iv" or "ct" is not a string
  kEnvelopeBase64 = 13,      // EnvelopeError: "iv" or "ct" is not strict standard base64
  kEnvelopeIvSize = 14,      // EnvelopeError: "iv" does not hold 12 bytes
  kEnvelopeCtSize = 15,      // EnvelopeError: "ct" is shorter than the tag or over 16 MiB
  kEnvelopeRefused = 16,     // EnvelopeError: encryptPlainCredentials met a value carrying "__enc"
  kEnvelopeContext = 17,     // EnvelopeError: "ctx" is not 1-16 valid, sorted, unique names
  kAuthentication = 20,      // DecryptError: the tag did not verify (wrong key, or iv/ct modified)
  kInvalidPlaintext = 21,    // DecryptError: authentic plaintext that is not UTF-8 JSON
  kPlaintextRejected = 30,   // PlaintextRejectedError: strict mode met non-null plaintext
  kTooDeep = 40,             // Error: nested deeper than kMaxJsonDepth
  kTooLarge = 41,            // Error: larger than the 16 MiB envelope limit
  kNotSerializable = 42,     // Error: not JSON (invalid UTF-8, NaN/Infinity, binary, discarded)
  kInvalidText = 43,         // Error: text API input that is not one JSON value, or repeats a name
                             // (as does an ordered_json value given to a writer)
  kExtendedJson = 44,        // Error: an Extended JSON wrapper that does not convert (extended_json.hpp)
  kInvalidContext = 60,      // Error: an encryption context breaks a rule (context.hpp)
  kContextRequired = 61,     // Error: a bound envelope, or a write under bindContext, without a context
  kContextRequiredByKeyring = 62,  // EnvelopeError: requireContext, an unbound envelope, no context
  kUnboundRefused = 63,      // EnvelopeError: requireContext, an unbound envelope, a context given
  kContextMismatch = 64,     // EnvelopeError: the caller's context names are not the envelope's "ctx"
  kInternal = 50,            // Error: OpenSSL or the random source failed, or an internal error
};

// The enumerator's name as spelled here and in README ("kAuthentication"), for logs and reports;
// "Unknown" for a value that is not an enumerator.
CONNECTOR_CRYPTO_API const char* errorCodeName(ErrorCode code) noexcept;

// Base of every exception the library throws (std::bad_alloc aside). Messages name the env var or
// envelope field at fault and never hold key material or plaintext.
class CONNECTOR_CRYPTO_API Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  // An internal error (kInternal).
  explicit Error(const std::string& message) : Error(ErrorCode::kInternal, message) {}
  // The stable code of this failure.
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

// Configuration error: the keyring cannot be built from the given variables or keys.
class CONNECTOR_CRYPTO_API KeyringError : public Error {
 public:
  explicit KeyringError(const std::string& message) : Error(ErrorCode::kConfiguration, message) {}

 protected:
  KeyringError(ErrorCode code, const std::string& message) : Error(code, message) {}
};

// An envelope names a kid that the keyring does not hold.
class CONNECTOR_CRYPTO_API UnknownKidError : public KeyringError {
 public:
  explicit UnknownKidError(const std::string& message)
      : KeyringError(ErrorCode::kUnknownKid, message) {}
};

// A value carries "__enc" but is not a well-formed version-1 envelope (code: which rule).
class CONNECTOR_CRYPTO_API EnvelopeError : public Error {
 public:
  EnvelopeError(ErrorCode code, const std::string& message) : Error(code, message) {}
};

// Authentication failed (kAuthentication: wrong key, modified envelope, or a bound envelope read
// under another record's context), or the decrypted bytes are not JSON (kInvalidPlaintext).
class CONNECTOR_CRYPTO_API DecryptError : public Error {
 public:
  DecryptError(ErrorCode code, const std::string& message) : Error(code, message) {}
};

// Strict mode (KeyringOptions::requireEncrypted) met non-null plaintext where an envelope was
// required.
class CONNECTOR_CRYPTO_API PlaintextRejectedError : public Error {
 public:
  explicit PlaintextRejectedError(const std::string& message)
      : Error(ErrorCode::kPlaintextRejected, message) {}
};

}  // namespace connector_crypto
