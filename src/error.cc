// Names of the error codes.
#include "connector_crypto/error.hpp"

namespace connector_crypto {

const char* errorCodeName(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kConfiguration:
      return "Configuration";
    case ErrorCode::kUnknownKid:
      return "UnknownKid";
    case ErrorCode::kEnvelopeBadVersion:
      return "EnvelopeBadVersion";
    case ErrorCode::kEnvelopeMissing:
      return "EnvelopeMissing";
    case ErrorCode::kEnvelopeType:
      return "EnvelopeType";
    case ErrorCode::kEnvelopeBase64:
      return "EnvelopeBase64";
    case ErrorCode::kEnvelopeIvSize:
      return "EnvelopeIvSize";
    case ErrorCode::kEnvelopeCtSize:
      return "EnvelopeCtSize";
    case ErrorCode::kEnvelopeRefused:
      return "EnvelopeRefused";
    case ErrorCode::kEnvelopeContext:
      return "EnvelopeContext";
    case ErrorCode::kAuthentication:
      return "Authentication";
    case ErrorCode::kInvalidPlaintext:
      return "InvalidPlaintext";
    case ErrorCode::kPlaintextRejected:
      return "PlaintextRejected";
    case ErrorCode::kTooDeep:
      return "TooDeep";
    case ErrorCode::kTooLarge:
      return "TooLarge";
    case ErrorCode::kNotSerializable:
      return "NotSerializable";
    case ErrorCode::kInvalidText:
      return "InvalidText";
    case ErrorCode::kExtendedJson:
      return "ExtendedJson";
    case ErrorCode::kInvalidContext:
      return "InvalidContext";
    case ErrorCode::kContextRequired:
      return "ContextRequired";
    case ErrorCode::kContextRequiredByKeyring:
      return "ContextRequiredByKeyring";
    case ErrorCode::kUnboundRefused:
      return "UnboundRefused";
    case ErrorCode::kContextMismatch:
      return "ContextMismatch";
    case ErrorCode::kInternal:
      return "Internal";
  }
  return "Unknown";
}

}  // namespace connector_crypto
