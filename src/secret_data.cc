#include "connector_crypto/secret_data.hpp"

#include "connector_crypto/wipe.hpp"

#include <openssl/crypto.h>

namespace connector_crypto {
namespace detail {

void secureWipe(void* p, std::size_t n) noexcept {
  if (p != nullptr && n > 0) OPENSSL_cleanse(p, n);
}

}  // namespace detail

void wipe(void* data, std::size_t size) noexcept { detail::secureWipe(data, size); }

}  // namespace connector_crypto
