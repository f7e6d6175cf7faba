// Inspection without a key of stored JSON text, as decryptCredentialsText would see it (no
// nlohmann: inspect.hpp adds the value form).
#pragma once

#include <string_view>

#include "connector_crypto/config.hpp"
#include "connector_crypto/credentials_info.hpp"

namespace connector_crypto {

// Classifies stored JSON text by the rules of inspectCredentials (text that is not JSON is
// kMalformed with kInvalidText).
CONNECTOR_CRYPTO_API CredentialsInfo inspectCredentialsText(std::string_view stored);

}  // namespace connector_crypto
