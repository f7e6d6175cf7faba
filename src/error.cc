// Names of the error codes: each enumerator as spelled in error.hpp and README ("kAuthentication").
#include "connector_crypto/error.hpp"

namespace connector_crypto {

const char* errorCodeName(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kConfiguration:
      return "kConfiguration";
    case ErrorCode::kUnknownKid:
      return "kUnknownKid";
    case ErrorCode::kEnvelopeBadVersion:
      return "kEnvelopeBadVersion";
    case ErrorCode::kEnvelopeMissing:
      return "kEnvelopeMissing";
    case ErrorCode::kEnvelopeType:
      return "kEnvelopeType";
    case ErrorCode::kEnvelopeBase64:
      return "kEnvelopeBase64";
    case ErrorCode::kEnvelopeIvSize:
      return "kEnvelopeIvSize";
    case ErrorCode::kEnvelopeCtSize:
      return "kEnvelopeCtSize";
    case ErrorCode::kEnvelopeRefused:
      return "kEnvelopeRefused";
    case ErrorCode::kEnvelopeContext:
      return "kEnvelopeContext";
    case ErrorCode::kAuthentication:
      return "kAuthentication";
    case ErrorCode::kInvalidPlaintext:
      return "kInvalidPlaintext";
    case ErrorCode::kPlaintextRejected:
      return "kPlaintextRejected";
    case ErrorCode::kTooDeep:
      return "kTooDeep";
    case ErrorCode::kTooLarge:
      return "kTooLarge";
    case ErrorCode::kNotSerializable:
      return "kNotSerializable";
    case ErrorCode::kInvalidText:
      return "kInvalidText";
    case ErrorCode::kExtendedJson:
      return "kExtendedJson";
    case ErrorCode::kInvalidContext:
      return "kInvalidContext";
    case ErrorCode::kContextRequired:
      return "kContextRequired";
    case ErrorCode::kContextRequiredByKeyring:
      return "kContextRequiredByKeyring";
    case ErrorCode::kUnboundRefused:
      return "kUnboundRefused";
    case ErrorCode::kContextMismatch:
      return "kContextMismatch";
    case ErrorCode::kInternal:
      return "kInternal";
  }
  return "Unknown";
}

}  // namespace connector_crypto
