#include "connector_crypto/secret_data.hpp"

#include <openssl/crypto.h>

namespace connector_crypto {
namespace detail {

void secureWipe(void* p, std::size_t n) noexcept {
  if (p != nullptr && n > 0) OPENSSL_cleanse(p, n);
}

}  // namespace detail
}  // namespace connector_crypto
