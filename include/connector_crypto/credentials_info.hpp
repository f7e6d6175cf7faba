// What a stored credentials value is, as decryptCredentials would see it (inspect.hpp).
#pragma once

#include <string>
#include <vector>

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
  bool bound = false;                      // kEnvelope: a bound envelope (it has "ctx")
  std::vector<std::string> contextNames;   // kEnvelope, bound: its context names, sorted
  ErrorCode error = ErrorCode::kInternal;  // kMalformed: the code decryptCredentials throws
  std::string message;                     // kMalformed: the message it throws (no secret)
};

}  // namespace connector_crypto
