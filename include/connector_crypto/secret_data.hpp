// Containers for secrets whose memory is wiped with OPENSSL_cleanse when freed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "connector_crypto/config.hpp"

namespace connector_crypto {
namespace detail {

// Overwrites n bytes at p with zeros in a way the compiler cannot elide (OPENSSL_cleanse).
CONNECTOR_CRYPTO_API void secureWipe(void* p, std::size_t n) noexcept;

// std::allocator that wipes every block before handing it back (tink-cc SecretData's allocator).
template <typename T>
struct WipingAllocator {
  using value_type = T;

  WipingAllocator() noexcept = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)

  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    secureWipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }

  template <typename U>
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const WipingAllocator<U>&) const noexcept {
    return false;
  }
};

}  // namespace detail

// Bytes of key material; wiped when freed, including on every reallocation.
using SecretData = std::vector<std::uint8_t, detail::WipingAllocator<std::uint8_t>>;
// Text that holds plaintext or key characters; wiped when freed (a vector, so no small-string buffer).
using SecretBuffer = std::vector<char, detail::WipingAllocator<char>>;

}  // namespace connector_crypto
