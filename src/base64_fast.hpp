// Internal: a faster encoder for the strict base64 of detail/base64.hpp (same output, 12 bits per
// table lookup). Decoding stays with detail::base64DecodeTo. Not a public header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace connector_crypto {
namespace detail {

// Writes the padded base64 of data[0, n) to out (base64EncodedLength(n) chars); byte-identical to
// base64EncodeTo and to OpenSSL's EVP_EncodeBlock.
void base64EncodeFastTo(const std::uint8_t* data, std::size_t n, char* out) noexcept;

// The padded base64 of data[0, n).
std::string base64EncodeFast(const std::uint8_t* data, std::size_t n);

}  // namespace detail
}  // namespace connector_crypto
