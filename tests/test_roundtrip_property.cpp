// Property (issue 9, "round trip or typed refusal"): for every nlohmann::json value v without
// "__enc" at its top level, encryptCredentials, encryptPlainCredentials and rewrapCredentials
// either throw connector_crypto::Error, exactly when v is not what decrypt can return (nested
// deeper than kMaxJsonDepth, discarded, binary, NaN/infinite, invalid UTF-8), or give an envelope
// that decrypts to v exactly; an envelope comes back from encrypt unchanged. Values are generated
// from a fixed seed, up to 100,000 levels deep, and compared by a walk of this file (no recursion).
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
