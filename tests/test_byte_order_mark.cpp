// A UTF-8 byte order mark (EF BB BF) is never sealed (issue 21, item 3): one ahead of text read as
// input is dropped (parseJsonText, the text API, convertExtendedJsonText), none is ever written,
// and a decrypted plaintext that starts with one is refused, as a JSON.parse reader refuses it
// (docs/FORMAT.md, "Byte order marks").
#include <string>

#include "test_support.hpp"

using namespace test_support;
namespace cc = connector_crypto;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

const std::string kBom = "\xEF\xBB\xBF";

std::string str(const cc::SecretBuffer& b) { return std::string(b.data(), b.size()); }

const std::string kPlaintextNotJson =
    "envelope: the decrypted plaintext is not valid UTF-8 JSON (or nests deeper than 512 levels)";

}  // namespace

TEST_CASE("a byte order mark ahead of input text is dropped, never sealed") {
  const cc::Keyring k = keyringV1V2();
  const std::string plain = R"({"apiKey":"x"})";
  SECTION("encryptCredentialsText seals the text after it") {
    const std::string e = cc::encryptCredentialsText(kBom + plain, k);
    CHECK(str(cc::decryptCredentialsText(e, k)) == plain);
    CHECK(cc::decryptCredentials(json::parse(e), k) == json{{"apiKey", "x"}});
    const cc::EncryptionContext context{{"id", "oid:6650f0c2a1b2c3d4e5f60719"}};
    const std::string bound = cc::encryptCredentialsText(kBom + " " + plain, k, context);
    CHECK(str(cc::decryptCredentialsText(bound, k, context)) == plain);
  }
  SECTION("what encrypt returns as it was comes back without it") {
    CHECK(cc::encryptCredentialsText(kBom + "null", k) == "null");
    const std::string e = cc::encryptCredentialsText(plain, k);
    CHECK(cc::encryptCredentialsText(kBom + e, k) == e);
  }
  SECTION("decryptCredentialsText, rewrapCredentialsText and inspectCredentialsText read past it") {
    const std::string e = cc::encryptCredentialsText(plain, k);
    CHECK(str(cc::decryptCredentialsText(kBom + e, k)) == plain);
    CHECK(str(cc::decryptCredentialsText(kBom + plain, k)) == plain);
    CHECK(cc::rewrapCredentialsText(kBom + e, k) == e);
    const std::string rewrapped = cc::rewrapCredentialsText(kBom + plain, k);
    CHECK(str(cc::decryptCredentialsText(rewrapped, k)) == plain);
    const std::string underV1 = sealRaw(kKeyA, "v1", plain).dump();
    CHECK(str(cc::decryptCredentialsText(cc::rewrapCredentialsText(kBom + underV1, k), k)) ==
          plain);
    CHECK(cc::inspectCredentialsText(kBom + e).kind == cc::CredentialsInfo::Kind::kEnvelope);
    CHECK(cc::inspectCredentialsText(kBom + plain).kind == cc::CredentialsInfo::Kind::kPlaintext);
  }
  SECTION("parseJsonText and convertExtendedJsonText read past it") {
    const std::optional<json> v = cc::parseJsonText(kBom + plain);
    REQUIRE(v);
    CHECK(*v == json{{"apiKey", "x"}});
    const std::optional<ordered_json> o = cc::parseJsonText<ordered_json>(kBom + plain);
    REQUIRE(o);
    CHECK(*o == ordered_json{{"apiKey", "x"}});
    CHECK(str(cc::convertExtendedJsonText(kBom + R"({"n":{"$numberInt":"7"}})")) == R"({"n":7})");
  }
  SECTION("only one, and only at the very start") {
    for (const std::string& text : {kBom + kBom + plain, " " + kBom + plain, plain + kBom,
                                    "{\"a\":1," + kBom + "\"b\":2}", "\xEF\xBB" + plain}) {
      INFO("text: " << json(text).dump(-1, ' ', true, json::error_handler_t::replace));
      const cc::Error e = [&] {
        try {
          cc::encryptCredentialsText(text, k);
        } catch (const cc::Error& error) {
          return error;
        }
        FAIL("accepted");
        return cc::Error(cc::ErrorCode::kInternal, "");
      }();
      CHECK(e.code() == cc::ErrorCode::kInvalidText);
      CHECK(std::string(e.what()) ==
            "encryptCredentialsText: json is not JSON text (exactly one value, valid UTF-8, no "
            "NUL byte, at most 512 levels of nesting)");
      CHECK_FALSE(cc::parseJsonText(text));
    }
  }
}

TEST_CASE("a decrypted plaintext that starts with a byte order mark is refused") {
  // What a writer other than this library may have sealed; JSON.parse(buf.toString('utf8')) throws
  // on it, and so does every reader here, with the verdict of any plaintext that is not JSON.
  const cc::Keyring k = keyringV1V2();
  const json sealed = sealRaw(kKeyA, "v1", kBom + R"({"apiKey":"x"})");
  const std::string sealedText = sealed.dump();
  const auto requireRefused = [](auto&& fn) {
    try {
      fn();
      FAIL("accepted");
    } catch (const cc::DecryptError& e) {
      CHECK(e.code() == cc::ErrorCode::kInvalidPlaintext);
      CHECK(std::string(e.what()) == kPlaintextNotJson);
    }
  };
  requireRefused([&] { cc::decryptCredentials(sealed, k); });
  requireRefused([&] { cc::decryptCredentials(ordered_json(sealed), k); });
  requireRefused([&] { cc::decryptCredentialsText(sealedText, k); });
  requireRefused([&] { cc::rewrapCredentials(sealed, k); });
  requireRefused([&] { cc::rewrapCredentialsText(sealedText, k); });
}
