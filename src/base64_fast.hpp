// Internal: the library's one base64 codec, strict standard base64 (RFC 4648 section 4, padded),
// the only flavour the envelope format accepts. Encoder: 12 bits per table lookup (AVX2 where the
// CPU has it); decoder: four pre-shifted tables, one check per 4 characters (AVX2 likewise). Not
// installed: no public header needs it. tests/base64_oracle.hpp holds the plain scalar codec the
// tests and fuzz/fuzz_base64_diff.cc check this one against.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace connector_crypto {
namespace detail {

// Number of characters base64 needs for n bytes, padding included.
constexpr std::size_t base64EncodedLength(std::size_t n) noexcept { return (n + 2) / 3 * 4; }

// Decoded size of in if its length and padding have the strict shape (a multiple of 4, at most two
// trailing '='), else SIZE_MAX. Characters are checked by the decoder.
inline std::size_t base64DecodedLength(std::string_view in) noexcept {
  const std::size_t n = in.size();
  if (n % 4 != 0) return SIZE_MAX;
  std::size_t pad = 0;
  if (n >= 4 && in[n - 1] == '=') pad = (in[n - 2] == '=') ? 2 : 1;
  return n / 4 * 3 - pad;
}

// Writes the padded base64 of data[0, n) to out (base64EncodedLength(n) chars); byte-identical to
// OpenSSL's EVP_EncodeBlock.
void base64EncodeFastTo(const std::uint8_t* data, std::size_t n, char* out) noexcept;

// The padded base64 of data[0, n).
std::string base64EncodeFast(const std::uint8_t* data, std::size_t n);

// Decodes strict base64 into out (base64DecodedLength(in) bytes). False, with out partly written,
// for any character outside the alphabet, misplaced padding, or non-zero unused bits
// (non-canonical).
bool base64DecodeFastTo(std::string_view in, std::uint8_t* out) noexcept;

// The same codec under the names the library's callers use.
inline void base64EncodeTo(const std::uint8_t* data, std::size_t n, char* out) noexcept {
  base64EncodeFastTo(data, n, out);
}
inline std::string base64Encode(const std::uint8_t* data, std::size_t n) {
  return base64EncodeFast(data, n);
}
inline bool base64DecodeTo(std::string_view in, std::uint8_t* out) noexcept {
  return base64DecodeFastTo(in, out);
}

}  // namespace detail
}  // namespace connector_crypto
