// Tampering: every bit of iv and ct flipped, every truncation of ct, every edit of a bound
// envelope's ctx and of its context fails (tink-cc style loops).
#include <algorithm>
#include <map>

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

// e with bit `bit` of its base64 member flipped.
json withBitFlipped(const json& e, const char* member, std::size_t bit) {
  std::vector<std::uint8_t> bytes = decode(e.at(member));
  bytes[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  json v = e;
  v[member] = encode(bytes);
  return v;
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
      const json v = withBitFlipped(e, "iv", bit);
      INFO("iv bit " << bit);
      CHECK_THROWS_AS(connector_crypto::decryptCredentials(v, k), connector_crypto::DecryptError);
    }
  }
  SECTION("every bit of ct, tag included") {
    for (std::size_t bit = 0; bit < ct.size() * 8; ++bit) {
      const json v = withBitFlipped(e, "ct", bit);
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

TEST_CASE("a bound envelope: every bit flip, every truncation, every ctx edit is refused") {
  namespace cc = connector_crypto;
  cc::KeyringOptions bind;
  bind.bindContext = true;
  const auto k = cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1", bind);
  const cc::EncryptionContext context{{"tenant", "oid:6650f0c2a1b2c3d4e5f60718"},
                                      {"field", "credentials"},
                                      {"id", "oid:6650f0c2a1b2c3d4e5f60719"}};
  const json plain = {{"api_key", "sk_live_0123456789"}};
  const json e = cc::encryptCredentials(plain, k, context);
  REQUIRE(cc::decryptCredentials(e, k, context) == plain);
  const std::vector<std::uint8_t> iv = decode(e.at("iv")), ct = decode(e.at("ct"));
  const auto refusedAs = [&](const json& v, cc::ErrorCode code) {
    try {
      cc::decryptCredentials(v, k, context);
      FAIL("decrypted: " << v.dump());
    } catch (const cc::Error& error) {
      CHECK(error.code() == code);
    }
  };

  SECTION("every bit of iv and of ct, tag included") {
    for (std::size_t bit = 0; bit < iv.size() * 8; ++bit) {
      const json v = withBitFlipped(e, "iv", bit);
      INFO("iv bit " << bit);
      refusedAs(v, cc::ErrorCode::kAuthentication);
    }
    for (std::size_t bit = 0; bit < ct.size() * 8; ++bit) {
      const json v = withBitFlipped(e, "ct", bit);
      INFO("ct bit " << bit);
      refusedAs(v, cc::ErrorCode::kAuthentication);
    }
  }
  SECTION("every truncation of ct") {
    for (std::size_t n = 0; n < ct.size(); ++n) {
      json v = e;
      v["ct"] = encode(std::vector<std::uint8_t>(ct.begin(), ct.begin() + static_cast<long>(n)));
      INFO("ct truncated to " << n << " bytes");
      refusedAs(v, n < cc::kTagBytes ? cc::ErrorCode::kEnvelopeCtSize : cc::ErrorCode::kAuthentication);
    }
  }
  SECTION("every bit of every byte of every context value, and every value truncated") {
    for (const auto& [name, value] : context.pairs()) {
      for (std::size_t bit = 0; bit < value.size() * 8; ++bit) {
        std::map<std::string, std::string> edited(context.pairs().begin(), context.pairs().end());
        edited[name][bit / 8] = static_cast<char>(edited[name][bit / 8] ^ (1 << (bit % 8)));
        INFO(name << " bit " << bit);
        try {
          const cc::EncryptionContext other(edited);
          CHECK_THROWS_AS(cc::decryptCredentials(e, k, other), cc::DecryptError);
        } catch (const cc::Error& error) {
          CHECK(error.code() == cc::ErrorCode::kInvalidContext);  // a NUL or invalid UTF-8
        }
      }
      for (std::size_t n = 1; n < value.size(); ++n) {
        std::map<std::string, std::string> edited(context.pairs().begin(), context.pairs().end());
        edited[name].resize(n);
        CHECK_THROWS_AS(cc::decryptCredentials(e, k, cc::EncryptionContext(edited)),
                        cc::DecryptError);
      }
    }
  }
  SECTION("every edit of ctx: removed, each name dropped, renamed, repeated, reordered, added") {
    json stripped = e;
    stripped.erase("ctx");
    refusedAs(stripped, cc::ErrorCode::kAuthentication);
    const std::vector<std::string> names = e.at("ctx");
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::vector<std::string> fewer = names;
      fewer.erase(fewer.begin() + static_cast<long>(i));
      json v = e;
      v["ctx"] = fewer;
      refusedAs(v, cc::ErrorCode::kContextMismatch);
      std::vector<std::string> repeated = names;
      repeated.insert(repeated.begin() + static_cast<long>(i), names[i]);
      v["ctx"] = repeated;
      refusedAs(v, cc::ErrorCode::kEnvelopeContext);
      std::vector<std::string> renamed = names;
      renamed[i] += "x";
      v["ctx"] = renamed;
      refusedAs(v, std::is_sorted(renamed.begin(), renamed.end()) ? cc::ErrorCode::kContextMismatch
                                                                   : cc::ErrorCode::kEnvelopeContext);
    }
    json reversed = e;
    reversed["ctx"] = std::vector<std::string>(names.rbegin(), names.rend());
    refusedAs(reversed, cc::ErrorCode::kEnvelopeContext);
    json more = e;
    more["ctx"].push_back("zz");
    refusedAs(more, cc::ErrorCode::kContextMismatch);
    // The envelope and the caller both carrying an extra name still fails the tag.
    std::map<std::string, std::string> extra(context.pairs().begin(), context.pairs().end());
    extra["zz"] = "v";
    CHECK_THROWS_AS(cc::decryptCredentials(more, k, cc::EncryptionContext(extra)), cc::DecryptError);
  }
}
