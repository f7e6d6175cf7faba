// Internal: faster versions of the strict base64 codec of detail/base64.hpp, same results (encoder:
// 12 bits per table lookup; decoder: four pre-shifted tables, one check per 4 characters).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace connector_crypto {
namespace detail {

// Writes the padded base64 of data[0, n) to out (base64EncodedLength(n) chars); byte-identical to
// base64EncodeTo and to OpenSSL's EVP_EncodeBlock.
void base64EncodeFastTo(const std::uint8_t* data, std::size_t n, char* out) noexcept;

// The padded base64 of data[0, n).
std::string base64EncodeFast(const std::uint8_t* data, std::size_t n);

// Same contract and result as base64DecodeTo: decodes strict base64 into out
// (base64DecodedLength(in) bytes); false for anything not strict, with out partly written.
bool base64DecodeFastTo(std::string_view in, std::uint8_t* out) noexcept;

}  // namespace detail
}  // namespace connector_crypto
