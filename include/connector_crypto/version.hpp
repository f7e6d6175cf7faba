// Library version (semantic versioning; the envelope format has its own version, "__enc").
#pragma once

#define CONNECTOR_CRYPTO_VERSION_MAJOR 0
#define CONNECTOR_CRYPTO_VERSION_MINOR 1
#define CONNECTOR_CRYPTO_VERSION_PATCH 0
#define CONNECTOR_CRYPTO_VERSION_STRING "0.1.0"

namespace connector_crypto {

// The library version as "MAJOR.MINOR.PATCH".
inline constexpr const char* kVersion = CONNECTOR_CRYPTO_VERSION_STRING;

}  // namespace connector_crypto
