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

}  // namespace

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
