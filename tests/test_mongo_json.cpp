// The mongoexport helpers of the CLI: locating a field in a line (export_line.hpp), exact int64
// (exact_int64.hpp). The Extended JSON conversion is the library's: tests/test_extended_json.cpp.
#include "exact_int64.hpp"
#include "export_line.hpp"
#include "rewrap.hpp"
#include "test_support.hpp"

using namespace connector_crypto::cli;

TEST_CASE("withExactInt64 wraps the integers a double cannot hold, nothing else") {
  CHECK(withExactInt64(R"({"a":9007199254740991,"b":9007199254740992,"s":"9007199254740993"})") ==
        R"({"a":9007199254740991,"b":{"$numberLong":"9007199254740992"},"s":"9007199254740993"})");
  CHECK(withExactInt64("[-9223372036854775808,9223372036854775808,1e300,-9007199254740993.0]") ==
        R"([{"$numberLong":"-9223372036854775808"},9223372036854775808,1e300,-9007199254740993.0])");
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
