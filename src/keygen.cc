#include "connector_crypto/keygen.hpp"

#include <openssl/rand.h>

#include "base64_fast.hpp"
#include "connector_crypto/error.hpp"
#include "connector_crypto/limits.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {

std::string generateKeyBase64() {
  SecretData key(kKeyBytes);
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    throw Error("generateKeyBase64: RAND_bytes failed");
  }
  return detail::base64Encode(key.data(), key.size());
}

}  // namespace connector_crypto
