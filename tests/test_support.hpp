// Shared fixtures for the unit tests: fixed keys, a fake environment, and error-checking helpers.
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <optional>
#include <string>
#include <vector>

#include "aead.hpp"
#include "connector_crypto/connector_crypto.hpp"
#include "base64_oracle.hpp"

namespace test_support {

// Fixed test keys (bytes 0..31, 32 x 0x42, bytes 32..63) and their fingerprints, computed
// independently with Python's hmac module.
inline const std::string kKeyA = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
inline const std::string kKeyB = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=";
inline const std::string kKeyC = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
// A key whose standard base64 holds '+' and '/' (so its URL-safe form differs).
inline const std::string kKeyD = "zxQbWYDOeCVDUj6Cjc1FCk5CxnqW/6SoT+aO7IzRmOQ=";
inline const std::string kFingerprintA = "5d39af98d95cfa25";
inline const std::string kFingerprintB = "a0d558dab176fc1a";

// The raw bytes of a test key, as text, to look for in messages.
inline std::string rawKey(const std::string& base64) {
  std::string out;
  base64_oracle::base64Decode(base64, out);
  return out;
}

inline connector_crypto::Keyring keyringV1() {
  return connector_crypto::Keyring::fromBase64({{"v1", kKeyA}}, "v1");
}
inline connector_crypto::Keyring keyringV1V2(const std::string& active = "v2") {
  return connector_crypto::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, active);
}

// An envelope over arbitrary plaintext bytes (valid JSON or not), sealed with the internal AEAD seam
// under a fixed IV: for tests of what decrypt does with authentic but unusual plaintext.
inline nlohmann::json sealRaw(const std::string& keyBase64, const std::string& kid,
                              const std::string& plaintext) {
  std::vector<std::uint8_t> key, iv(connector_crypto::kIvBytes, 0x24);
  REQUIRE(base64_oracle::base64Decode(keyBase64, key));
  connector_crypto::detail::Aes256Gcm aead({key.data(), key.size()});
  std::vector<std::uint8_t> sealed(plaintext.size() + connector_crypto::kTagBytes);
  aead.seal({iv.data(), iv.size()}, {},
            {reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()},
            sealed.data());
  return {{"__enc", 1},
          {"kid", kid},
          {"iv", base64_oracle::base64Encode(iv.data(), iv.size())},
          {"ct", base64_oracle::base64Encode(sealed.data(), sealed.size())}};
}

// `depth` nested arrays, the innermost holding leaf (or empty), built without nlohmann's copy
// constructor, which recurses once per level: the way to make a 200,000-deep value in a test.
inline nlohmann::json nestedArrays(std::size_t depth, std::optional<nlohmann::json> leaf = {}) {
  nlohmann::json v = nlohmann::json::array();
  if (leaf) v.push_back(std::move(*leaf));
  for (std::size_t i = 1; i < depth; ++i) {
    nlohmann::json outer = nlohmann::json::array();
    outer.push_back(std::move(v));
    v = std::move(outer);
  }
  return v;
}

// Keys written as kids: standard and URL-safe base64, padded and not (all must be refused).
inline std::vector<std::string> keyShapedKids() {
  std::vector<std::string> out;
  for (const std::string& key : {kKeyA, kKeyC, kKeyD}) {
    std::string urlSafe = key;
    for (char& c : urlSafe) c = c == '+' ? '-' : c == '/' ? '_' : c;
    for (const std::string& form : {key, urlSafe}) {
      out.push_back(form);
      out.push_back(form.substr(0, form.size() - 1));  // without its '='
    }
  }
  return out;
}

// Long kids that are not keys and must keep working (the first is even base64url of 32 bytes).
inline const std::vector<std::string> kDescriptiveKids = {
    "prod-connector-credentials-primary-key-2024",
    "PROD-CONNECTOR-CREDENTIALS-PRIMARY-KEY-2024",
    "prod_connector_credentials_primary_key_2024",
    "prod-connector-credentials-primary-key-20245",
    "Prod-Connector-Credentials-Key-2024-12-01-01-rotation-b",
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh==",
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8AAA"};

// xorshift64*: a small deterministic generator, reproducible from its seed on every platform.
struct Gen {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1DULL;
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool oneIn(std::size_t n) { return below(n) == 0; }
};

// Lowercase hex of bytes (AADs, keys in test vectors).
inline std::string hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0F]);
  }
  return out;
}

// A golden vector file of tests/vectors/golden/, parsed.
inline nlohmann::json loadGolden(const std::string& file) {
  std::ifstream in(std::string(CC_VECTORS_DIR) + "/golden/" + file, std::ios::binary);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

// A fake environment for keyringFromEnv.
inline connector_crypto::EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// Runs fn, requires it to throw exactly E (not a subclass: checked with typeid), and returns the
// message.
template <typename E, typename Fn>
std::string messageOf(Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    INFO("message: " << e.what());
    CHECK(typeid(e) == typeid(E));
    return e.what();
  }
  FAIL("expected an exception");
  return {};
}

// Runs fn, requires it to throw exactly E (checked with typeid), and returns its code.
template <typename E, typename Fn>
connector_crypto::ErrorCode codeOf(Fn&& fn) {
  try {
    fn();
  } catch (const connector_crypto::Error& e) {
    INFO("message: " << e.what());
    CHECK(typeid(e) == typeid(E));
    return e.code();
  }
  FAIL("expected an exception");
  return connector_crypto::ErrorCode::kInternal;
}

// True when message mentions none of the secrets (as given, and for base64 keys, as raw bytes).
inline void requireNoSecret(const std::string& message, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    INFO("message: " << message);
    CHECK(message.find(s) == std::string::npos);
    std::string raw;
    if (base64_oracle::base64Decode(s, raw) && raw.size() >= 8) {
      CHECK(message.find(raw) == std::string::npos);
      CHECK(message.find(s.substr(0, 12)) == std::string::npos);
    }
  }
}

}  // namespace test_support
