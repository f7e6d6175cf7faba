// inspectCredentials: what a stored value is, without a key, by decrypt's own rules.
#include "test_support.hpp"

using namespace test_support;
namespace cc = connector_crypto;
using Kind = cc::CredentialsInfo::Kind;
using cc::ErrorCode;
using json = nlohmann::json;

namespace {

json with(json v, const std::string& member, json value) {
  v[member] = std::move(value);
  return v;
}

// The code decryptCredentials throws for v under a keyring holding v1 and v2.
ErrorCode decryptCode(const json& v) {
  try {
    cc::decryptCredentials(v, keyringV1V2());
  } catch (const cc::Error& e) {
    return e.code();
  }
  FAIL("decrypt did not throw");
  return ErrorCode::kInternal;
}

}  // namespace

TEST_CASE("inspectCredentials classifies by decrypt's rules") {
  const json e = cc::encryptCredentials(json{{"a", 1}}, keyringV1());
  for (const bool text : {false, true}) {
    INFO((text ? "text form" : "value form"));
    const auto inspect = [text](const json& v) {
      return text ? cc::inspectCredentialsText(v.dump()) : cc::inspectCredentials(v);
    };
    DYNAMIC_SECTION("null, plaintext and envelopes, " << (text ? "text" : "value")) {
      CHECK(inspect(nullptr).kind == Kind::kNull);
      for (const json& plain : {json{{"a", 1}}, json("tok"), json::array({e}), json(0)}) {
        CHECK(inspect(plain).kind == Kind::kPlaintext);
      }
      const cc::CredentialsInfo info = inspect(e);
      CHECK(info.kind == Kind::kEnvelope);
      CHECK(info.version == 1);
      CHECK(info.kid == "v1");
      CHECK(inspect(with(e, "kid", "v9")).kid == "v9");  // unknown here, valid anywhere
    }
    DYNAMIC_SECTION("malformed values carry the code decrypt throws, "
                    << (text ? "text" : "value")) {
      json noCt = e;
      noCt.erase("ct");
      for (const json& bad :
           {with(e, "__enc", 2), with(e, "__enc", "1"), noCt, with(e, "kid", 5),
            with(e, "iv", "AAAA"), with(e, "iv", "AAAAAAAAAAAAAAA-"), with(e, "ct", "AAAA"),
            with(e, "kid", "has space"), with(e, "kid", ""), json{{"__enc", 1}}}) {
        INFO("value: " << bad.dump());
        const cc::CredentialsInfo info = inspect(bad);
        CHECK(info.kind == Kind::kMalformed);
        CHECK(info.error == decryptCode(bad));
        CHECK(info.kid.empty());
      }
    }
  }
  SECTION("text that is not JSON") {
    for (const std::string& bad : {std::string("{"), std::string("{\"__enc\":1"),
                                   std::string("null\0", 5), std::string("")}) {
      const cc::CredentialsInfo info = cc::inspectCredentialsText(bad);
      CHECK(info.kind == Kind::kMalformed);
      CHECK(info.error == ErrorCode::kInvalidText);
    }
    CHECK(cc::inspectCredentialsText(R"({"\u005f_enc":2})").kind == Kind::kMalformed);
  }
}
