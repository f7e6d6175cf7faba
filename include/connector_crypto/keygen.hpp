// Minting new keys.
#pragma once

#include <string>

#include "connector_crypto/config.hpp"

namespace connector_crypto {

// 32 bytes from OpenSSL RAND_bytes as standard padded base64 (44 characters). The result is a key:
// store it in a secrets manager, never in logs.
CONNECTOR_CRYPTO_API std::string generateKeyBase64();

}  // namespace connector_crypto
