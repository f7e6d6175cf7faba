// encryptCredentials / decryptCredentials / isEncrypted: the numbered rules of the envelope format.
#include <cmath>
#include <set>

#include "base64_oracle.hpp"
#include "json_codec.hpp"
#include "test_support.hpp"

using namespace test_support;
using connector_crypto::decryptCredentials;
using connector_crypto::DecryptError;
using connector_crypto::encryptCredentials;
using connector_crypto::EnvelopeError;
using connector_crypto::isEncrypted;
using json = nlohmann::json;

namespace {

json oauth() {
  return {{"type", "oauth2"},
          {"access_token", "ya29.secret-access-token"},
          {"refresh_token", "1//secret-refresh"},
          {"expires_at", 1764345600000},
          {"scopes", {"drive", "email"}}};
}

std::vector<std::uint8_t> decode(const std::string& b64) {
  std::vector<std::uint8_t> out;
  REQUIRE(base64_oracle::base64Decode(b64, out));
  return out;
}

}  // namespace

TEST_CASE("rule 1: the envelope is exactly __enc, kid, iv, ct") {
  const auto k = keyringV1V2();
  const json e = encryptCredentials(oauth(), k);
  CHECK(e.size() == 4);
  CHECK(e.at("__enc").is_number_integer());
  CHECK(e.at("__enc") == 1);
  CHECK(e.at("kid") == "v2");
  CHECK(decode(e.at("iv")).size() == 12);
  CHECK(e.at("iv").get<std::string>().size() == 16);
  // ct = ciphertext || 16-byte tag, and the ciphertext is as long as the compact JSON text.
  CHECK(decode(e.at("ct")).size() == oauth().dump().size() + 16);
  CHECK(isEncrypted(e));
}

TEST_CASE("rule 1: every call draws a fresh IV") {
  const auto k = keyringV1();
  std::set<std::string> ivs, cts;
  for (int i = 0; i < 1000; ++i) {
    const json e = encryptCredentials(oauth(), k);
    ivs.insert(e.at("iv").get<std::string>());
    cts.insert(e.at("ct").get<std::string>());
  }
  CHECK(ivs.size() == 1000);
  CHECK(cts.size() == 1000);
}

TEST_CASE("rule 2: encrypt is idempotent") {
  const auto k = keyringV1V2();
  const json e = encryptCredentials(oauth(), k);
  CHECK(encryptCredentials(e, k) == e);
  SECTION("whatever the kid") {
    json foreign = e;
    foreign["kid"] = "someone-elses";
    CHECK(encryptCredentials(foreign, k) == foreign);
  }
  SECTION("__enc stored as a double 1.0 counts") {
    json asDouble = e;
    asDouble["__enc"] = 1.0;
    CHECK(isEncrypted(asDouble));
    CHECK(encryptCredentials(asDouble, k) == asDouble);
    CHECK(decryptCredentials(asDouble, k) == oauth());
  }
}

TEST_CASE("rule 3: null passes through, everything else round-trips") {
  const auto k = keyringV1();
  CHECK(encryptCredentials(nullptr, k).is_null());
  CHECK(decryptCredentials(nullptr, k).is_null());
  const std::vector<json> values = {
      oauth(),
      json::object(),
      json::array(),
      json::array({1, "two", nullptr, true, 3.5}),
      "a bare string",
      "",
      0,
      -42,
      9007199254740991,
      18446744073709551615ULL,
      0.1,
      1e300,
      true,
      false,
      {{"nested", {{"deeper", {{"deepest", json::array({json::object()})}}}}}},
      {{"unicode", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x91"}},
      {{"escapes", std::string("quote\" backslash\\ nul\0 tab\t", 26)}},
      {{"an envelope in an array is plaintext",
        json::array({{{"__enc", 1}, {"kid", "v1"}, {"iv", "x"}, {"ct", "y"}}})}},
  };
  for (const json& v : values) {
    INFO("value: " << v.dump());
    const json e = encryptCredentials(v, k);
    CHECK(isEncrypted(e));
    CHECK(decryptCredentials(e, k) == v);
  }
  SECTION("a payload near the size limit") {
    const json big = {{"blob", std::string(1 << 20, 'x')}};
    CHECK(decryptCredentials(encryptCredentials(big, k), k) == big);
  }
}

TEST_CASE("rule 4: isEncrypted checks the shape only") {
  const json good = {{"__enc", 1}, {"kid", "v1"}, {"iv", "i"}, {"ct", "c"}};
  CHECK(isEncrypted(good));
  CHECK(isEncrypted(json{{"__enc", 1U}, {"kid", "v1"}, {"iv", "i"}, {"ct", "c"}}));
  for (const json& bad : {json(2), json(0), json(-1), json(1.5), json("1"), json(true), json(nullptr),
                         json::object(), json::array({1})}) {
    json v = good;
    v["__enc"] = bad;
    INFO("__enc: " << bad.dump());
    CHECK_FALSE(isEncrypted(v));
  }
  for (const char* member : {"kid", "iv", "ct"}) {
    json missing = good;
    missing.erase(member);
    CHECK_FALSE(isEncrypted(missing));
    json wrongType = good;
    wrongType[member] = 1;
    CHECK_FALSE(isEncrypted(wrongType));
  }
  CHECK_FALSE(isEncrypted(json::array({good})));
  CHECK_FALSE(isEncrypted(json(good.dump())));
  CHECK_FALSE(isEncrypted(nullptr));
  CHECK_FALSE(isEncrypted(oauth()));
}

TEST_CASE("rule 5: decrypt passes legacy plaintext through, and only it") {
  const auto k = keyringV1();
  CHECK(decryptCredentials(oauth(), k) == oauth());
  CHECK(decryptCredentials("string", k) == "string");
  CHECK(decryptCredentials(json::array({1, 2}), k) == json::array({1, 2}));
  SECTION("an envelope inside an array or a string is plaintext") {
    const json e = encryptCredentials(oauth(), k);
    CHECK(decryptCredentials(json::array({e}), k) == json::array({e}));
    CHECK(decryptCredentials(json(e.dump()), k) == json(e.dump()));
  }
  SECTION("extra members are ignored") {
    json e = encryptCredentials(oauth(), k);
    e["note"] = "added by someone";
    CHECK(decryptCredentials(e, k) == oauth());
  }
}

TEST_CASE("rule 5: a value carrying __enc decrypts or throws") {
  const auto k = keyringV1V2();
  const json e = encryptCredentials(oauth(), k);

  SECTION("wrong __enc") {
    for (const json& bad : {json(2), json(0), json(-1), json(1.5), json("1"), json(true),
                           json(nullptr), json::object(), json::array()}) {
      json v = e;
      v["__enc"] = bad;
      INFO("__enc: " << bad.dump());
      CHECK(messageOf<EnvelopeError>([&] { decryptCredentials(v, k); }) ==
            "envelope: \"__enc\" must be the number 1 (the only format version this library "
            "reads; canonical Extended JSON's {\"$numberInt\":\"1\"} is not: read MongoDB "
            "documents as relaxed Extended JSON, or convert them with convertExtendedJson / "
            "convertExtendedJsonText first)");
    }
  }
  SECTION("missing or non-string members") {
    for (const char* member : {"kid", "iv", "ct"}) {
      json missing = e;
      missing.erase(member);
      CHECK(messageOf<EnvelopeError>([&] { decryptCredentials(missing, k); }) ==
            std::string("envelope: \"") + member + "\" is missing");
      for (const json& bad : {json(1), json(nullptr), json(true), json::array(), json::object()}) {
        json v = e;
        v[member] = bad;
        CHECK(messageOf<EnvelopeError>([&] { decryptCredentials(v, k); }) ==
              std::string("envelope: \"") + member + "\" must be a string");
      }
    }
  }
  SECTION("iv that is not strict base64 of 12 bytes") {
    const std::string iv = e.at("iv");
    for (const std::string& bad :
         {std::string(""), std::string("AAAAAAAAAAA="), std::string("AAAAAAAAAAAAAAAAAAAA"),
          iv.substr(0, 15), iv + "====", std::string("AAAAAAAAAAAAAAAAAAAAAA=="),
          std::string("AAAAAAAAAAAAAAAAAAAAAAAA")}) {
      json v = e;
      v["iv"] = bad;
      INFO("iv: " << bad);
      CHECK(messageOf<EnvelopeError>([&] { decryptCredentials(v, k); }) ==
            "envelope: \"iv\" must be standard base64 of 12 bytes (16 characters)");
    }
    for (const std::string& bad : {std::string("AAAAAAAAAAAAAAA-"), std::string("AAAAAAAAAAAAAAA "),
                                  std::string("AAAAAAAAAAAAAA\0A", 16)}) {
      json v = e;
      v["iv"] = bad;
      CHECK(messageOf<EnvelopeError>([&] { decryptCredentials(v, k); }) ==
            "envelope: \"iv\" is not valid standard base64");
    }
  }
  SECTION("ct that is not strict base64") {
    std::string ct = e.at("ct");
    json unpadded = e;
    unpadded["ct"] = ct + "A";
    CHECK(messageOf<EnvelopeError>([&] { decryptCredentials(unpadded, k); }) ==
          "envelope: \"ct\" is not valid standard base64 (length or padding)");
    json urlSafe = e;
    ct[0] = '-';
    urlSafe["ct"] = ct;
    CHECK(messageOf<EnvelopeError>([&] { decryptCredentials(urlSafe, k); }) ==
          "envelope: \"ct\" is not valid standard base64");
  }
  SECTION("ct shorter than the tag") {
    for (std::size_t n = 0; n < 16; ++n) {
      const std::vector<std::uint8_t> bytes(n, 0x11);
      json v = e;
      v["ct"] = base64_oracle::base64Encode(bytes.data(), bytes.size());
      CHECK(messageOf<EnvelopeError>([&] { decryptCredentials(v, k); }) ==
            "envelope: \"ct\" must hold at least the 16-byte tag");
    }
  }
  SECTION("ct above the 16 MiB limit is refused before decoding") {
    json v = e;
    v["ct"] = std::string(connector_crypto::kMaxEnvelopeBytes + 4, 'A');
    CHECK(messageOf<EnvelopeError>([&] { decryptCredentials(v, k); }) ==
          "envelope: \"ct\" is larger than the 16 MiB limit");
  }
  SECTION("unknown kid") {
    json v = e;
    v["kid"] = "v9";
    CHECK(messageOf<connector_crypto::UnknownKidError>([&] { decryptCredentials(v, k); }) ==
          "envelope: \"kid\" \"v9\" is not in the keyring");
    for (const std::string& bad : {std::string(""), std::string(1000, 'k'), std::string("\xc3\xa9")}) {
      v["kid"] = bad;
      CHECK(messageOf<connector_crypto::UnknownKidError>([&] { decryptCredentials(v, k); }) ==
            "envelope: \"kid\" is not a valid kid (1 to 64 printable ASCII characters without "
            "spaces, never a key), so no keyring holds it");
    }
  }
  SECTION("kid swapped to another known kid fails authentication") {
    json v = e;
    v["kid"] = "v1";
    CHECK(messageOf<DecryptError>([&] { decryptCredentials(v, k); }) ==
          "envelope: authentication failed under kid \"v1\" (wrong key, \"iv\"/\"ct\"/\"ctx\" "
          "modified, or the envelope belongs to another record)");
  }
  SECTION("the wrong key fails authentication") {
    const auto other = connector_crypto::Keyring::fromBase64({{"v2", kKeyC}}, "v2");
    CHECK_THROWS_AS(decryptCredentials(e, other), DecryptError);
  }
  SECTION("an envelope inside an envelope") {
    json outer = e;
    outer["ct"] = e;
    CHECK_THROWS_AS(decryptCredentials(outer, k), EnvelopeError);
  }
}

TEST_CASE("rule 5: plaintext that authenticates but is not UTF-8 JSON") {
  const auto k = keyringV1();
  for (const std::string& bytes :
       {std::string("not json"), std::string("{\"a\":1} trailing"), std::string("\"\xff\xfe\""),
        std::string("\"\\ud800\""), std::string(""), std::string("{\"a\":1", 6),
        std::string(513, '[') + std::string(513, ']')}) {
    INFO("plaintext: " << bytes);
    const json e = sealRaw(kKeyA, "v1", bytes);
    CHECK(messageOf<DecryptError>([&] { decryptCredentials(e, k); }) ==
          "envelope: the decrypted plaintext is not valid UTF-8 JSON (or nests deeper than 512 "
          "levels)");
  }
  SECTION("512 levels of nesting are accepted") {
    const std::string deep = std::string(512, '[') + std::string(512, ']');
    CHECK(decryptCredentials(sealRaw(kKeyA, "v1", deep), k) == json::parse(deep));
  }
  SECTION("duplicate keys keep the last value, as JSON.parse does") {
    CHECK(decryptCredentials(sealRaw(kKeyA, "v1", "{\"a\":1,\"a\":2}"), k) == json{{"a", 2}});
  }
}

TEST_CASE("rule 6: encrypt refuses what it cannot serialize or must not wrap") {
  const auto k = keyringV1();
  SECTION("a string that is not valid UTF-8") {
    const json bad = {{"password", "secret\xff\xfe"}};
    const std::string msg =
        messageOf<connector_crypto::Error>([&] { encryptCredentials(bad, k); });
    CHECK(msg == "credentials: a string is not valid UTF-8; nothing was encrypted");
    CHECK(msg.find("secret") == std::string::npos);
  }
  SECTION("an object carrying __enc that is not an envelope: decrypt's error") {
    const std::string refusing =
        "; the value carries \"__enc\" but is not a valid envelope, refusing to wrap it";
    const std::string badVersion =
        "encryptCredentials: envelope: \"__enc\" must be the number 1 (the only format version "
        "this library reads; canonical Extended JSON's {\"$numberInt\":\"1\"} is not: read MongoDB "
        "documents as relaxed Extended JSON, or convert them with convertExtendedJson / "
        "convertExtendedJsonText first)" +
        refusing;
    for (const json& bad : {json{{"__enc", 2}, {"kid", "v1"}, {"iv", ""}, {"ct", ""}},
                            json{{"__enc", "1"}, {"token", "t"}}}) {
      CHECK(codeOf<EnvelopeError>([&] { encryptCredentials(bad, k); }) ==
            connector_crypto::ErrorCode::kEnvelopeBadVersion);
      CHECK(messageOf<EnvelopeError>([&] { encryptCredentials(bad, k); }) == badVersion);
    }
    CHECK(messageOf<EnvelopeError>([&] {
            encryptCredentials(json{{"__enc", 1}}, k);
          }) == "encryptCredentials: envelope: \"kid\" is missing" + refusing);
  }
}

TEST_CASE("rotation: old envelopes decrypt, new writes use the active kid") {
  const auto v1Only = keyringV1();
  const json old = encryptCredentials(oauth(), v1Only);
  const auto rotated = keyringV1V2("v2");
  CHECK(decryptCredentials(old, rotated) == oauth());
  CHECK(encryptCredentials(oauth(), rotated).at("kid") == "v2");
  SECTION("a v1-only keyring cannot read v2 envelopes") {
    CHECK_THROWS_AS(decryptCredentials(encryptCredentials(oauth(), rotated), v1Only),
                    connector_crypto::UnknownKidError);
  }
}

TEST_CASE("strict mode refuses plaintext") {
  connector_crypto::KeyringOptions strict;
  strict.requireEncrypted = true;
  const auto k = connector_crypto::Keyring::fromBase64({{"v1", kKeyA}}, "v1", strict);
  CHECK(messageOf<connector_crypto::PlaintextRejectedError>([&] { decryptCredentials(oauth(), k); }) ==
        "decryptCredentials: the stored value is plaintext, and this keyring requires encryption "
        "(requireEncrypted / CONNECTOR_CRED_REQUIRE_ENCRYPTED=1)");
  CHECK(decryptCredentials(nullptr, k).is_null());
  CHECK(decryptCredentials(encryptCredentials(oauth(), k), k) == oauth());
  CHECK(k.stats().plaintextRejected == 1);
  CHECK(k.stats().plaintextPassthroughs == 0);
}

TEST_CASE("encryptPlainCredentials refuses anything carrying __enc") {
  const auto k = keyringV1();
  const json e = encryptCredentials(oauth(), k);
  CHECK(messageOf<EnvelopeError>([&] { connector_crypto::encryptPlainCredentials(e, k); }) ==
        "encryptPlainCredentials: the value carries \"__enc\"; only plaintext is accepted here");
  CHECK(decryptCredentials(connector_crypto::encryptPlainCredentials(oauth(), k), k) == oauth());
  CHECK(connector_crypto::encryptPlainCredentials(nullptr, k).is_null());
}

TEST_CASE("needsRewrap and rewrapCredentials") {
  const auto v1 = keyringV1();
  const auto both = keyringV1V2("v2");
  const json oldEnvelope = encryptCredentials(oauth(), v1);
  const json newEnvelope = encryptCredentials(oauth(), both);

  CHECK(connector_crypto::needsRewrap(oauth(), both));
  CHECK(connector_crypto::needsRewrap(oldEnvelope, both));
  CHECK_FALSE(connector_crypto::needsRewrap(newEnvelope, both));
  CHECK_FALSE(connector_crypto::needsRewrap(nullptr, both));

  const json fromPlain = connector_crypto::rewrapCredentials(oauth(), both);
  CHECK(fromPlain.at("kid") == "v2");
  CHECK(decryptCredentials(fromPlain, both) == oauth());
  const json fromOld = connector_crypto::rewrapCredentials(oldEnvelope, both);
  CHECK(fromOld.at("kid") == "v2");
  CHECK(decryptCredentials(fromOld, both) == oauth());
  CHECK(connector_crypto::rewrapCredentials(newEnvelope, both) == newEnvelope);
  CHECK(connector_crypto::rewrapCredentials(nullptr, both).is_null());

  SECTION("a value that cannot be decrypted throws, never re-encrypts") {
    json tampered = oldEnvelope;
    std::string ct = tampered.at("ct");
    ct[0] = ct[0] == 'A' ? 'B' : 'A';
    tampered["ct"] = ct;
    CHECK_THROWS_AS(connector_crypto::rewrapCredentials(tampered, both), DecryptError);
    json malformed = oldEnvelope;
    malformed["__enc"] = 2;
    CHECK_THROWS_AS(connector_crypto::rewrapCredentials(malformed, both), EnvelopeError);
    CHECK_THROWS_AS(connector_crypto::needsRewrap(malformed, both), EnvelopeError);
    json unknown = oldEnvelope;
    unknown["kid"] = "v0";
    CHECK_THROWS_AS(connector_crypto::rewrapCredentials(unknown, both),
                    connector_crypto::UnknownKidError);
  }
}

TEST_CASE("wipeCredentials overwrites strings and numbers") {
  json v = {{"token", "secret-token-value-that-is-long-enough-for-the-heap"},
            {"n", 42},
            {"list", {"short", 1.5, true}}};
  SECTION("every string and number inside is overwritten in place") {
    connector_crypto::detail::wipeJsonValues(v);
    const std::string& token = v.at("token").get_ref<const std::string&>();
    CHECK(token == std::string(token.size(), '\0'));
    CHECK(v.at("list").at(0).get_ref<const std::string&>() == std::string(5, '\0'));
    CHECK(v.at("n") == false);
    CHECK(v.at("list").at(1) == false);
  }
  SECTION("and the value is left null") {
    connector_crypto::wipeCredentials(v);
    CHECK(v.is_null());
  }
}

TEST_CASE("rule 6: encrypt accepts exactly the nesting decrypt reads") {
  const auto k = keyringV1();
  const std::string tooDeep =
      "credentials: the value nests arrays/objects deeper than 512 levels, the most decrypt reads";
  const auto arrays = [](std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
  };
  const auto objects = [](std::size_t depth) {
    std::string s;
    for (std::size_t i = 1; i < depth; ++i) s += "{\"a\":";
    s += "{}";
    return s + std::string(depth - 1, '}');
  };
  SECTION("what decrypt reads at 511 and 512 levels encrypts and reads back") {
    for (const auto& text : {arrays(511), arrays(512), objects(511), objects(512)}) {
      INFO(text.size() << " bytes");
      const json v = decryptCredentials(sealRaw(kKeyA, "v1", text), k);
      REQUIRE(v == json::parse(text));
      CHECK(decryptCredentials(encryptCredentials(v, k), k) == v);
      CHECK(decryptCredentials(connector_crypto::encryptPlainCredentials(v, k), k) == v);
      CHECK(decryptCredentials(connector_crypto::rewrapCredentials(v, k), k) == v);
    }
  }
  SECTION("513 levels and more: decrypt refuses them, so encrypt does, before encrypting") {
    for (const auto& text : {arrays(513), objects(513), arrays(600)}) {
      INFO(text.size() << " bytes");
      CHECK_THROWS_AS(decryptCredentials(sealRaw(kKeyA, "v1", text), k), DecryptError);
      const json v = json::parse(text);
      const auto before = k.stats().perKid.at("v1").encryptions;
      CHECK(messageOf<connector_crypto::Error>([&] { encryptCredentials(v, k); }) == tooDeep);
      CHECK(messageOf<connector_crypto::Error>(
                [&] { connector_crypto::encryptPlainCredentials(v, k); }) == tooDeep);
      CHECK(messageOf<connector_crypto::Error>(
                [&] { connector_crypto::rewrapCredentials(v, k); }) == tooDeep);
      CHECK(messageOf<connector_crypto::Error>([&] { connector_crypto::needsRewrap(v, k); }) ==
            tooDeep);
      CHECK(k.stats().perKid.at("v1").encryptions == before);
    }
  }
}

TEST_CASE("rule 6: encrypt refuses values that are not JSON, naming them") {
  const auto k = keyringV1();
  const json discarded = json::parse("{not json", nullptr, false);
  REQUIRE(discarded.is_discarded());
  json nestedDiscarded = {{"a", json::array({1})}};
  nestedDiscarded["a"].push_back(discarded);
  json discardedMember = {{"token", "t"}};
  discardedMember["oops"] = discarded;
  const std::vector<std::pair<json, std::string>> rows = {
      {discarded,
       "credentials: a discarded value (what a failed nlohmann::json::parse returns) is not JSON; "
       "nothing was encrypted"},
      {nestedDiscarded,
       "credentials: a discarded value (what a failed nlohmann::json::parse returns) is not JSON; "
       "nothing was encrypted"},
      {discardedMember,
       "credentials: a discarded value (what a failed nlohmann::json::parse returns) is not JSON; "
       "nothing was encrypted"},
      {json::binary({1, 2, 3}),
       "credentials: a binary value (nlohmann::json::binary) is not JSON; nothing was encrypted"},
      {json{{"cert", json::binary({0xde, 0xad}, 4)}},
       "credentials: a binary value (nlohmann::json::binary) is not JSON; nothing was encrypted"},
      {json(std::nan("")),
       "credentials: a number is NaN or infinite, which JSON cannot hold; nothing was encrypted"},
      {json{{"ttl", HUGE_VAL}},
       "credentials: a number is NaN or infinite, which JSON cannot hold; nothing was encrypted"},
      {json{{"ttl", json::array({1, -HUGE_VAL})}},
       "credentials: a number is NaN or infinite, which JSON cannot hold; nothing was encrypted"}};
  for (const auto& row : rows) {
    const json& value = row.first;  // not a structured binding: clang 14 cannot capture one
    const std::string& message = row.second;
    INFO(message);
    CHECK(messageOf<connector_crypto::Error>([&] { encryptCredentials(value, k); }) == message);
    CHECK(messageOf<connector_crypto::Error>(
              [&] { connector_crypto::encryptPlainCredentials(value, k); }) == message);
    CHECK(messageOf<connector_crypto::Error>(
              [&] { connector_crypto::rewrapCredentials(value, k); }) == message);
  }
  CHECK(k.stats().perKid.at("v1").encryptions == 0);
}

// The writer's limits (docs/FORMAT.md, "Limits a writer must know"): the largest plaintext encrypt
// accepts is the one whose "ct" is exactly the reader's 16 MiB, and numbers beyond double range
// are refused on both sides.
TEST_CASE("the writer's limit: 12,582,896 bytes of plaintext, whose ct is exactly 16 MiB") {
  namespace cc = connector_crypto;
  const auto k = cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1");
  constexpr std::size_t kLargest = 12'582'896;
  REQUIRE(kLargest == cc::kMaxEnvelopeBytes / 4 * 3 - cc::kTagBytes);
  // A JSON string of exactly `size` bytes of text: two quotes around size - 2 letters.
  const auto textOf = [](std::size_t size) { return "\"" + std::string(size - 2, 'x') + "\""; };
  SECTION("text API: the largest seals and opens; one byte more is kTooLarge") {
    const std::string largest = textOf(kLargest);
    const std::string stored = cc::encryptCredentialsText(largest, k);
    const json envelope = json::parse(stored);
    CHECK(envelope.at("ct").get_ref<const std::string&>().size() == cc::kMaxEnvelopeBytes);
    const cc::SecretBuffer plain = cc::decryptCredentialsText(stored, k);
    CHECK(std::string(plain.begin(), plain.end()) == largest);
    try {
      cc::encryptCredentialsText(textOf(kLargest + 1), k);
      FAIL("one byte over the limit was sealed");
    } catch (const cc::Error& e) {
      CHECK(e.code() == cc::ErrorCode::kTooLarge);
      CHECK(std::string(e.what()) ==
            "credentials: the serialized value is larger than the 16 MiB envelope limit");
    }
  }
  SECTION("value API: the same limit on the serialized value") {
    const json largest = std::string(kLargest - 2, 'x');
    const json envelope = encryptCredentials(largest, k);
    CHECK(envelope.at("ct").get_ref<const std::string&>().size() == cc::kMaxEnvelopeBytes);
    CHECK(decryptCredentials(envelope, k) == largest);
    const json over = std::string(kLargest - 1, 'x');
    CHECK_THROWS_MATCHES(encryptCredentials(over, k), cc::Error,
                         Catch::Predicate<cc::Error>([](const cc::Error& e) {
                           return e.code() == cc::ErrorCode::kTooLarge;
                         }));
  }
}

TEST_CASE("numbers beyond double range: refused by the writer and by the reader") {
  namespace cc = connector_crypto;
  const auto k = cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1");
  for (const std::string text : {"1e400", "-1e400", "[1e309]", "{\"a\":-2e308}"}) {
    INFO(text);
    try {
      cc::encryptCredentialsText(text, k);
      FAIL("sealed");
    } catch (const cc::Error& e) {
      CHECK(e.code() == cc::ErrorCode::kInvalidText);
    }
    // Sealed by another writer (JSON.parse would read Infinity): the C++ reader refuses it.
    const json stored = sealRaw(kKeyA, "v1", text);
    CHECK_THROWS_MATCHES(decryptCredentials(stored, k), DecryptError,
                         Catch::Predicate<DecryptError>([](const DecryptError& e) {
                           return e.code() == cc::ErrorCode::kInvalidPlaintext;
                         }));
    CHECK_THROWS_AS(cc::decryptCredentialsText(stored.dump(), k), DecryptError);
  }
  SECTION(
      "an underflow reads as 0 and an integer beyond 64 bits as the nearest double, as in "
      "JavaScript") {
    CHECK(decryptCredentials(sealRaw(kKeyA, "v1", "1e-400"), k) == json(0.0));
    CHECK(decryptCredentials(sealRaw(kKeyA, "v1", "123456789012345678901234567890"), k) ==
          json(1.2345678901234568e+29));
  }
}
