// Internal AES-256-GCM seam: the only code that calls OpenSSL's cipher API. Not a public header.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ssl_unique_ptr.hpp"

namespace connector_crypto {
namespace detail {

// A read-only byte range (C++17 has no std::span).
struct ByteView {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
};

// AES-256-GCM under one key, 12-byte IV, 16-byte tag. Holds an encryption and a decryption context
// with the key schedule set once; not thread-safe (callers pool instances, see KeyEntry).
class Aes256Gcm {
 public:
  // key must be kKeyBytes long; throws Error if OpenSSL fails.
  explicit Aes256Gcm(ByteView key);

  // Writes ciphertext || tag (plaintext.size + kTagBytes bytes) to out; iv must be kIvBytes long.
  void seal(ByteView iv, ByteView aad, ByteView plaintext, std::uint8_t* out);

  // Opens ciphertext || tag into out (sealed.size - kTagBytes bytes). False when authentication
  // fails or sealed is shorter than the tag; out is then wiped, so no unauthenticated byte remains.
  // out may be sealed.data itself (in place: only the ciphertext bytes are overwritten).
  bool open(ByteView iv, ByteView aad, ByteView sealed, std::uint8_t* out);

 private:
  SslUniquePtr<EVP_CIPHER_CTX> enc_;
  SslUniquePtr<EVP_CIPHER_CTX> dec_;
};

// The AES-256-GCM implementation, fetched once per process.
const EVP_CIPHER* aes256GcmCipher();

}  // namespace detail
}  // namespace connector_crypto
