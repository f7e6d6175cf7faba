#include "base64_fast.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONNECTOR_CRYPTO_BASE64_AVX2 1
#endif

namespace connector_crypto {
namespace detail {
namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Maps an input byte to its 6-bit value, or 0xFF for anything outside the standard alphabet.
constexpr std::array<std::uint8_t, 256> kBase64Reverse = [] {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = 0xFF;
  for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kBase64Alphabet[i])] = i;
  return table;
}();

// The last quad q[0, 4) of strict base64, with the padding rules: '=' only at the end, at most
// two, and the unused bits of the last character zero (canonical).
bool decodeLastQuad(const unsigned char* q, std::uint8_t* out) noexcept {
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

// The padded last quad of the n (1 or 2) bytes left at data; nothing for n == 0.
void encodeTail(const std::uint8_t* data, std::size_t n, char* out) noexcept {
  if (n == 1) {
    const std::uint32_t v = std::uint32_t{data[0]} << 16;
    *out++ = kBase64Alphabet[(v >> 18) & 63];
    *out++ = kBase64Alphabet[(v >> 12) & 63];
    *out++ = '=';
    *out++ = '=';
  } else if (n == 2) {
    const std::uint32_t v = (std::uint32_t{data[0]} << 16) | (std::uint32_t{data[1]} << 8);
    *out++ = kBase64Alphabet[(v >> 18) & 63];
    *out++ = kBase64Alphabet[(v >> 12) & 63];
    *out++ = kBase64Alphabet[(v >> 6) & 63];
    *out++ = '=';
  }
}

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

#if defined(CONNECTOR_CRYPTO_BASE64_AVX2)

// Decodes 32 characters to 24 bytes per step while at least 32 bytes of out remain (each step
// stores 32), with the range checks and packing of Mula and Lemire, "Faster Base64 Encoding and
// Decoding Using AVX2 Instructions" (2018). Returns how many characters it consumed (a multiple of
// 32), or SIZE_MAX when one of them is outside the alphabet ('=' included).
__attribute__((target("avx2"))) std::size_t decodeAvx2(const unsigned char* s, std::size_t chars,
                                                       std::uint8_t* out,
                                                       std::size_t outRoom) noexcept {
  const __m256i lutLo = _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                         0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A, 0x15, 0x11, 0x11, 0x11,
                                         0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B,
                                         0x1B, 0x1A);
  const __m256i lutHi = _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10,
                                         0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x01, 0x02,
                                         0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
                                         0x10, 0x10);
  const __m256i lutRoll = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,
                                           0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i mask2F = _mm256_set1_epi8(0x2F);
  const __m256i pack = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2, 1,
                                        0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, -1, -1);
  std::size_t i = 0;
  for (; i + 32 <= chars && outRoom >= 32; i += 32, out += 24, outRoom -= 24) {
    __m256i str = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
    const __m256i hiNibbles = _mm256_and_si256(_mm256_srli_epi32(str, 4), mask2F);
    const __m256i loNibbles = _mm256_and_si256(str, mask2F);
    const __m256i hi = _mm256_shuffle_epi8(lutHi, hiNibbles);
    const __m256i lo = _mm256_shuffle_epi8(lutLo, loNibbles);
    if (!_mm256_testz_si256(lo, hi)) return SIZE_MAX;
    const __m256i eq2F = _mm256_cmpeq_epi8(str, mask2F);
    const __m256i roll = _mm256_shuffle_epi8(lutRoll, _mm256_add_epi8(eq2F, hiNibbles));
    str = _mm256_add_epi8(str, roll);  // every character now holds its 6-bit value
    const __m256i pairs = _mm256_maddubs_epi16(str, _mm256_set1_epi32(0x01400140));
    __m256i words = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
    words = _mm256_shuffle_epi8(words, pack);
    words = _mm256_permutevar8x32_epi32(words, lanes);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), words);
  }
  return i;
}

// Encodes 24 bytes to 32 characters per step while at least 32 input bytes remain (each step reads
// 28), with the reshuffle and translation of the same paper. Returns the bytes consumed.
__attribute__((target("avx2"))) std::size_t encodeAvx2(const std::uint8_t* data, std::size_t n,
                                                       char* out) noexcept {
  // Per 128-bit lane: bytes 0..11 of the lane's load, spread so each 32-bit word holds 3 of them.
  const __m256i spread = _mm256_set_epi8(10, 11, 9, 10, 7, 8, 6, 7, 4, 5, 3, 4, 1, 2, 0, 1, 10, 11,
                                         9, 10, 7, 8, 6, 7, 4, 5, 3, 4, 1, 2, 0, 1);
  const __m256i offsets = _mm256_setr_epi8(65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16,
                                           0, 0, 65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4,
                                           -19, -16, 0, 0);
  std::size_t i = 0;
  for (; i + 32 <= n; i += 24, out += 32) {
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + 12));
    const __m256i in = _mm256_shuffle_epi8(_mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1),
                                           spread);
    // Four 6-bit values per 32-bit word, each in its own byte.
    const __m256i t0 = _mm256_and_si256(in, _mm256_set1_epi32(0x0FC0FC00));
    const __m256i t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x04000040));
    const __m256i t2 = _mm256_and_si256(in, _mm256_set1_epi32(0x003F03F0));
    const __m256i t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x01000010));
    const __m256i sextets = _mm256_or_si256(t1, t3);
    // 0..25 -> 'A'.., 26..51 -> 'a'.., 52..61 -> '0'.., 62 -> '+', 63 -> '/'.
    __m256i index = _mm256_subs_epu8(sextets, _mm256_set1_epi8(51));
    index = _mm256_sub_epi8(index, _mm256_cmpgt_epi8(sextets, _mm256_set1_epi8(25)));
    const __m256i chars = _mm256_add_epi8(sextets, _mm256_shuffle_epi8(offsets, index));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), chars);
  }
  return i;
}

bool haveAvx2() noexcept {
  static const bool have = __builtin_cpu_supports("avx2") != 0;
  return have;
}

#endif  // CONNECTOR_CRYPTO_BASE64_AVX2

}  // namespace

bool base64DecodeFastTo(std::string_view in, std::uint8_t* out) noexcept {
  const std::size_t n = in.size();
  if (n % 4 != 0) return false;
  if (n == 0) return true;
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t full = n - 4;  // every quad but the last has no padding
  std::size_t i = 0;
#if defined(CONNECTOR_CRYPTO_BASE64_AVX2)
  if (full >= 64 && haveAvx2()) {
    i = decodeAvx2(s, full, out, base64DecodedLength(in));
    if (i == SIZE_MAX) return false;
    out += i / 4 * 3;
  }
#endif
  std::uint32_t bad = 0;
  for (; i < full; i += 4) {
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
  return decodeLastQuad(s + full, out);  // the last quad, with the padding rules
}

void base64EncodeFastTo(const std::uint8_t* data, std::size_t n, char* out) noexcept {
  std::size_t i = 0;
#if defined(CONNECTOR_CRYPTO_BASE64_AVX2)
  if (n >= 64 && haveAvx2()) {
    i = encodeAvx2(data, n, out);
    out += i / 3 * 4;
  }
#endif
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
  encodeTail(data + i, n - i, out);  // the last 1 or 2 bytes, padded
}

std::string base64EncodeFast(const std::uint8_t* data, std::size_t n) {
  std::string out(base64EncodedLength(n), '\0');
  base64EncodeFastTo(data, n, out.data());
  return out;
}

}  // namespace detail
}  // namespace connector_crypto
