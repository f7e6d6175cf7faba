// parseJsonText: the public reader of JSON text that decryptCredentials reads plaintext with, for
// code that must read a value exactly as decrypted plaintext is read (the CLI's export lines).
#include <optional>
#include <string>
#include <type_traits>

#include "connector_crypto/json_reader.hpp"
#include "test_support.hpp"

namespace cc = connector_crypto;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

TEST_CASE("parseJsonText reads one JSON value as decrypt reads plaintext") {
  SECTION("a value, with the type asked for") {
    const std::optional<json> v = cc::parseJsonText(R"( {"b":[1,2.5,"x",null,true],"a":{}} )");
    REQUIRE(v.has_value());
    CHECK(*v == json::parse(R"({"a":{},"b":[1,2.5,"x",null,true]})"));

    const auto o = cc::parseJsonText<ojson>(R"({"z":1,"a":2})");
    static_assert(std::is_same_v<std::decay_t<decltype(o)>, std::optional<ojson>>);
    REQUIRE(o.has_value());
    CHECK(o->dump() == R"({"z":1,"a":2})");
  }

  SECTION("scalars, and integers beyond 64 bits as nlohmann reads them") {
    CHECK(cc::parseJsonText("null").value().is_null());
    CHECK(cc::parseJsonText("\"\\u00e9\"").value() == json("\xc3\xa9"));
    CHECK(cc::parseJsonText("18446744073709551615").value() == json(18446744073709551615ULL));
    CHECK(cc::parseJsonText("-9223372036854775808").value() == json(INT64_MIN));
    const auto big = cc::parseJsonText("18446744073709552000");
    REQUIRE(big.has_value());
    CHECK(big->is_number_float());
    CHECK(big->dump() == json::parse("18446744073709552000").dump());
  }

  SECTION("a repeated member name resolves last-wins, as decryptCredentials does") {
    CHECK(cc::parseJsonText(R"({"a":1,"a":2})").value() == json{{"a", 2}});
    CHECK(cc::parseJsonText<ojson>(R"({"a":1,"b":0,"a":2})").value().dump() == R"({"a":2,"b":0})");
  }

  SECTION("512 levels are read; one more is not") {
    CHECK(cc::parseJsonText(std::string(512, '[') + std::string(512, ']')).has_value());
    CHECK_FALSE(cc::parseJsonText(std::string(513, '[') + std::string(513, ']')).has_value());
  }

  SECTION("anything but exactly one valid value is nullopt, never an exception") {
    const std::string nul("\"a\0b\"", 5);
    for (const std::string& bad : {std::string(), std::string(" "), std::string("{"), std::string("[1,]"),
                                  std::string("1 2"), std::string("{\"a\":1}x"), std::string("'a'"),
                                  std::string("\"\xff\""), std::string("\"\xc0\xaf\""), nul,
                                  std::string("NaN"), std::string("01"), std::string("{\"a\" 1}")}) {
      DYNAMIC_SECTION("input of " << bad.size() << " bytes") {
        std::optional<json> v;
        CHECK_NOTHROW(v = cc::parseJsonText(bad));
        CHECK_FALSE(v.has_value());
      }
    }
  }
}
