// Internal: cryptographically secure random bytes, straight from the OS or OpenSSL, never buffered.
#pragma once

#include <cstddef>
#include <cstdint>

namespace connector_crypto {
namespace detail {

// Fills out[0, n) from getrandom(2) (Linux), or OpenSSL RAND_bytes elsewhere or if getrandom is
// unavailable; throws Error on failure. Nothing is cached in user space, so a fork or a VM snapshot
// cannot replay an IV.
void fillRandom(std::uint8_t* out, std::size_t n);

}  // namespace detail
}  // namespace connector_crypto
