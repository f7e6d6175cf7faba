// The text API (text.hpp): envelopes over JSON text, with the verdicts of the value API.
#include <string>

#include "test_support.hpp"

using namespace test_support;
namespace cc = connector_crypto;
using json = nlohmann::json;

namespace {

std::string str(const cc::SecretBuffer& b) { return std::string(b.data(), b.size()); }

// The envelope text of plaintext bytes sealed under key/kid (any bytes, JSON or not).
std::string sealedText(const std::string& keyBase64, const std::string& kid,
                       const std::string& plaintext) {
  return sealRaw(keyBase64, kid, plaintext).dump();
}

const std::string kNotJson =
    "decryptCredentialsText: stored is not JSON text (exactly one value, valid UTF-8, no NUL "
    "byte, at most 512 levels of nesting)";
const std::string kEncryptNotJson =
    "encryptCredentialsText: json is not JSON text (exactly one value, valid UTF-8, no NUL byte, "
    "at most 512 levels of nesting)";

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("encryptCredentialsText writes the envelope in the TypeScript member order") {
  const auto k = keyringV1V2();
  const std::string e = cc::encryptCredentialsText(R"({"api_key":"sk-live-1"})", k);
  // {"__enc":1,"kid":"v2","iv":"<16>","ct":"<base64>"}
  REQUIRE(e.rfind(R"({"__enc":1,"kid":"v2","iv":")", 0) == 0);
  CHECK(e.substr(28 + 16, 8) == R"(","ct":")");
  CHECK(e.substr(e.size() - 2) == "\"}");
  const json parsed = json::parse(e);
  CHECK(parsed.size() == 4);
  CHECK(cc::isEncrypted(parsed));
  CHECK(cc::decryptCredentials(parsed, k) == json{{"api_key", "sk-live-1"}});
  CHECK(str(cc::decryptCredentialsText(e, k)) == R"({"api_key":"sk-live-1"})");
}

TEST_CASE("encryptCredentialsText seals the compact form, nothing else changed") {
  const auto k = keyringV1();
  SECTION("insignificant whitespace goes, spelling and order stay") {
    const std::string text =
        " {\n\t\"b\" : [ 1 , 2.50 , 1E5, -0 ],\r\n \"a\" : \"x y\\n\\u00e9\" } ";
    CHECK(str(cc::decryptCredentialsText(cc::encryptCredentialsText(text, k), k)) ==
          R"({"b":[1,2.50,1E5,-0],"a":"x y\n\u00e9"})");
  }
  SECTION("escaped quotes and backslashes inside strings are not the end of the string") {
    const std::string text = R"({ "p" : "a \" b \\" , "q":"\\\"  " })";
    CHECK(str(cc::decryptCredentialsText(cc::encryptCredentialsText(text, k), k)) ==
          R"({"p":"a \" b \\","q":"\\\"  "})");
  }
  SECTION("long strings, with escapes at their ends, are copied whole") {
    const std::string blob(100000, ' ');
    const std::string text = "{ \"a\" : \"\\\"" + blob + "\\\\\" , \"b\" : \"" + blob + "\" }\n";
    CHECK(str(cc::decryptCredentialsText(cc::encryptCredentialsText(text, k), k)) ==
          "{\"a\":\"\\\"" + blob + "\\\\\",\"b\":\"" + blob + "\"}");
  }
  SECTION("a scalar") {
    CHECK(str(cc::decryptCredentialsText(cc::encryptCredentialsText(" \"tok\" ", k), k)) ==
          "\"tok\"");
    CHECK(str(cc::decryptCredentialsText(cc::encryptCredentialsText("18446744073709552000", k),
                                         k)) == "18446744073709552000");
  }
  SECTION("the value API reads what the text API wrote, and the reverse") {
    const json v = {{"n", 1}, {"s", "\xc3\xa9"}, {"a", json::array({true, nullptr})}};
    CHECK(cc::decryptCredentials(json::parse(cc::encryptCredentialsText(v.dump(), k)), k) == v);
    CHECK(str(cc::decryptCredentialsText(cc::encryptCredentials(v, k).dump(), k)) == v.dump());
  }
}

TEST_CASE("encryptCredentialsText passes null and envelopes through unchanged") {
  const auto k = keyringV1();
  CHECK(cc::encryptCredentialsText("null", k) == "null");
  CHECK(cc::encryptCredentialsText(" null ", k) == " null ");
  const std::string e = cc::encryptCredentialsText(R"({"a":1})", k);
  CHECK(cc::encryptCredentialsText(e, k) == e);
  SECTION("a member name is compared after unescaping") {
    std::string escaped = e;
    escaped.replace(escaped.find("\"__enc\""), 7, R"("\u005f_enc")");
    CHECK(cc::encryptCredentialsText(escaped, k) == escaped);
    // A malformed envelope: decrypt's error (issue 21, item 4), whatever its shape.
    CHECK_THROWS_MATCHES(
        cc::encryptCredentialsText(R"({"\u005f_enc":1,"kid":"v1","iv":"x","ct":"y"})", k),
        cc::EnvelopeError,
        Catch::Message("encryptCredentialsText: envelope: \"iv\" must be standard base64 of 12 "
                       "bytes (16 characters); the value carries \"__enc\" but is not a valid "
                       "envelope, refusing to wrap it"));
    CHECK_THROWS_MATCHES(
        cc::encryptCredentialsText(R"({"\u005f_enc":2,"kid":"v1"})", k), cc::EnvelopeError,
        Catch::Message("encryptCredentialsText: envelope: \"__enc\" must be the number 1 (the "
                       "only format version this library reads; canonical Extended JSON's "
                       "{\"$numberInt\":\"1\"} is not: read MongoDB documents as relaxed "
                       "Extended JSON, or convert them with convertExtendedJson / "
                       "convertExtendedJsonText first); the value carries \"__enc\" but "
                       "is not a valid envelope, refusing to wrap it"));
  }
}

TEST_CASE("encryptCredentialsText refuses text that is not exactly one JSON value") {
  const auto k = keyringV1();
  for (const std::string& bad :
       {std::string(""), std::string("   "), std::string("{"), std::string("{} {}"),
        std::string("{\"a\":1}\0{\"b\":2}", 15), std::string("{\"a\":1}\0", 8),
        std::string("{\"a\":\"\xff\"}"), std::string("{\"\xc3\"=1}"), std::string("[1,]"),
        std::string("{\"a\":\"\\ud800\"}"), std::string("'x'"), std::string("NaN"),
        std::string("{\"a\":1} // c"), nested(513)}) {
    INFO("input: " << json(bad).dump(-1, ' ', true, json::error_handler_t::replace));
    CHECK_THROWS_MATCHES(cc::encryptCredentialsText(bad, k), cc::Error,
                         Catch::Message(kEncryptNotJson));
  }
  SECTION("512 levels are accepted, as decrypt accepts them") {
    const std::string e = cc::encryptCredentialsText(nested(512), k);
    CHECK(str(cc::decryptCredentialsText(e, k)) == nested(512));
  }
}

TEST_CASE("encryptCredentialsText refuses a repeated member name at any depth") {
  const auto k = keyringV1();
  const std::string message =
      "encryptCredentialsText: json repeats a member name in an object (duplicate members are "
      "never written; docs/FORMAT.md); nothing was encrypted";
  for (const char* bad : {R"({"a":1,"a":2})", R"({"x":{"a":1,"b":{},"a":2}})",
                          R"([{"a":1},{"b":1,"b":1}])", R"({"a":1,"\u0061":2})"}) {
    INFO("input: " << bad);
    CHECK_THROWS_MATCHES(cc::encryptCredentialsText(bad, k), cc::Error, Catch::Message(message));
  }
  SECTION("the same name in different objects is fine") {
    CHECK_NOTHROW(cc::encryptCredentialsText(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})", k));
  }
}

TEST_CASE("decryptCredentialsText") {
  const auto k = keyringV1V2();
  const std::string e = cc::encryptCredentialsText(R"({"password":"hunter2"})", k);
  SECTION("returns the plaintext bytes as the writer sealed them") {
    const std::string written = R"({ "n" : 1.50, "z":1, "a":2 })";
    CHECK(str(cc::decryptCredentialsText(sealedText(kKeyA, "v1", written), k)) == written);
  }
  SECTION("legacy plaintext and null pass through as they are") {
    for (const char* plain : {"null", " {\"a\" : 1} ", "\"tok\"", "[1,2]", "7"}) {
      CHECK(str(cc::decryptCredentialsText(plain, k)) == plain);
    }
    CHECK(k.stats().plaintextPassthroughs == 4);
  }
  SECTION("strict mode refuses plaintext, not null") {
    const auto strict = cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1", {true});
    CHECK(str(cc::decryptCredentialsText("null", strict)) == "null");
    CHECK_THROWS_MATCHES(
        cc::decryptCredentialsText(R"({"a":1})", strict), cc::PlaintextRejectedError,
        Catch::Message("decryptCredentialsText: the stored value is plaintext, and this keyring "
                       "requires encryption (requireEncrypted / "
                       "CONNECTOR_CRED_REQUIRE_ENCRYPTED=1)"));
  }
  SECTION("duplicate members resolve last-wins, as JSON.parse and nlohmann do") {
    json v = json::parse(e);
    const std::string dup = R"({"kid":"nope",)" + e.substr(1);
    CHECK(str(cc::decryptCredentialsText(dup, k)) == R"({"password":"hunter2"})");
    const std::string dupLast = e.substr(0, e.size() - 1) + R"(,"kid":"v9"})";
    CHECK_THROWS_MATCHES(cc::decryptCredentialsText(dupLast, k), cc::UnknownKidError,
                         Catch::Message("envelope: \"kid\" \"v9\" is not in the keyring"));
  }
  SECTION("escaped member names and values are read unescaped") {
    json v = json::parse(e);
    const std::string iv = v["iv"], ct = v["ct"];
    const std::string escaped =
        R"({"\u005f_enc":1,"\u006bid":"\u0076\u0032","iv":")" + iv + R"(","ct":")" + ct + "\"}";
    CHECK(str(cc::decryptCredentialsText(escaped, k)) == R"({"password":"hunter2"})");
  }
  SECTION("a value carrying __enc decrypts or throws") {
    CHECK_THROWS_AS(cc::decryptCredentialsText(R"({"__enc":2})", k), cc::EnvelopeError);
    CHECK_THROWS_AS(cc::decryptCredentialsText(R"({"__enc":"1","kid":"v1"})", k),
                    cc::EnvelopeError);
    CHECK_THROWS_MATCHES(cc::decryptCredentialsText(R"({"__enc":1,"iv":"x","ct":"y"})", k),
                         cc::EnvelopeError, Catch::Message("envelope: \"kid\" is missing"));
    std::string tampered = e;
    tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
    CHECK_THROWS_AS(cc::decryptCredentialsText(tampered, k), cc::DecryptError);
  }
  SECTION("authentic plaintext that is not JSON is refused") {
    for (const std::string& bad : {std::string("{\"a\":1}\0{}", 9), std::string("{"),
                                   std::string("\"\xff\""), nested(513), std::string("")}) {
      CHECK_THROWS_MATCHES(
          cc::decryptCredentialsText(sealedText(kKeyA, "v1", bad), k), cc::DecryptError,
          Catch::Message("envelope: the decrypted plaintext is not valid UTF-8 JSON (or nests "
                         "deeper than 512 levels)"));
    }
  }
  SECTION("stored text that is not JSON is an Error, never passed through") {
    for (const std::string& bad : {std::string("{\"__enc\":1"), std::string("tok"),
                                   std::string("null\0", 5), std::string("")}) {
      CHECK_THROWS_MATCHES(cc::decryptCredentialsText(bad, k), cc::Error, Catch::Message(kNotJson));
    }
  }
}

TEST_CASE("rewrapCredentialsText") {
  const auto old = keyringV1V2("v1");
  const auto k = keyringV1V2("v2");
  SECTION("re-seals an old envelope's bytes as they are") {
    const std::string written = R"({"n":1.50,"z":1,"a":2})";
    const std::string fresh = cc::rewrapCredentialsText(sealedText(kKeyA, "v1", written), k);
    CHECK(json::parse(fresh).at("kid") == "v2");
    CHECK(str(cc::decryptCredentialsText(fresh, k)) == written);
    CHECK(k.stats().perKid.at("v1").decryptions == 1);
    CHECK(k.stats().perKid.at("v2").encryptions == 1);
  }
  SECTION("an envelope under the active kid and null come back unchanged") {
    const std::string e = cc::encryptCredentialsText(R"({"a":1})", k);
    CHECK(cc::rewrapCredentialsText(e, k) == e);
    CHECK(cc::rewrapCredentialsText("null", k) == "null");
  }
  SECTION("plaintext is encrypted (compact, never with duplicates)") {
    const std::string fresh = cc::rewrapCredentialsText(R"({ "a" : 1 })", k);
    CHECK(str(cc::decryptCredentialsText(fresh, k)) == R"({"a":1})");
    CHECK_THROWS_AS(cc::rewrapCredentialsText(R"({"a":1,"a":2})", k), cc::Error);
  }
  SECTION("what cannot be decrypted throws; garbage is never re-encrypted") {
    const std::string e = cc::encryptCredentialsText(R"({"a":1})", old);
    std::string tampered = e;
    tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
    CHECK_THROWS_AS(cc::rewrapCredentialsText(tampered, k), cc::DecryptError);
    CHECK_THROWS_AS(cc::rewrapCredentialsText(R"({"__enc":1,"kid":"v2"})", k), cc::EnvelopeError);
    CHECK_THROWS_AS(cc::rewrapCredentialsText("{", k), cc::Error);
  }
}
