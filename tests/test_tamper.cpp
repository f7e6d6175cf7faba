// Tampering: every bit of iv and ct flipped, every truncation of ct, fails (tink-cc style loops).
#include "test_support.hpp"

using namespace test_support;
using json = nlohmann::json;

namespace {

std::vector<std::uint8_t> decode(const json& member) {
  std::vector<std::uint8_t> out;
  REQUIRE(base64_oracle::base64Decode(member.get<std::string>(), out));
  return out;
}
std::string encode(const std::vector<std::uint8_t>& bytes) {
  return base64_oracle::base64Encode(bytes.data(), bytes.size());
}

}  // namespace

TEST_CASE("every bit flip and truncation is refused") {
  const auto k = keyringV1();
  const json plain = {{"api_key", "sk_live_0123456789"}, {"n", 7}};
  const json e = connector_crypto::encryptCredentials(plain, k);
  REQUIRE(connector_crypto::decryptCredentials(e, k) == plain);
  const std::vector<std::uint8_t> iv = decode(e.at("iv")), ct = decode(e.at("ct"));

  SECTION("every bit of iv") {
    for (std::size_t bit = 0; bit < iv.size() * 8; ++bit) {
      std::vector<std::uint8_t> bad = iv;
      bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      json v = e;
      v["iv"] = encode(bad);
      INFO("iv bit " << bit);
      CHECK_THROWS_AS(connector_crypto::decryptCredentials(v, k), connector_crypto::DecryptError);
    }
  }
  SECTION("every bit of ct, tag included") {
    for (std::size_t bit = 0; bit < ct.size() * 8; ++bit) {
      std::vector<std::uint8_t> bad = ct;
      bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      json v = e;
      v["ct"] = encode(bad);
      INFO("ct bit " << bit);
      CHECK_THROWS_AS(connector_crypto::decryptCredentials(v, k), connector_crypto::DecryptError);
    }
  }
  SECTION("every truncation of ct") {
    for (std::size_t n = 0; n < ct.size(); ++n) {
      json v = e;
      v["ct"] = encode(std::vector<std::uint8_t>(ct.begin(), ct.begin() + static_cast<long>(n)));
      INFO("ct truncated to " << n << " bytes");
      if (n < connector_crypto::kTagBytes) {
        CHECK_THROWS_AS(connector_crypto::decryptCredentials(v, k), connector_crypto::EnvelopeError);
      } else {
        CHECK_THROWS_AS(connector_crypto::decryptCredentials(v, k), connector_crypto::DecryptError);
      }
    }
  }
  SECTION("bytes appended to ct") {
    std::vector<std::uint8_t> longer = ct;
    longer.push_back(0);
    json v = e;
    v["ct"] = encode(longer);
    CHECK_THROWS_AS(connector_crypto::decryptCredentials(v, k), connector_crypto::DecryptError);
  }
}
