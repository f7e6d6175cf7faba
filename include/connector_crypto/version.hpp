// Library version (semantic versioning; the envelope format has its own version, "__enc").
#pragma once

#define CONNECTOR_CRYPTO_VERSION_MAJOR 0
#define CONNECTOR_CRYPTO_VERSION_MINOR 4
#define CONNECTOR_CRYPTO_VERSION_PATCH 0
// The one place the version is written: CMakeLists.txt reads the three numbers above.
#define CONNECTOR_CRYPTO_DETAIL_STR_(x) #x
#define CONNECTOR_CRYPTO_DETAIL_STR(x) CONNECTOR_CRYPTO_DETAIL_STR_(x)
#define CONNECTOR_CRYPTO_VERSION_STRING                                                            \
  CONNECTOR_CRYPTO_DETAIL_STR(CONNECTOR_CRYPTO_VERSION_MAJOR)                                      \
  "." CONNECTOR_CRYPTO_DETAIL_STR(CONNECTOR_CRYPTO_VERSION_MINOR) "." CONNECTOR_CRYPTO_DETAIL_STR( \
      CONNECTOR_CRYPTO_VERSION_PATCH)

namespace connector_crypto {

// The library version as "MAJOR.MINOR.PATCH".
inline constexpr const char* kVersion = CONNECTOR_CRYPTO_VERSION_STRING;

}  // namespace connector_crypto
