// Differential test of the fast base64 encoder against OpenSSL's EVP_EncodeBlock and the strict
// codec of detail/base64.hpp, at every length across the 6-byte steps and on random bytes.
#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base64_fast.hpp"
#include "test_support.hpp"

namespace {

std::string openSslEncode(const std::vector<std::uint8_t>& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), in.data(),
                                static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

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
      REQUIRE(fast == connector_crypto::detail::base64Encode(in.data(), in.size()));
      std::vector<std::uint8_t> back;
      REQUIRE(connector_crypto::detail::base64Decode(fast, back));
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
