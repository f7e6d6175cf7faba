// Property (issue 9, "round trip or typed refusal"): for every nlohmann::json value v without
// "__enc" at its top level, encryptCredentials, encryptPlainCredentials and rewrapCredentials
// either throw connector_crypto::Error, exactly when v is not what decrypt can return (nested
// deeper than kMaxJsonDepth, discarded, binary, NaN/infinite, invalid UTF-8), or give an envelope
// that decrypts to v exactly; an envelope comes back from encrypt unchanged. Values are generated
// from a fixed seed, up to 100,000 levels deep, and compared by a walk of this file (no recursion).
// Property (issue 21, "encrypt's answer is decrypt's"): over the same values and every mutation of
// their envelopes, tests/verdict_oracle.hpp holds under each keyring switch and context.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "roundtrip_corpus.hpp"
#include "roundtrip_oracle.hpp"
#include "test_support.hpp"
#include "verdict_oracle.hpp"

namespace cc = connector_crypto;
using nlohmann::json;
using roundtrip_oracle::decryptCouldReturn;
using roundtrip_oracle::identical;
using test_support::kKeyA;
using test_support::kKeyB;

namespace {

using roundtrip_corpus::generatedValues;

enum class Outcome { refused, roundTripped, broken };

// Runs one encrypting function on v: a typed refusal, or an envelope that decrypts to v (with
// context, when given).
template <typename Encrypt>
Outcome attempt(const json& v, const cc::Keyring& k, Encrypt&& encrypt, json* envelope = nullptr,
                const cc::EncryptionContext* context = nullptr) {
  json out;
  try {
    out = encrypt(v, k);
  } catch (const cc::Error& e) {
    INFO("refused: " << e.what());
    CHECK(typeid(e) == typeid(cc::Error));
    return Outcome::refused;
  } catch (const std::exception& e) {
    FAIL("an exception that is not a connector_crypto::Error: " << e.what());
  }
  if (v.is_null()) return out.is_null() ? Outcome::roundTripped : Outcome::broken;
  if (!cc::isEncrypted(out)) return Outcome::broken;
  const json back = context ? cc::decryptCredentials(out, k, *context) : cc::decryptCredentials(out, k);
  if (envelope != nullptr) *envelope = std::move(out);
  return identical(back, v) ? Outcome::roundTripped : Outcome::broken;
}

}  // namespace

TEST_CASE("round trip or typed refusal: encrypt, encryptPlain, rewrap") {
  const cc::Keyring k1 = cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, "v1");
  const cc::Keyring k2 = cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, "v2");
  const std::vector<json> values = generatedValues();
  std::size_t accepted = 0, refused = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const json& v = values[i];
    INFO("generated value #" << i);
    const Outcome expected = decryptCouldReturn(v) ? Outcome::roundTripped : Outcome::refused;
    (expected == Outcome::refused ? refused : accepted) += 1;
    json envelope;
    using Op = json (*)(const json&, const cc::Keyring&);  // the json overloads, not the templates
    REQUIRE(attempt(v, k1, static_cast<Op>(cc::encryptCredentials), &envelope) == expected);
    REQUIRE(attempt(v, k1, static_cast<Op>(cc::encryptPlainCredentials)) == expected);
    REQUIRE(attempt(v, k2, static_cast<Op>(cc::rewrapCredentials)) == expected);
    if (expected == Outcome::refused || v.is_null()) continue;

    // An envelope: encrypt and rewrap under its own kid return it unchanged (member for member),
    // encryptPlain refuses it, rewrap under another active kid re-encrypts the same plaintext.
    REQUIRE(identical(cc::encryptCredentials(envelope, k1), envelope));
    REQUIRE(identical(cc::encryptCredentials(envelope, k2), envelope));
    REQUIRE(identical(cc::rewrapCredentials(envelope, k1), envelope));
    CHECK_THROWS_AS(cc::encryptPlainCredentials(envelope, k1), cc::EnvelopeError);
    const json rewrapped = cc::rewrapCredentials(envelope, k2);
    REQUIRE(rewrapped.at("kid") == "v2");
    REQUIRE(identical(cc::decryptCredentials(rewrapped, k2), v));
  }
  // The generator reaches both sides of the property.
  CHECK(accepted > 1000);
  CHECK(refused > 300);
}

TEST_CASE("round trip or typed refusal: bound envelopes, under their context") {
  cc::KeyringOptions bind;
  bind.bindContext = true;
  const cc::Keyring k1 = cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, "v1", bind);
  const cc::Keyring k2 = cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, "v2", bind);
  const cc::EncryptionContext context{{"tenant", "oid:6650f0c2a1b2c3d4e5f60718"},
                                      {"id", "oid:6650f0c2a1b2c3d4e5f60719"}};
  const cc::EncryptionContext other{{"tenant", "oid:6650f0c2a1b2c3d4e5f60718"},
                                    {"id", "oid:6650f0c2a1b2c3d4e5f6071b"}};
  const std::vector<json> values = generatedValues();
  std::size_t bound = 0;
  for (std::size_t i = 0; i < values.size(); i += 3) {  // a third of the values: the same generator
    const json& v = values[i];
    INFO("generated value #" << i);
    const Outcome expected = decryptCouldReturn(v) ? Outcome::roundTripped : Outcome::refused;
    json envelope;
    const auto encrypt = [&](const json& x, const cc::Keyring& k) {
      return cc::encryptCredentials(x, k, context);
    };
    const auto rewrap = [&](const json& x, const cc::Keyring& k) {
      return cc::rewrapCredentials(x, k, context);
    };
    REQUIRE(attempt(v, k1, encrypt, &envelope, &context) == expected);
    REQUIRE(attempt(v, k2, rewrap, nullptr, &context) == expected);
    if (expected == Outcome::refused || v.is_null()) continue;
    ++bound;
    REQUIRE(envelope.contains("ctx"));
    // Unchanged under its own context and kid; re-sealed bound under another active kid; never
    // opened under another record's context.
    REQUIRE(identical(cc::encryptCredentials(envelope, k1, context), envelope));
    REQUIRE(identical(cc::rewrapCredentials(envelope, k1, context), envelope));
    const json rewrapped = cc::rewrapCredentials(envelope, k2, context);
    REQUIRE(rewrapped.at("kid") == "v2");
    REQUIRE(rewrapped.contains("ctx"));
    REQUIRE(identical(cc::decryptCredentials(rewrapped, k2, context), v));
    CHECK_THROWS_AS(cc::decryptCredentials(envelope, k1, other), cc::DecryptError);
  }
  CHECK(bound > 300);
}

namespace {

// Every mutation of envelope e the property runs over: each member removed or of another type or
// value, the kid rule, base64 and lengths, ctx, extra members (that decrypt ignores).
std::vector<json> mutations(const json& e) {
  std::vector<json> out;
  const auto with = [&](const char* member, json value) {
    json v = e;
    v[member] = std::move(value);
    out.push_back(std::move(v));
  };
  const std::string iv = e.at("iv"), ct = e.at("ct");
  std::string flipped = ct;
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
  json seventeen = json::array();
  for (char c = 'a'; c < 'a' + 17; ++c) seventeen.push_back(std::string(1, c));
  for (const char* member : {"__enc", "kid", "iv", "ct", "ctx"}) {
    json removed = e;
    removed.erase(member);
    out.push_back(std::move(removed));
    for (const json& other : {json(2), json("1"), json(nullptr), json(true), json::array(),
                              json::object(), json(""), json(1.0)}) {
      with(member, other);
    }
  }
  with("__enc", 0.99999999999999999);
  for (const std::string& kid :
       {std::string("v1"), std::string("v2"), std::string("v9"), std::string(65, 'k'),
        std::string("v 1"), std::string("v\x01"), std::string("v\xc3\xa9"), kKeyA}) {
    with("kid", kid);
  }
  for (const std::string& bad :
       {iv.substr(0, 12), iv.substr(0, 15) + "-", std::string("A") + iv.substr(1),
        std::string("AAAAAAAAAAAAAAAAAAAA")}) {
    with("iv", bad);
  }
  for (const std::string& bad : {flipped, ct.substr(0, ct.size() - 4), ct + "A", "!" + ct.substr(1),
                                 std::string("AAAAAAAAAAAAAAAAAAAAAA=="), std::string("AAAA")}) {
    with("ct", bad);
  }
  for (const json& ctx : {json{"id"}, json{"id", "tenant"}, json{"tenant", "id"}, json{"id", "id"},
                          seventeen, json{1}, json{"bad name"}}) {
    with("ctx", ctx);
  }
  with("note", 1);
  with("deep", test_support::nestedArrays(600));
  with("nan", std::nan(""));
  with("binary", json::binary({1, 2}));
  return out;
}

}  // namespace

TEST_CASE("encrypt's answer is decrypt's: every envelope mutation, every keyring switch") {
  cc::KeyringOptions bind, require;
  bind.bindContext = require.bindContext = require.requireContext = true;
  const std::vector<std::pair<const char*, cc::Keyring>> keyrings = [&] {
    std::vector<std::pair<const char*, cc::Keyring>> k;
    for (const char* active : {"v1", "v2"}) {
      k.emplace_back(active, cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, active));
    }
    k.emplace_back("bind", cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, "v1", bind));
    k.emplace_back("require",
                   cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, "v1", require));
    return k;
  }();
  const cc::EncryptionContext context{{"tenant", "oid:6650f0c2a1b2c3d4e5f60718"},
                                      {"id", "oid:6650f0c2a1b2c3d4e5f60719"}};
  const cc::EncryptionContext other{{"tenant", "oid:6650f0c2a1b2c3d4e5f60718"},
                                    {"id", "oid:6650f0c2a1b2c3d4e5f6071b"}};
  const cc::EncryptionContext fewer{{"tenant", "oid:6650f0c2a1b2c3d4e5f60718"}};
  const std::vector<const cc::EncryptionContext*> contexts = {nullptr, &context, &other, &fewer};
  const auto holds = [&](const json& stored) {
    for (const auto& [name, k] : keyrings) {
      for (const cc::EncryptionContext* c : contexts) {
        const std::string violation = verdict_oracle::check(stored, k, c);
        if (violation.empty()) continue;
        const char* which = c == nullptr ? "none" : c == &context ? "its own" : "another";
        FAIL_CHECK("keyring " << name << ", context " << which << ": " << violation);
        return false;
      }
    }
    return true;
  };

  const std::vector<json> values = generatedValues();
  std::size_t envelopes = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const json& v = values[i];
    INFO("generated value #" << i);
    // The value itself, as plaintext (refused values included: needsRewrap must agree).
    REQUIRE(holds(v));
    if (i % 40 != 0 || !decryptCouldReturn(v) || v.is_null()) continue;
    const cc::Keyring& v1 = keyrings[0].second;
    for (const json& e :
         {cc::encryptCredentials(v, v1), cc::encryptCredentials(v, keyrings[2].second, context)}) {
      REQUIRE(holds(e));
      for (const json& m : mutations(e)) {
        INFO("mutation " << m.dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 300));
        REQUIRE(holds(m));
        ++envelopes;
      }
    }
  }
  // Plaintexts that authenticate but are no JSON, or are null.
  for (const std::string& text :
       {std::string("null"), std::string("{\"a\":"), std::string("\xff")}) {
    const json e = test_support::sealRaw(kKeyA, "v1", text);
    REQUIRE(holds(e));
    for (const json& m : mutations(e)) REQUIRE(holds(m));
  }
  CHECK(envelopes > 5000);
}
