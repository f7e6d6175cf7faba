// The mongoexport helpers of the CLI: Extended JSON conversion, dates, locating a field.
#include "mongo_json.hpp"
#include "rewrap.hpp"
#include "test_support.hpp"

using namespace connector_crypto::cli;

TEST_CASE("Extended JSON wrappers become what JSON.stringify of the driver's objects gives") {
  auto convert = [](const std::string& text) {
    nlohmann::json v = nlohmann::json::parse(text);
    const std::string error = convertExtendedJson(v);
    INFO("error: " << error);
    REQUIRE(error.empty());
    return v.dump();
  };
  CHECK(convert(R"({"$date":"2021-03-04T10:15:30Z"})") == R"("2021-03-04T10:15:30.000Z")");
  CHECK(convert(R"({"$date":"2021-03-04T10:15:30.5+01:30"})") == R"("2021-03-04T08:45:30.500Z")");
  CHECK(convert(R"({"$date":"2021-03-04T10:15:30.123456Z"})") == R"("2021-03-04T10:15:30.123Z")");
  CHECK(convert(R"({"$date":{"$numberLong":"0"}})") == R"("1970-01-01T00:00:00.000Z")");
  CHECK(convert(R"({"$date":{"$numberLong":"-62198755200000"}})") ==
        R"("-000001-01-01T00:00:00.000Z")");
  CHECK(convert(R"({"$date":{"$numberLong":"253402300800000"}})") ==
        R"("+010000-01-01T00:00:00.000Z")");
  CHECK(convert(R"({"$numberLong":"-9223372036854775808"})") == "-9223372036854775808");
  CHECK(convert(R"({"$numberInt":"2147483647"})") == "2147483647");
  CHECK(convert(R"({"$numberDouble":"1.5"})") == "1.5");
  CHECK(convert(R"({"$numberDouble":"-Infinity"})") == "null");
  CHECK(convert(R"({"$numberDouble":"NaN"})") == "null");
  CHECK(convert(R"({"$oid":"5F1D7F1A2B3C4D5E6F708192"})") == R"("5f1d7f1a2b3c4d5e6f708192")");
  CHECK(convert(R"([{"a":{"$numberInt":"1"}},{"b":[{"$oid":"000000000000000000000000"}]}])") ==
        R"([{"a":1},{"b":["000000000000000000000000"]}])");
  CHECK(convert(R"({"plain":{"x":"$not-a-key"}})") == R"({"plain":{"x":"$not-a-key"}})");

  auto error = [](const std::string& text) {
    nlohmann::json v = nlohmann::json::parse(text);
    return convertExtendedJson(v);
  };
  CHECK(error(R"({"$binary":{"base64":"AA==","subType":"00"}})") ==
        "the Extended JSON wrapper \"$binary\" has no JSON.stringify equivalent");
  CHECK(error(R"({"a":{"$numberDecimal":"1.0"}})") ==
        "the Extended JSON wrapper \"$numberDecimal\" has no JSON.stringify equivalent");
  CHECK(error(R"({"$where":"secret-ish"})") ==
        "an object with a '$'-prefixed key (not a supported Extended JSON wrapper)");
  CHECK(error(R"({"$date":"2021-02-29T00:00:00Z"})") ==
        "a malformed or out-of-range Extended JSON \"$date\"");
  CHECK(error(R"({"$date":{"$numberLong":"8640000000000001"}})") ==
        "a malformed or out-of-range Extended JSON \"$date\"");
  CHECK(error(R"({"$numberInt":"2147483648"})") == "a malformed Extended JSON \"$numberInt\"");
  CHECK(error(R"({"$numberLong":"12x"})") == "a malformed Extended JSON \"$numberLong\"");
  CHECK(error(R"({"$numberDouble":"0x10"})") == "a malformed Extended JSON \"$numberDouble\"");
  CHECK(error(R"({"$oid":"xyz"})") == "a malformed Extended JSON \"$oid\"");
  CHECK(error(R"({"$oid":"000000000000000000000000","b":1})") ==
        "the Extended JSON wrapper \"$oid\" has extra members");
}

TEST_CASE("locate finds _id and a field's bytes in a valid line") {
  const FieldPath path = *parseFieldPath("config.auth");
  const std::string line =
      R"({ "_id" : {"$oid":"x"}, "s":"}{\"config\"", "config" : {"a":[1,{"auth":2}], "auth" : {"k":"v"} } })";
  REQUIRE(isValidJson(line));
  const Located at = locate(line, path);
  REQUIRE(at.isObject);
  REQUIRE(at.id);
  CHECK(at.id->of(line) == R"({"$oid":"x"})");
  REQUIRE(at.field);
  CHECK(at.field->of(line) == R"({"k":"v"})");
  CHECK(at.duplicate.empty());

  CHECK(locate(R"({"config":{"auth":1,"auth":2}})", path).duplicate == "config.auth");
  CHECK(locate(R"({"_id":1,"_id":2})", path).duplicate == "_id");
  CHECK_FALSE(locate(R"({"config":[1]})", path).field);
  CHECK_FALSE(locate("[1]", path).isObject);
  CHECK(locate(R"({"conf\u0069g":{"auth":true}})", path)
            .field->of(R"({"conf\u0069g":{"auth":true}})") == "true");

  CHECK_FALSE(parseFieldPath(""));
  CHECK_FALSE(parseFieldPath("a."));
  CHECK_FALSE(parseFieldPath(".a"));
  CHECK_FALSE(parseFieldPath("a.$b"));
  CHECK(parseFieldPath("a.b.c")->segments == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("isValidJson refuses what is not one JSON value, and nesting deeper than 512") {
  CHECK(isValidJson(" {\"a\":[1,2]} \r"));
  CHECK_FALSE(isValidJson("{\"a\":1} x"));
  CHECK_FALSE(isValidJson("{\"a\":\"\xff\"}"));
  CHECK_FALSE(isValidJson(""));
  CHECK(isValidJson(std::string(512, '[') + std::string(512, ']')));
  CHECK_FALSE(isValidJson(std::string(513, '[') + std::string(513, ']')));
}

TEST_CASE("rewrapRecord never quotes a value in its reasons") {
  const auto keyring = test_support::keyringV1V2("v2");
  RewrapConfig config;
  config.path = *parseFieldPath("credentials");
  const RecordResult noId = rewrapRecord(R"({"credentials":{"token":"tok-x"}})", config, keyring);
  CHECK(noId.status == RecordResult::Status::kUnreadable);
  CHECK(noId.reason == "credentials: needs rewrapping but the document has no _id");
  const RecordResult badUtf8 =
      rewrapRecord("{\"_id\":1,\"credentials\":{\"$where\":\"tok-x\"}}", config, keyring);
  CHECK(badUtf8.status == RecordResult::Status::kUnreadable);
  CHECK(badUtf8.reason.find("tok-x") == std::string::npos);
  const RecordResult notObject = rewrapRecord("[1]", config, keyring);
  CHECK(notObject.reason == "not a JSON object (a document)");
  CHECK(rewrapRecord("  \r", config, keyring).status == RecordResult::Status::kBlank);
}
