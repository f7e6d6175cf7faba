// The value API instantiated for nlohmann::ordered_json: the result keeps the argument's type and
// member order, envelopes come out __enc, kid, iv, ct (the TypeScript writer's order), and objects
// are built in linear time.
#include <string>
#include <type_traits>

#include "test_support.hpp"

using namespace test_support;
namespace cc = connector_crypto;
using ojson = nlohmann::ordered_json;
using json = nlohmann::json;

namespace {

std::string memberNames(const ojson& o) {
  std::string names;
  for (const auto& kv : o.items()) names += kv.key() + ",";
  return names;
}

}  // namespace

TEST_CASE("ordered_json round trips with its member order") {
  const cc::Keyring keyring = keyringV1V2("v1");
  const ojson plain = ojson::parse(R"({"zeta":1,"alpha":{"y":[1,"two",null],"b":true},"mid":"x"})");

  SECTION("encrypt gives an ordered_json envelope in the TypeScript order") {
    const auto envelope = cc::encryptCredentials(plain, keyring);
    static_assert(std::is_same_v<std::decay_t<decltype(envelope)>, ojson>);
    CHECK(memberNames(envelope) == "__enc,kid,iv,ct,");
    CHECK(envelope.dump().rfind(R"({"__enc":1,"kid":"v1","iv":")", 0) == 0);
    CHECK(cc::isEncrypted(envelope));
    CHECK(cc::inspectCredentials(envelope).kind == cc::CredentialsInfo::Kind::kEnvelope);

    SECTION("decrypt keeps the plaintext's member order, at every depth") {
      const ojson back = cc::decryptCredentials(envelope, keyring);
      CHECK(back == plain);
      CHECK(back.dump() == plain.dump());
    }
    SECTION("the json API reads the same envelope") {
      const json asJson = json::parse(envelope.dump());
      CHECK(cc::decryptCredentials(asJson, keyring) == json::parse(plain.dump()));
    }
    SECTION("rewrap keeps the sealed bytes, so the order survives") {
      const cc::Keyring next = keyringV1V2("v2");
      CHECK(cc::needsRewrap(envelope, next));
      const ojson rewrapped = cc::rewrapCredentials(envelope, next);
      CHECK(rewrapped["kid"] == "v2");
      CHECK(memberNames(rewrapped) == "__enc,kid,iv,ct,");
      CHECK(cc::decryptCredentials(rewrapped, next).dump() == plain.dump());
    }
  }

  SECTION("the text API's plaintext holds the same bytes as ordered_json's dump") {
    const auto envelope = cc::encryptCredentials(plain, keyring);
    const cc::SecretBuffer text = cc::decryptCredentialsText(envelope.dump(), keyring);
    CHECK(std::string(text.data(), text.size()) == plain.dump());
  }
}

TEST_CASE("a repeated member name keeps its first position and its last value, as nlohmann's parser") {
  const cc::Keyring keyring = keyringV1();
  // Few members (the pairwise check) and many (the sorted check).
  std::string many = R"({"dup":1)";
  for (int i = 0; i < 40; ++i) many += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  many += R"(,"dup":{"last":true},"k7":"seven"})";
  for (const std::string& text : {std::string(R"({"b":1,"a":2,"b":[3],"c":4,"a":"five"})"), many}) {
    DYNAMIC_SECTION("plaintext of " << text.size() << " bytes") {
      const json stored = sealRaw(kKeyA, "v1", text);
      const ojson got = cc::decryptCredentials(ojson::parse(stored.dump()), keyring);
      CHECK(got.dump() == ojson::parse(text).dump());
      CHECK(cc::decryptCredentials(stored, keyring) == json::parse(text));
    }
  }
}

TEST_CASE("a plaintext the fast parser hands to nlohmann's midway reads as ordered_json::parse") {
  const cc::Keyring keyring = keyringV1();
  // Members come before the -0 or -0.0 where the fast parser hands over.
  for (const std::string& text : {std::string(R"({"z":"one","a":{"y":[1,"two"]},"z":3,"n":-0})"),
                                  std::string(R"({"z":"one","a":[true,{"m":-0}],"b":2})"),
                                  std::string(R"({"z":"one","d":[-0.0,-0],"a":null})")}) {
    DYNAMIC_SECTION("plaintext of " << text.size() << " bytes") {
      const json stored = sealRaw(kKeyA, "v1", text);
      const ojson got = cc::decryptCredentials(ojson::parse(stored.dump()), keyring);
      CHECK(got.dump() == ojson::parse(text).dump());
      CHECK(memberNames(got) == memberNames(ojson::parse(text)));
    }
  }
}

TEST_CASE("ordered_json objects are built in linear time: 100,000 members round trip") {
  const cc::Keyring keyring = keyringV1();
  ojson big = ojson::object();
  auto& members = static_cast<ojson::object_t::Container&>(big.get_ref<ojson::object_t&>());
  for (int i = 100000; i > 0; --i) members.emplace_back("m" + std::to_string(i), i);
  const ojson back = cc::decryptCredentials(cc::encryptCredentials(big, keyring), keyring);
  REQUIRE(back.size() == 100000);
  CHECK(back.begin().key() == "m100000");
  CHECK(back.dump() == big.dump());
}

TEST_CASE("the json overloads still take what converts to json") {
  const cc::Keyring keyring = keyringV1();
  CHECK(cc::decryptCredentials(cc::encryptCredentials({{"a", 1}}, keyring), keyring) ==
        json{{"a", 1}});
  CHECK(cc::decryptCredentials(nullptr, keyring).is_null());
  CHECK(cc::decryptCredentials("text", keyring) == "text");
  CHECK_FALSE(cc::isEncrypted({{"__enc", 1}}));
}
