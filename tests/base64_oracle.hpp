// The oracle of the tests: a plain scalar codec of strict standard base64 (RFC 4648 section 4,
// padded), written for reading, not speed. The library's one codec is src/base64_fast.hpp; tests
// (test_base64_fast.cpp, fuzz/fuzz_base64_diff.cc) check it against this one, and the test helpers
// use this one so they do not lean on the code under test. Never installed, never in the library.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace base64_oracle {

inline constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Maps an input byte to its 6-bit value, or 0xFF for anything outside the standard alphabet.
inline constexpr std::array<std::uint8_t, 256> kBase64Reverse = [] {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = 0xFF;
  for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kBase64Alphabet[i])] = i;
  return table;
}();

// Number of characters base64 needs for n bytes, padding included.
constexpr std::size_t base64EncodedLength(std::size_t n) noexcept { return (n + 2) / 3 * 4; }

// Writes the padded base64 of data[0, n) to out, which must hold base64EncodedLength(n) chars.
inline void base64EncodeTo(const std::uint8_t* data, std::size_t n, char* out) noexcept {
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) |
                            std::uint32_t{data[i + 2]};
    *out++ = kBase64Alphabet[(v >> 18) & 63];
    *out++ = kBase64Alphabet[(v >> 12) & 63];
    *out++ = kBase64Alphabet[(v >> 6) & 63];
    *out++ = kBase64Alphabet[v & 63];
  }
  if (i + 1 == n) {
    const std::uint32_t v = std::uint32_t{data[i]} << 16;
    *out++ = kBase64Alphabet[(v >> 18) & 63];
    *out++ = kBase64Alphabet[(v >> 12) & 63];
    *out++ = '=';
    *out++ = '=';
  } else if (i + 2 == n) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
    *out++ = kBase64Alphabet[(v >> 18) & 63];
    *out++ = kBase64Alphabet[(v >> 12) & 63];
    *out++ = kBase64Alphabet[(v >> 6) & 63];
    *out++ = '=';
  }
}

// The padded base64 of data[0, n).
inline std::string base64Encode(const std::uint8_t* data, std::size_t n) {
  std::string out(base64EncodedLength(n), '\0');
  base64EncodeTo(data, n, out.data());
  return out;
}

// Decoded size of in if its length and padding have the strict shape (a multiple of 4, at most two
// trailing '='), else SIZE_MAX. Characters are checked by base64DecodeTo.
inline std::size_t base64DecodedLength(std::string_view in) noexcept {
  const std::size_t n = in.size();
  if (n % 4 != 0) return SIZE_MAX;
  std::size_t pad = 0;
  if (n >= 4 && in[n - 1] == '=') pad = (in[n - 2] == '=') ? 2 : 1;
  return n / 4 * 3 - pad;
}

// Decodes strict base64 into out (base64DecodedLength(in) bytes). False, with out partly written, for
// any character outside the alphabet, misplaced padding, or non-zero unused bits (non-canonical).
inline bool base64DecodeTo(std::string_view in, std::uint8_t* out) noexcept {
  const std::size_t n = in.size();
  if (n % 4 != 0) return false;
  if (n == 0) return true;
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t full = n - 4;  // every quad but the last has no padding
  for (std::size_t i = 0; i < full; i += 4) {
    const std::uint32_t a = kBase64Reverse[s[i]], b = kBase64Reverse[s[i + 1]],
                        c = kBase64Reverse[s[i + 2]], d = kBase64Reverse[s[i + 3]];
    if ((a | b | c | d) & 0x80) return false;
    const std::uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    *out++ = static_cast<std::uint8_t>(v >> 16);
    *out++ = static_cast<std::uint8_t>(v >> 8);
    *out++ = static_cast<std::uint8_t>(v);
  }
  const unsigned char* q = s + full;
  const std::uint32_t a = kBase64Reverse[q[0]], b = kBase64Reverse[q[1]];
  if ((a | b) & 0x80) return false;
  if (q[2] == '=') {
    if (q[3] != '=' || (b & 0x0F) != 0) return false;
    *out++ = static_cast<std::uint8_t>((a << 2) | (b >> 4));
    return true;
  }
  const std::uint32_t c = kBase64Reverse[q[2]];
  if (c & 0x80) return false;
  if (q[3] == '=') {
    if ((c & 0x03) != 0) return false;
    const std::uint32_t v = (a << 18) | (b << 12) | (c << 6);
    *out++ = static_cast<std::uint8_t>(v >> 16);
    *out++ = static_cast<std::uint8_t>(v >> 8);
    return true;
  }
  const std::uint32_t d = kBase64Reverse[q[3]];
  if (d & 0x80) return false;
  const std::uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
  *out++ = static_cast<std::uint8_t>(v >> 16);
  *out++ = static_cast<std::uint8_t>(v >> 8);
  *out++ = static_cast<std::uint8_t>(v);
  return true;
}

// Decodes strict base64 into a resizable byte container; false (container cleared) when not strict.
template <typename Container>
bool base64Decode(std::string_view in, Container& out) {
  const std::size_t len = base64DecodedLength(in);
  if (len == SIZE_MAX) {
    out.clear();
    return false;
  }
  out.resize(len);
  if (!base64DecodeTo(in, reinterpret_cast<std::uint8_t*>(out.data()))) {
    out.clear();
    return false;
  }
  return true;
}

}  // namespace base64_oracle
