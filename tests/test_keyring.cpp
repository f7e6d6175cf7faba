// Keyring::fromBase64: validation, lookups, fingerprints, options and counters.
#include "test_support.hpp"

using namespace test_support;
using connector_crypto::Keyring;
using connector_crypto::KeyringError;
using connector_crypto::UnknownKidError;

TEST_CASE("a keyring holds its kids and active kid") {
  const Keyring k = keyringV1V2();
  CHECK(k.activeKid() == "v2");
  CHECK(k.kids() == std::vector<std::string>{"v1", "v2"});
  CHECK(k.contains("v1"));
  CHECK(k.contains("v2"));
  CHECK_FALSE(k.contains("v3"));
  CHECK_FALSE(k.contains(""));
  CHECK_FALSE(k.options().requireEncrypted);

  SECTION("an empty active kid selects the only key") {
    CHECK(Keyring::fromBase64({{"only", kKeyA}}, "").activeKid() == "only");
  }
  SECTION("copies share the keys") {
    const Keyring copy = k;
    CHECK(copy.activeKid() == "v2");
    CHECK(copy.fingerprint("v1") == k.fingerprint("v1"));
  }
}

TEST_CASE("fingerprints are HMAC-SHA-256 of the documented label") {
  const Keyring k = keyringV1V2();
  CHECK(k.fingerprint("v1") == kFingerprintA);
  CHECK(k.fingerprint("v2") == kFingerprintB);
  CHECK(std::string(connector_crypto::kFingerprintLabel) == "connector-crypto key fingerprint v1");
  CHECK(messageOf<UnknownKidError>([&] { k.fingerprint("v9"); }) ==
        "fingerprint: kid \"v9\" is not in the keyring");
}

TEST_CASE("fromBase64 validates like keyringFromEnv") {
  SECTION("no keys") {
    CHECK(messageOf<KeyringError>([] { Keyring::fromBase64({}, "v1"); }) ==
          "kidToKey holds no keys");
  }
  SECTION("a key of the wrong length") {
    const std::string msg =
        messageOf<KeyringError>([] { Keyring::fromBase64({{"v1", "AAAA"}}, "v1"); });
    CHECK(msg.rfind("kidToKey[\"v1\"] is not a base64 32-byte key", 0) == 0);
  }
  SECTION("a key that is not base64") {
    const std::string bad = std::string(43, '!') + "=";
    const std::string msg =
        messageOf<KeyringError>([&] { Keyring::fromBase64({{"v1", bad}}, "v1"); });
    CHECK(msg.rfind("kidToKey[\"v1\"] is not valid standard base64", 0) == 0);
  }
  SECTION("surrounding whitespace is trimmed") {
    CHECK(Keyring::fromBase64({{"v1", " " + kKeyA + "\n"}}, "v1").fingerprint("v1") ==
          kFingerprintA);
  }
  SECTION("an invalid kid") {
    for (const std::string& kid : std::vector<std::string>{"", "has space", std::string(65, 'k'), "caf\xc3\xa9", "tab\t"}) {
      INFO("kid: " << kid);
      CHECK(messageOf<KeyringError>([&] { Keyring::fromBase64({{kid, kKeyA}}, ""); }) ==
            "kidToKey holds an invalid kid (kids are 1 to 64 printable ASCII characters without "
            "spaces)");
    }
    CHECK(Keyring::fromBase64({{std::string(64, 'k'), kKeyA}}, "").activeKid().size() == 64);
  }
  SECTION("the same key under two kids") {
    CHECK(messageOf<KeyringError>(
              [] { Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyA}}, "v2"); }) ==
          "kidToKey: kids \"v1\" and \"v2\" hold the same key (a copy-paste mistake?); each kid "
          "needs its own key");
  }
  SECTION("several keys need an active kid") {
    CHECK(messageOf<KeyringError>([] { keyringV1V2(""); }) ==
          "activeKid is required when kidToKey holds more than one key");
  }
  SECTION("the active kid must be in the map") {
    CHECK(messageOf<KeyringError>([] { keyringV1V2("v3"); }) ==
          "activeKid names kid \"v3\", which kidToKey does not hold");
  }
}

TEST_CASE("keyring counters") {
  const Keyring k = keyringV1V2();
  const nlohmann::json plain = {{"token", "t"}};
  const nlohmann::json e2 = connector_crypto::encryptCredentials(plain, k);
  connector_crypto::encryptCredentials(plain, k);
  connector_crypto::decryptCredentials(e2, k);
  connector_crypto::decryptCredentials(plain, k);
  connector_crypto::decryptCredentials(nullptr, k);
  const auto stats = k.stats();
  CHECK(stats.perKid.at("v2").encryptions == 2);
  CHECK(stats.perKid.at("v2").decryptions == 1);
  CHECK(stats.perKid.at("v1").encryptions == 0);
  CHECK(stats.perKid.at("v1").decryptions == 0);
  CHECK(stats.plaintextPassthroughs == 1);
  CHECK(stats.plaintextRejected == 0);
}

TEST_CASE("a moved-from keyring is still a valid keyring, sharing the keys") {
  Keyring source = keyringV1V2();
  const nlohmann::json plain = {{"token", "t"}};
  const nlohmann::json oldEnvelope = connector_crypto::encryptCredentials(plain, keyringV1());
  const auto requireWorking = [&](const Keyring& k) {
    CHECK(k.activeKid() == "v2");
    CHECK(k.kids() == std::vector<std::string>{"v1", "v2"});
    CHECK(k.contains("v1"));
    CHECK_FALSE(k.contains("v3"));
    CHECK(k.fingerprint("v1") == kFingerprintA);
    CHECK(k.fingerprint("v2") == kFingerprintB);
    CHECK_FALSE(k.options().requireEncrypted);
    CHECK(k.stats().perKid.size() == 2);
    const nlohmann::json e = connector_crypto::encryptCredentials(plain, k);
    CHECK(e.at("kid") == "v2");
    CHECK(connector_crypto::decryptCredentials(e, k) == plain);
    CHECK(connector_crypto::decryptCredentials(connector_crypto::encryptPlainCredentials(plain, k),
                                               k) == plain);
    CHECK(connector_crypto::needsRewrap(oldEnvelope, k));
    CHECK_FALSE(connector_crypto::needsRewrap(e, k));
    CHECK(connector_crypto::rewrapCredentials(oldEnvelope, k).at("kid") == "v2");
    CHECK(connector_crypto::rewrapCredentials(e, k) == e);
  };
  SECTION("after move construction") {
    const Keyring moved = std::move(source);
    requireWorking(source);
    requireWorking(moved);
    // Copies share the counters: what the moved-from keyring encrypted shows in the other.
    CHECK(moved.stats().perKid.at("v2").encryptions == source.stats().perKid.at("v2").encryptions);
    CHECK(moved.stats().perKid.at("v2").encryptions == 6);
  }
  SECTION("after move assignment") {
    Keyring target = Keyring::fromBase64({{"other", kKeyC}}, "other");
    target = std::move(source);
    requireWorking(source);
    requireWorking(target);
    CHECK_FALSE(target.contains("other"));
  }
}

TEST_CASE("a key is never a kid") {
  SECTION("kidProblem and isValidKid: standard and URL-safe base64 of 32 bytes, padded or not") {
    for (const std::string& kid : keyShapedKids()) {
      INFO("kid of " << kid.size() << " characters");
      CHECK_FALSE(connector_crypto::isValidKid(kid));
      REQUIRE(connector_crypto::kidProblem(kid) != nullptr);
      CHECK(std::string(connector_crypto::kidProblem(kid)) ==
            "must not be a key: it decodes as base64 to 32 bytes, and every envelope stores its "
            "kid in clear (name keys v1, v2, ...)");
    }
    CHECK(std::string(connector_crypto::kidProblem("bad kid")) ==
          "must be 1 to 64 printable ASCII characters without spaces");
  }
  SECTION("long descriptive kids stay valid") {
    for (const std::string& kid : kDescriptiveKids) {
      INFO("kid: " << kid);
      CHECK(connector_crypto::isValidKid(kid));
      CHECK(connector_crypto::kidProblem(kid) == nullptr);
      CHECK(Keyring::fromBase64({{kid, kKeyA}}, kid).activeKid() == kid);
    }
  }
  SECTION("fromBase64 refuses one as a kid of the map or as the active kid, never echoing it") {
    for (const std::string& kid : keyShapedKids()) {
      INFO("kid of " << kid.size() << " characters");
      const std::string asKid = messageOf<KeyringError>([&] {
        Keyring::fromBase64({{kid, kKeyB}}, "");
      });
      CHECK(asKid ==
            "kidToKey: a kid must not be a key: it decodes as base64 to 32 bytes, and every "
            "envelope stores its kid in clear (name keys v1, v2, ...)");
      const std::string asActive = messageOf<KeyringError>([&] { keyringV1V2(kid); });
      CHECK(asActive ==
            "activeKid must not be a key: it decodes as base64 to 32 bytes, and every envelope "
            "stores its kid in clear (name keys v1, v2, ...)");
      requireNoSecret(asKid + asActive, {kid});
    }
  }
}
