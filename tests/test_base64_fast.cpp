// Differential test of the fast base64 codec against OpenSSL's EVP_EncodeBlock / EVP_DecodeBlock and
// the scalar oracle of base64_oracle.hpp: every length across the steps, random bytes, mutations.
#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base64_fast.hpp"
#include "base64_oracle.hpp"
#include "test_support.hpp"

namespace {

std::string openSslEncode(const std::vector<std::uint8_t>& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), in.data(),
                                static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Strict decode with the fast decoder; nullopt when it refuses.
std::optional<std::vector<std::uint8_t>> fastDecode(const std::string& in) {
  const std::size_t n = base64_oracle::base64DecodedLength(in);
  if (n == SIZE_MAX) return std::nullopt;
  std::vector<std::uint8_t> out(n);
  if (!connector_crypto::detail::base64DecodeFastTo(in, out.data())) return std::nullopt;
  return out;
}

std::optional<std::vector<std::uint8_t>> strictDecode(const std::string& in) {
  std::vector<std::uint8_t> out;
  if (!base64_oracle::base64Decode(in, out)) return std::nullopt;
  return out;
}

// OpenSSL's decoding of in (lenient: it also takes some input strict base64 refuses), with the
// zero bytes its padding adds removed; nullopt when OpenSSL refuses.
std::optional<std::vector<std::uint8_t>> openSslDecode(const std::string& in) {
  std::vector<std::uint8_t> out(in.size() / 4 * 3 + 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  std::size_t pad = 0;
  if (in.size() >= 1 && in[in.size() - 1] == '=') ++pad;
  if (in.size() >= 2 && in[in.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

}  // namespace

TEST_CASE("the fast base64 decoder accepts and refuses exactly what the strict decoder does") {
  std::uint64_t s = 0x13198A2E03707344ULL;
  const auto next = [&s] {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s >> 24;
  };
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
  SECTION("the encoding of every length decodes back, as OpenSSL decodes it") {
    for (std::size_t n = 0; n <= 200; ++n) {
      std::vector<std::uint8_t> in(n);
      for (auto& b : in) b = static_cast<std::uint8_t>(next());
      const std::string encoded = openSslEncode(in);
      REQUIRE(fastDecode(encoded) == std::optional<std::vector<std::uint8_t>>(in));
      REQUIRE(openSslDecode(encoded) == std::optional<std::vector<std::uint8_t>>(in));
    }
  }
  SECTION("mutated encodings: same verdict and bytes as the strict decoder; OpenSSL agrees on all it accepts") {
    for (int round = 0; round < 30000; ++round) {
      std::vector<std::uint8_t> in(next() % 300);
      for (auto& b : in) b = static_cast<std::uint8_t>(next());
      std::string text = openSslEncode(in);
      for (std::size_t k = next() % 3; k > 0 && !text.empty(); --k) {
        const std::size_t at = next() % text.size();
        text[at] = (next() % 8 == 0) ? static_cast<char>(next() % 256)
                                     : alphabet[next() % alphabet.size()];
      }
      INFO("input: " << text);
      const auto fast = fastDecode(text);
      REQUIRE(fast == strictDecode(text));
      if (fast) REQUIRE(openSslDecode(text) == fast);
    }
  }
  SECTION("refused: bad length, characters outside the alphabet, misplaced padding, unused bits") {
    for (const char* bad : {"A", "AB=", "ABC", "A===", "====", "AB=C", "=ABC", "AAAA====", "AA==AAAA",
                            "AB==", "ABC=", "AAAAAA-A", "AAAA_AAA", "AAA AAAA", "AAAA\nAAA"}) {
      INFO(bad);
      const bool strict = strictDecode(bad).has_value();
      REQUIRE(fastDecode(bad).has_value() == strict);
    }
    REQUIRE_FALSE(fastDecode("AB==").has_value());  // non-zero unused bits
    REQUIRE(fastDecode("AA==").has_value());
  }
}

TEST_CASE("the fast base64 encoder writes what OpenSSL and the strict codec write") {
  std::uint64_t s = 0x243F6A8885A308D3ULL;
  const auto next = [&s] {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return static_cast<std::uint8_t>(s >> 32);
  };
  SECTION("every length from 0 to 300, random bytes") {
    for (std::size_t n = 0; n <= 300; ++n) {
      std::vector<std::uint8_t> in(n);
      for (auto& b : in) b = next();
      const std::string fast = connector_crypto::detail::base64EncodeFast(in.data(), in.size());
      REQUIRE(fast == openSslEncode(in));
      REQUIRE(fast == base64_oracle::base64Encode(in.data(), in.size()));
      std::vector<std::uint8_t> back;
      REQUIRE(base64_oracle::base64Decode(fast, back));
      REQUIRE(back == in);
    }
  }
  SECTION("all-zero, all-one and every byte value") {
    for (const std::vector<std::uint8_t>& in :
         {std::vector<std::uint8_t>(64, 0x00), std::vector<std::uint8_t>(65, 0xFF),
          [] {
            std::vector<std::uint8_t> v(256);
            for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(i);
            return v;
          }()}) {
      REQUIRE(connector_crypto::detail::base64EncodeFast(in.data(), in.size()) == openSslEncode(in));
    }
  }
  SECTION("known vectors (RFC 4648 section 10)") {
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
      REQUIRE(connector_crypto::detail::base64EncodeFast(
                  reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size()) == encoded);
    }
  }
}
