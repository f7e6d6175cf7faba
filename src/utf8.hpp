// Internal: the library's one UTF-8 rule, well-formed sequences as Unicode's table 3-7 lists them
// (RFC 3629): shortest form, no surrogate (U+D800-DFFF), nothing past U+10FFFF; the sequences
// nlohmann's and simdjson's decoders accept. The serializer's measureString (json_codec.cc) and the
// CONNECTOR_CRED_KEYS reader (env.cc) both check text with it.
#pragma once

#include <cstddef>

namespace connector_crypto {
namespace detail {

// Length (1 to 4) of the well-formed UTF-8 sequence starting at p, or 0 when the bytes from p to
// end do not start with one (p == end, a stray or missing continuation byte, an overlong form, a
// surrogate, a code point past U+10FFFF, or a sequence that end cuts short).
inline std::size_t utf8SequenceLength(const unsigned char* p, const unsigned char* end) noexcept {
  if (p == end) return 0;
  const unsigned c = p[0];
  if (c < 0x80) return 1;
  const std::size_t left = static_cast<std::size_t>(end - p);
  const auto cont = [](unsigned x) { return (x & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(p[1]) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    // E0 would be overlong below A0; ED would be a surrogate from A0.
    if (left < 3 || !cont(p[2])) return 0;
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return p[1] >= lo && p[1] <= hi ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    // F0 would be overlong below 90; F4 would pass U+10FFFF from 90.
    if (left < 4 || !cont(p[2]) || !cont(p[3])) return 0;
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return p[1] >= lo && p[1] <= hi ? 4 : 0;
  }
  return 0;  // a continuation byte, C0/C1 (always overlong) or F5-FF (past U+10FFFF)
}

}  // namespace detail
}  // namespace connector_crypto
