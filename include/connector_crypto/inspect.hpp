// Inspection without a key: what a stored value is, as decryptCredentials would see it.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "connector_crypto/config.hpp"
#include "connector_crypto/error.hpp"

namespace connector_crypto {

// What inspectCredentials found.
struct CredentialsInfo {
  enum class Kind {
    kNull,       // null: decrypt returns null
    kPlaintext,  // no "__enc": legacy plaintext (passed through, or refused in strict mode)
    kEnvelope,   // a well-formed envelope: decrypt needs the key under kid
    kMalformed,  // carries "__enc" but can never decrypt: decrypt throws error
  };
  Kind kind = Kind::kNull;
  int version = 0;                         // kEnvelope: the format version (1)
  std::string kid;                         // kEnvelope: the kid it was sealed under
  ErrorCode error = ErrorCode::kInternal;  // kMalformed: the code decryptCredentials throws
  std::string message;                     // kMalformed: the message it throws (no secret)
};

// Classifies stored by the rules of decryptCredentials without a keyring: every envelope rule is
// checked (a kid that no keyring can hold is kMalformed with kUnknownKid); the tag is not.
CONNECTOR_CRYPTO_API CredentialsInfo inspectCredentials(const nlohmann::json& stored);

// The same for stored JSON text (text that is not JSON is kMalformed with kInvalidText).
CONNECTOR_CRYPTO_API CredentialsInfo inspectCredentialsText(std::string_view stored);

}  // namespace connector_crypto
