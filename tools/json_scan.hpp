// Byte-level primitives over JSON text already validated (isValidJson): whitespace and the end of a
// string or value, shared by the export-line scanner (export_line.cc) and withExactInt64.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

#include "connector_crypto/json_whitespace.hpp"

namespace connector_crypto {
namespace cli {
namespace scan {

// The index of the first byte at or after i that is not JSON whitespace (the library's rule).
inline std::size_t skipWs(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && isJsonWhitespace(s[i])) ++i;
  return i;
}

// s[i] is '"'; returns the index after the closing quote (memchr to the next quote, then counts
// the backslashes before it).
inline std::size_t stringEnd(std::string_view s, std::size_t i) noexcept {
  ++i;
  for (;;) {
    const void* hit = i < s.size() ? std::memchr(s.data() + i, '"', s.size() - i) : nullptr;
    if (hit == nullptr) return s.size();
    const auto q = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
    std::size_t backslashes = 0;
    while (q - backslashes > i && s[q - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return q + 1;
    i = q + 1;
  }
}

}  // namespace scan
}  // namespace cli
}  // namespace connector_crypto
