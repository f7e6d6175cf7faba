#include "base64_fast.hpp"

#include <array>
#include <cstring>

#include "connector_crypto/detail/base64.hpp"

namespace connector_crypto {
namespace detail {
namespace {

// Two base64 characters for every 12-bit value, first character in the low byte (as stored).
const std::array<std::uint16_t, 4096> kPairs = [] {
  std::array<std::uint16_t, 4096> t{};
  for (std::size_t v = 0; v < 4096; ++v) {
    const auto hi = static_cast<unsigned char>(kBase64Alphabet[v >> 6]);
    const auto lo = static_cast<unsigned char>(kBase64Alphabet[v & 63]);
    unsigned char pair[2] = {hi, lo};
    std::memcpy(&t[v], pair, 2);
  }
  return t;
}();

inline std::uint64_t loadBigEndian64(const std::uint8_t* p) noexcept {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap64(v);
#else
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
#endif
}

// kDecode[k][c]: the 6-bit value of character c shifted into place k of a 24-bit group, or a bit
// above the group for a character outside the alphabet ('=' included).
constexpr std::uint32_t kInvalid = 0x01000000;
const std::array<std::array<std::uint32_t, 256>, 4> kDecode = [] {
  std::array<std::array<std::uint32_t, 256>, 4> t{};
  for (std::size_t c = 0; c < 256; ++c) {
    const std::uint32_t v = kBase64Reverse[c];
    for (std::size_t k = 0; k < 4; ++k) {
      t[k][c] = v == 0xFF ? kInvalid : v << (18 - 6 * k);
    }
  }
  return t;
}();

}  // namespace

bool base64DecodeFastTo(std::string_view in, std::uint8_t* out) noexcept {
  const std::size_t n = in.size();
  if (n % 4 != 0) return false;
  if (n == 0) return true;
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t full = n - 4;  // every quad but the last has no padding
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < full; i += 4) {
    const std::uint32_t v = kDecode[0][s[i]] | kDecode[1][s[i + 1]] | kDecode[2][s[i + 2]] |
                            kDecode[3][s[i + 3]];
    bad |= v;
    // 4-byte store, 3 bytes meant: the last quad still writes at least one byte after these.
    const std::uint8_t bytes[4] = {static_cast<std::uint8_t>(v >> 16),
                                   static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v),
                                   0};
    std::memcpy(out, bytes, 4);
    out += 3;
  }
  if ((bad & kInvalid) != 0) return false;
  return base64DecodeTo(in.substr(full), out);  // the last quad, with the padding rules
}

void base64EncodeFastTo(const std::uint8_t* data, std::size_t n, char* out) noexcept {
  std::size_t i = 0;
  // 6 input bytes -> 8 characters per step, reading 8 bytes (so 2 bytes of slack are needed).
  for (; i + 8 <= n; i += 6) {
    const std::uint64_t v = loadBigEndian64(data + i);
    const std::uint16_t c[4] = {kPairs[(v >> 52) & 0xFFF], kPairs[(v >> 40) & 0xFFF],
                                kPairs[(v >> 28) & 0xFFF], kPairs[(v >> 16) & 0xFFF]};
    std::memcpy(out, c, 8);
    out += 8;
  }
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) |
                            std::uint32_t{data[i + 2]};
    const std::uint16_t c[2] = {kPairs[v >> 12], kPairs[v & 0xFFF]};
    std::memcpy(out, c, 4);
    out += 4;
  }
  base64EncodeTo(data + i, n - i, out);  // the last 1 or 2 bytes, padded
}

std::string base64EncodeFast(const std::uint8_t* data, std::size_t n) {
  std::string out(base64EncodedLength(n), '\0');
  base64EncodeFastTo(data, n, out.data());
  return out;
}

}  // namespace detail
}  // namespace connector_crypto
