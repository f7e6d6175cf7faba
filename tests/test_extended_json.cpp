// The public Extended JSON conversion (connector_crypto/extended_json.hpp): every wrapper, the
// malformed ones, dates at JavaScript's range limits, nesting, ordered_json, the text form, and a
// canonical export's {"__enc":{"$numberInt":"1"}} made readable.
#include <limits>
#include <typeinfo>

#include "test_support.hpp"

using namespace test_support;
namespace cc = connector_crypto;
namespace ej = connector_crypto::extended_json;
using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

namespace {

// The converted value's text; the conversion must succeed.
std::string converted(const std::string& text) {
  json v = json::parse(text);
  try {
    return cc::convertExtendedJson(v).dump();
  } catch (const cc::Error& e) {
    FAIL("convertExtendedJson threw: " << e.what());
  }
  return {};
}

// The conversion must throw exactly cc::Error with `code`; returns its message.
std::string failure(const std::string& text, cc::ErrorCode code = cc::ErrorCode::kExtendedJson) {
  json v = json::parse(text);
  try {
    cc::convertExtendedJson(v);
  } catch (const cc::Error& e) {
    CHECK(typeid(e) == typeid(cc::Error));
    CHECK(cc::errorCodeName(e.code()) == std::string(cc::errorCodeName(code)));
    return e.what();
  } catch (...) {
    FAIL("a non-connector_crypto exception escaped");
  }
  FAIL("convertExtendedJson did not throw for " << text);
  return {};
}

std::string textOf(const cc::SecretBuffer& b) { return std::string(b.data(), b.size()); }

}  // namespace

TEST_CASE(
    "convertExtendedJson: each wrapper becomes what JSON.stringify of the driver's objects gives") {
  SECTION("$date") {
    SECTION("ISO strings, every offset form, fractions truncated to milliseconds") {
      CHECK(converted(R"({"$date":"2021-03-04T10:15:30Z"})") == R"("2021-03-04T10:15:30.000Z")");
      CHECK(converted(R"({"$date":"2021-03-04T10:15:30.5+01:30"})") ==
            R"("2021-03-04T08:45:30.500Z")");
      CHECK(converted(R"({"$date":"2021-03-04T10:15:30.123456Z"})") ==
            R"("2021-03-04T10:15:30.123Z")");
      CHECK(converted(R"({"$date":"2021-03-04t10:15:30-0200"})") ==
            R"("2021-03-04T12:15:30.000Z")");
      CHECK(converted(R"({"$date":"2024-02-29T23:59:59.999z"})") ==
            R"("2024-02-29T23:59:59.999Z")");
    }
    SECTION("{\"$numberLong\":…} milliseconds, up to JavaScript's range limits") {
      CHECK(converted(R"({"$date":{"$numberLong":"0"}})") == R"("1970-01-01T00:00:00.000Z")");
      CHECK(converted(R"({"$date":{"$numberLong":"-1"}})") == R"("1969-12-31T23:59:59.999Z")");
      CHECK(converted(R"({"$date":{"$numberLong":"-62198755200000"}})") ==
            R"("-000001-01-01T00:00:00.000Z")");
      CHECK(converted(R"({"$date":{"$numberLong":"253402300799999"}})") ==
            R"("9999-12-31T23:59:59.999Z")");
      CHECK(converted(R"({"$date":{"$numberLong":"253402300800000"}})") ==
            R"("+010000-01-01T00:00:00.000Z")");
      CHECK(converted(R"({"$date":{"$numberLong":"8640000000000000"}})") ==
            R"("+275760-09-13T00:00:00.000Z")");
      CHECK(converted(R"({"$date":{"$numberLong":"-8640000000000000"}})") ==
            R"("-271821-04-20T00:00:00.000Z")");
    }
  }
  SECTION("numbers") {
    CHECK(converted(R"({"$numberLong":"-9223372036854775808"})") == "-9223372036854775808");
    CHECK(converted(R"({"$numberLong":"9223372036854775807"})") == "9223372036854775807");
    CHECK(converted(R"({"$numberInt":"2147483647"})") == "2147483647");
    CHECK(converted(R"({"$numberInt":"-2147483648"})") == "-2147483648");
    CHECK(converted(R"({"$numberDouble":"1.5"})") == "1.5");
    CHECK(converted(R"({"$numberDouble":"-1.0E+3"})") == "-1000.0");
    CHECK(converted(R"({"$numberDouble":"-0.0"})") == "0.0");  // JSON.stringify(-0) is "0"
    CHECK(converted(R"({"$numberDouble":"Infinity"})") == "null");
    CHECK(converted(R"({"$numberDouble":"-Infinity"})") == "null");
    CHECK(converted(R"({"$numberDouble":"NaN"})") == "null");
  }
  SECTION("$oid: lower-case hex") {
    CHECK(converted(R"({"$oid":"5F1D7F1A2B3C4D5E6F708192"})") == R"("5f1d7f1a2b3c4d5e6f708192")");
  }
  SECTION("nested in objects and arrays; values without wrappers are left as they are") {
    CHECK(converted(R"([{"a":{"$numberInt":"1"}},{"b":[{"$oid":"000000000000000000000000"}]}])") ==
          R"([{"a":1},{"b":["000000000000000000000000"]}])");
    CHECK(converted(R"({"plain":{"x":"$not-a-key","y":[1,2.5,true,null]}})") ==
          R"({"plain":{"x":"$not-a-key","y":[1,2.5,true,null]}})");
    CHECK(converted(R"("bare")") == R"("bare")");
    CHECK(converted("null") == "null");
    CHECK(converted(R"({"a":{"b":{"c":{"$date":{"$numberLong":"1000"}}}}})") ==
          R"({"a":{"b":{"c":"1970-01-01T00:00:01.000Z"}}})");
  }
  SECTION("returns the value it converted") {
    json v = json::parse(R"({"n":{"$numberInt":"7"}})");
    json& same = cc::convertExtendedJson(v);
    CHECK(&same == &v);
    CHECK(v == json{{"n", 7}});
  }
}

TEST_CASE(
    "convertExtendedJson: malformed and unconvertible wrappers are a typed Error naming the "
    "wrapper") {
  SECTION("wrappers JSON.stringify has no equivalent of") {
    CHECK(failure(R"({"$binary":{"base64":"AA==","subType":"00"}})") ==
          "the Extended JSON wrapper \"$binary\" has no JSON.stringify equivalent");
    CHECK(failure(R"({"a":{"$numberDecimal":"1.0"}})") ==
          "the Extended JSON wrapper \"$numberDecimal\" has no JSON.stringify equivalent");
    for (const char* key : {"$timestamp", "$regularExpression", "$minKey", "$maxKey", "$uuid"}) {
      CHECK(failure(json{{key, 1}}.dump()) == std::string("the Extended JSON wrapper \"") + key +
                                                  "\" has no JSON.stringify equivalent");
    }
  }
  SECTION("any other '$'-key, never quoted (it may be data)") {
    const std::string message = failure(R"({"$2b$10$hashhashhash":"s3cret"})");
    CHECK(message == "an object with a '$'-prefixed key (not a supported Extended JSON wrapper)");
    CHECK(message.find("hash") == std::string::npos);
    CHECK(message.find("s3cret") == std::string::npos);
    CHECK(failure(R"({"$where":"x","other":1})") ==
          "an object with a '$'-prefixed key (not a supported Extended JSON wrapper)");
  }
  SECTION("extra members") {
    CHECK(failure(R"({"$oid":"000000000000000000000000","b":1})") ==
          "the Extended JSON wrapper \"$oid\" has extra members");
    CHECK(failure(R"({"$binary":"AA==","$type":"00"})") ==
          "the Extended JSON wrapper \"$binary\" has extra members");
  }
  SECTION("malformed $date: not a date, out of JavaScript's range, wrong inner shape") {
    const std::string bad = "a malformed or out-of-range Extended JSON \"$date\"";
    for (const char* text :
         {R"({"$date":"2021-02-29T00:00:00Z"})", R"({"$date":"2021-13-01T00:00:00Z"})",
          R"({"$date":"2021-01-01T24:00:00Z"})", R"({"$date":"2021-01-01T00:00:00"})",
          R"({"$date":"2021-01-01T00:00:00.Z"})", R"({"$date":"2021-01-01T00:00:00+25:00"})",
          R"({"$date":"2021-01-01T00:00:00Zx"})", R"({"$date":"2021-01-01"})",
          R"({"$date":{"$numberLong":"8640000000000001"}})",
          R"({"$date":{"$numberLong":"-8640000000000001"}})", R"({"$date":{"$numberLong":"1.5"}})",
          R"({"$date":{"$numberInt":"1"}})", R"({"$date":{"$numberLong":"1","x":2}})",
          R"({"$date":{"$numberLong":1}})", R"({"$date":1614852930000})", R"({"$date":null})"}) {
      INFO(text);
      CHECK(failure(text) == bad);
    }
  }
  SECTION("malformed numbers and $oid") {
    CHECK(failure(R"({"$numberInt":"2147483648"})") == "a malformed Extended JSON \"$numberInt\"");
    CHECK(failure(R"({"$numberInt":"-2147483649"})") == "a malformed Extended JSON \"$numberInt\"");
    CHECK(failure(R"({"$numberInt":1})") == "a malformed Extended JSON \"$numberInt\"");
    CHECK(failure(R"({"$numberLong":"12x"})") == "a malformed Extended JSON \"$numberLong\"");
    CHECK(failure(R"({"$numberLong":""})") == "a malformed Extended JSON \"$numberLong\"");
    CHECK(failure(R"({"$numberLong":"9223372036854775808"})") ==
          "a malformed Extended JSON \"$numberLong\"");
    CHECK(failure(R"({"$numberLong":{"$numberInt":"1"}})") ==
          "a malformed Extended JSON \"$numberLong\"");
    CHECK(failure(R"({"$numberDouble":"0x10"})") == "a malformed Extended JSON \"$numberDouble\"");
    CHECK(failure(R"({"$numberDouble":"1e999"})") == "a malformed Extended JSON \"$numberDouble\"");
    CHECK(failure(R"({"$numberDouble":""})") == "a malformed Extended JSON \"$numberDouble\"");
    CHECK(failure(R"({"$numberDouble":1.5})") == "a malformed Extended JSON \"$numberDouble\"");
    CHECK(failure(R"({"$oid":"xyz"})") == "a malformed Extended JSON \"$oid\"");
    CHECK(failure(R"({"$oid":"00000000000000000000000g"})") ==
          "a malformed Extended JSON \"$oid\"");
    CHECK(failure(R"({"$oid":["000000000000000000000000"]})") ==
          "a malformed Extended JSON \"$oid\"");
  }
  SECTION("no message quotes the value") {
    for (const char* text :
         {R"({"$oid":"s3cret-s3cret-s3cret-s3c"})", R"({"$numberLong":"s3cret"})",
          R"({"$date":"s3cret"})", R"({"$numberDouble":"s3cret"})"}) {
      CHECK(failure(text).find("s3cret") == std::string::npos);
    }
  }
}

TEST_CASE("convertExtendedJson: nesting is bounded by kMaxJsonDepth") {
  SECTION("512 levels convert, with a wrapper at the bottom") {
    json v = nestedArrays(511, json{{"$numberInt", "5"}});
    cc::convertExtendedJson(v);
    const json* at = &v;
    for (int i = 0; i < 511; ++i) at = &at->at(0);
    CHECK(*at == 5);
  }
  SECTION("513 levels are refused with kTooDeep, nothing recursing past the limit") {
    json v = nestedArrays(512, json{{"$numberInt", "5"}});
    CHECK(failure(v.dump(), cc::ErrorCode::kTooDeep).find("512") != std::string::npos);
    json deep = nestedArrays(200000);
    CHECK_THROWS_AS(cc::convertExtendedJson(deep), cc::Error);
  }
}

TEST_CASE("convertExtendedJson over ordered_json keeps member order") {
  SECTION("the document's order") {
    ordered_json v = ordered_json::parse(
        R"({"z":{"$numberLong":"1"},"a":[{"$oid":"ABCDEF0123456789ABCDEF01"}],"m":{"$date":"1970-01-01T00:00:00Z"}})");
    cc::convertExtendedJson(v);
    CHECK(v.dump() == R"({"z":1,"a":["abcdef0123456789abcdef01"],"m":"1970-01-01T00:00:00.000Z"})");
  }
  SECTION("array-index names first, ascending, as JSON.stringify lists a JavaScript object's") {
    ordered_json v = ordered_json::parse(
        R"({"b":1,"10":{"$numberInt":"2"},"2":3,"a":{"x":1,"1":2,"0":3},"4294967295":4,"4294967294":5,"01":6,"-1":7,"0":8})");
    cc::convertExtendedJson(v);
    CHECK(
        v.dump() ==
        R"({"0":8,"2":3,"10":2,"4294967294":5,"b":1,"a":{"0":3,"1":2,"x":1},"4294967295":4,"01":6,"-1":7})");
  }
  SECTION("nlohmann::json sorts, as it keeps its members") {
    json v = json::parse(R"({"b":1,"10":{"$numberInt":"2"},"2":3,"a":4})");
    cc::convertExtendedJson(v);
    CHECK(v.dump() == R"({"10":2,"2":3,"a":4,"b":1})");
  }
  SECTION("a wrapper that does not convert is refused") {
    ordered_json bad = ordered_json::parse(R"({"a":{"$symbol":"x"}})");
    CHECK_THROWS_AS(cc::convertExtendedJson(bad), cc::Error);
  }
}

TEST_CASE("arrayIndexOf: the names JavaScript lists first") {
  CHECK(ej::arrayIndexOf("0") == 0u);
  CHECK(ej::arrayIndexOf("7") == 7u);
  CHECK(ej::arrayIndexOf("10") == 10u);
  CHECK(ej::arrayIndexOf("4294967294") == 4294967294u);
  for (const char* name : {"", "01", "00", "-1", "+1", "1.0", "1e3", " 1", "1 ", "4294967295",
                           "4294967296", "99999999999", "a1", R"(\u0031)"}) {
    INFO(name);
    CHECK_FALSE(ej::arrayIndexOf(name));
  }
}

TEST_CASE("a canonical export's {\"__enc\":{\"$numberInt\":\"1\"}} decrypts once converted") {
  const auto keyring = keyringV1V2("v2");
  const json plain = {{"token", "tok-s3cret"}, {"n", 5}};
  json envelope = cc::encryptCredentials(plain, keyring);
  json canonical = envelope;
  canonical["__enc"] = {{"$numberInt", "1"}};
  SECTION("refused as it is") {
    CHECK_THROWS_AS(cc::decryptCredentials(canonical, keyring), cc::EnvelopeError);
  }
  SECTION("value form") {
    CHECK(cc::decryptCredentials(cc::convertExtendedJson(canonical), keyring) == plain);
    CHECK(canonical == envelope);
  }
  SECTION("text form") {
    const cc::SecretBuffer text = cc::convertExtendedJsonText(canonical.dump());
    const cc::SecretBuffer back =
        cc::decryptCredentialsText(std::string_view(text.data(), text.size()), keyring);
    CHECK(json::parse(textOf(back)) == plain);
  }
  SECTION("canonical $numberLong and $numberDouble 1 as well") {
    for (const json& one : {json{{"$numberLong", "1"}}, json{{"$numberDouble", "1.0"}}}) {
      canonical["__enc"] = one;
      CHECK(cc::decryptCredentials(cc::convertExtendedJson(canonical), keyring) == plain);
    }
  }
}

TEST_CASE("convertExtendedJsonText: the same rules, the same bytes as the value form") {
  SECTION("byte for byte what convertExtendedJson of ordered_json and dump() give") {
    for (const char* text :
         {R"({"at":{"$date":"2021-03-04T10:15:30Z"},"id":{"$oid":"5F1D7F1A2B3C4D5E6F708192"}})",
          R"( [ {"n" : {"$numberLong":"9007199254740993"}}, {"d":{"$numberDouble":"2.5"}} ] )",
          R"({"b":1,"a":"\u00e9\ud83d\ude00"})", R"({"z":{"10":1,"9":2,"y":3},"2":[]})", "null",
          R"("s")", "1.0E2"}) {
      INFO(text);
      ordered_json v = ordered_json::parse(text);
      CHECK(textOf(cc::convertExtendedJsonText(text)) == cc::convertExtendedJson(v).dump());
    }
  }
  SECTION("members in the document's order, as JSON.stringify of the driver's object") {
    CHECK(
        textOf(cc::convertExtendedJsonText(
            R"({"token":"t","expires":{"$date":{"$numberLong":"0"}},"user":{"$oid":"65a1b2c3d4e5f60718293a4b"},"a":{"z":1,"b":{"$numberLong":"2"}}})")) ==
        R"({"token":"t","expires":"1970-01-01T00:00:00.000Z","user":"65a1b2c3d4e5f60718293a4b","a":{"z":1,"b":2}})");
    CHECK(textOf(cc::convertExtendedJsonText(R"({"b":1,"10":2,"2":3,"a":[{"y":1,"0":2}]})")) ==
          R"({"2":3,"10":2,"b":1,"a":[{"0":2,"y":1}]})");
  }
  SECTION("a legacy plaintext sealed through the text API reads as the value form's") {
    const auto keyring = keyringV1V2("v2");
    const std::string legacy =
        R"({"token":"tok","expires":{"$date":{"$numberLong":"1700000000000"}},"user":{"$oid":"65a1b2c3d4e5f60718293a4b"},"n":{"$numberLong":"42"}})";
    const cc::SecretBuffer text = cc::convertExtendedJsonText(legacy);
    const std::string stored =
        cc::encryptCredentialsText(std::string_view(text.data(), text.size()), keyring);
    json v = json::parse(legacy);
    CHECK(cc::decryptCredentials(json::parse(stored), keyring) == cc::convertExtendedJson(v));
    CHECK(v == json{{"token", "tok"},
                    {"expires", "2023-11-14T22:13:20.000Z"},
                    {"user", "65a1b2c3d4e5f60718293a4b"},
                    {"n", 42}});
  }
  SECTION("a repeated member keeps its first position and its last value, as JSON.parse does") {
    CHECK(textOf(cc::convertExtendedJsonText(R"({"a":{"$oid":"x"},"a":{"$numberInt":"2"}})")) ==
          R"({"a":2})");
    CHECK(textOf(cc::convertExtendedJsonText(R"({"b":1,"a":2,"b":{"$numberLong":"3"}})")) ==
          R"({"b":3,"a":2})");
  }
  SECTION("errors") {
    auto codeOf = [](std::string_view text) {
      try {
        cc::convertExtendedJsonText(text);
      } catch (const cc::Error& e) {
        CHECK(std::string(e.what()).find("s3cret") == std::string::npos);
        return e.code();
      }
      FAIL("no error");
      return cc::ErrorCode::kInternal;
    };
    CHECK(codeOf(R"({"s3cret":)") == cc::ErrorCode::kInvalidText);
    CHECK(codeOf("{\"a\":\"s3cret\xff\"}") == cc::ErrorCode::kInvalidText);
    CHECK(codeOf(std::string_view("{\"a\":1}\0", 8)) == cc::ErrorCode::kInvalidText);
    CHECK(codeOf(R"({"a":1} {"b":2})") == cc::ErrorCode::kInvalidText);
    CHECK(codeOf(std::string(513, '[') + std::string(513, ']')) == cc::ErrorCode::kInvalidText);
    CHECK(codeOf(R"({"$binary":"s3cret"})") == cc::ErrorCode::kExtendedJson);
    CHECK(codeOf(R"({"$date":"s3cret"})") == cc::ErrorCode::kExtendedJson);
  }
}

TEST_CASE("the calendar arithmetic behind $date") {
  SECTION("isoStringOfMillis prints as toISOString, nullopt outside JavaScript's range") {
    CHECK(ej::isoStringOfMillis(0) == "1970-01-01T00:00:00.000Z");
    CHECK(ej::isoStringOfMillis(951782400000) == "2000-02-29T00:00:00.000Z");
    CHECK(ej::isoStringOfMillis(-62167219200000) == "0000-01-01T00:00:00.000Z");
    CHECK(ej::isoStringOfMillis(-62167219200001) == "-000001-12-31T23:59:59.999Z");
    CHECK(ej::isoStringOfMillis(8640000000000000) == "+275760-09-13T00:00:00.000Z");
    CHECK(ej::isoStringOfMillis(-8640000000000000) == "-271821-04-20T00:00:00.000Z");
    CHECK_FALSE(ej::isoStringOfMillis(8640000000000001));
    CHECK_FALSE(ej::isoStringOfMillis(-8640000000000001));
    CHECK_FALSE(ej::isoStringOfMillis(std::numeric_limits<std::int64_t>::min()));
    CHECK_FALSE(ej::isoStringOfMillis(std::numeric_limits<std::int64_t>::max()));
  }
  SECTION("millisOfIsoString reads the forms relaxed Extended JSON writes") {
    CHECK(ej::millisOfIsoString("1970-01-01T00:00:00Z") == 0);
    CHECK(ej::millisOfIsoString("1970-01-01T00:00:00.001Z") == 1);
    CHECK(ej::millisOfIsoString("1970-01-01T01:00:00+01:00") == 0);
    CHECK(ej::millisOfIsoString("1969-12-31T23:00:00-0100") == 0);
    CHECK(ej::millisOfIsoString("9999-12-31T23:59:59.999Z") == 253402300799999);
    CHECK(ej::millisOfIsoString("0000-01-01T00:00:00Z") == -62167219200000);
    CHECK_FALSE(ej::millisOfIsoString(""));
    CHECK_FALSE(ej::millisOfIsoString("1900-02-29T00:00:00Z"));
    CHECK(ej::millisOfIsoString("2000-02-29T00:00:00Z") == 951782400000);
    CHECK_FALSE(ej::millisOfIsoString("2021-04-31T00:00:00Z"));
    CHECK_FALSE(ej::millisOfIsoString("2021-01-01T00:00:60Z"));
    CHECK_FALSE(ej::millisOfIsoString("2021-01-01 00:00:00Z"));
    CHECK_FALSE(ej::millisOfIsoString("+275760-09-13T00:00:00.000Z"));
  }
  SECTION("every day of 400 years round-trips through both") {
    for (std::int64_t day = -365 * 200; day < 365 * 200; ++day) {
      const std::int64_t ms = day * 86400000 + 45296789;  // 12:34:56.789
      const std::optional<std::string> iso = ej::isoStringOfMillis(ms);
      REQUIRE(iso);
      REQUIRE(ej::millisOfIsoString(*iso) == ms);
    }
  }
}

TEST_CASE("the core's building blocks, as the value walk calls them") {
  CHECK(ej::isWrapperKey("$oid"));
  CHECK(ej::isWrapperKey("$"));
  CHECK_FALSE(ej::isWrapperKey(""));
  CHECK_FALSE(ej::isWrapperKey("oid$"));
  ej::Operand member;
  member.kind = ej::Operand::Kind::kStringMember;
  member.name = "$numberLong";
  member.text = "86400000";
  const ej::Replacement date = ej::convertWrapper("$date", 1, member);
  CHECK(date.kind == ej::Replacement::Kind::kString);
  CHECK(date.string == "1970-01-02T00:00:00.000Z");
  CHECK_THROWS_AS(ej::convertWrapper("$date", 2, member), cc::Error);
  CHECK_THROWS_AS(ej::convertWrapper("$numberLong", 1, member), cc::Error);
  CHECK_NOTHROW(ej::checkDepth(cc::kMaxJsonDepth - 1));
  CHECK_THROWS_AS(ej::checkDepth(cc::kMaxJsonDepth), cc::Error);
}
