// RAII for OpenSSL objects: std::unique_ptr with a typed Deleter (tink-cc internal/ssl_unique_ptr.h).
#pragma once

#include <memory>

#include <openssl/evp.h>

namespace connector_crypto {
namespace detail {

template <typename T>
struct Deleter;

template <>
struct Deleter<EVP_CIPHER_CTX> {
  void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
};

template <>
struct Deleter<EVP_CIPHER> {
  void operator()(EVP_CIPHER* p) const noexcept { EVP_CIPHER_free(p); }
};

template <typename T>
using SslUniquePtr = std::unique_ptr<T, Deleter<T>>;

}  // namespace detail
}  // namespace connector_crypto
