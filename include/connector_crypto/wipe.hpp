// Wiping memory the caller owns: a text-API service's own plaintext buffers (its JSON library's
// strings and output buffers, a std::string it copied credentials into), without reaching for
// OpenSSL. No nlohmann, no other header of the library needed.
#pragma once

#include <cstddef>

#include "connector_crypto/config.hpp"

namespace connector_crypto {

// Overwrites the size bytes at data with zeros through OPENSSL_cleanse, which the compiler cannot
// drop as a dead store; data may be null when size is 0. Call it before the buffer is freed or
// reused: wiping memory already freed is undefined behaviour, and a buffer that grew has left
// copies behind (reserve first, or wipe each buffer before it grows).
CONNECTOR_CRYPTO_API void wipe(void* data, std::size_t size) noexcept;

}  // namespace connector_crypto
