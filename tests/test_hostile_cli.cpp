// The hostile-input matrix for the CLI: one row per argument list, with its exit code (failures
// print nothing on stdout and never a key), and one row per mongoexport line through the rewrap
// record handler, with its outcome (the output never holds the plaintext, a reason never a secret).
#include <sstream>

#include "cli.hpp"
#include "rewrap.hpp"
#include "test_support.hpp"

using namespace test_support;

// The tables below are laid out by hand, one row per line.
// clang-format off
TEST_CASE("hostile matrix: CLI input") {
  struct CliRow {
    std::vector<std::string> args;
    int exitCode;
  };
  const std::vector<CliRow> rows = {
      // arguments                                                        exit code
      {{""},                                                              2},
      {{"keygen", ""},                                                    2},
      {{"keygen", "--kid"},                                               2},
      {{"keygen", "--format", "env", "--kid", ""},                        2},
      {{"keygen", "--format", "env", "--kid", std::string(65, 'k')},      2},
      {{"keygen", "--format", "env", "--kid", "v\xc3\xa9"},               2},
      {{"keygen", "--format", "env", "--kid", std::string("v1\0", 3)},    2},
      {{"keygen", "--format", "env", "--kid", "v1\nCONNECTOR_CRED_KEY=x"}, 2},
      {{"keygen", "--format", "env", "--kid", kKeyA},                     2},
      {{"keygen", "--format", "env", "--kid", "v1;touch${IFS}/tmp/pwned"}, 2},
      {{"keygen", "--format", "env", "--kid", "$(id)"},                   2},
      {{"keygen", "--format", "ENV"},                                     2},
      {{"keygen", "--format", std::string(1 << 16, 'x')},                 2},
      {{"keygen", "--format", "env", "--format", "raw"},                  0},
      {{"keygen", "extra"},                                               2},
      {{"keygen\n"},                                                      2},
      {{"--kid", "v1", "keygen"},                                         2},
  };
  for (const CliRow& row : rows) {
    std::string shown;
    for (const std::string& a : row.args) shown += "[" + a.substr(0, 40) + "] ";
    INFO("args: " << shown);
    std::ostringstream out, err;
    std::istringstream in;
    connector_crypto::cli::CliEnv cliEnv;
    cliEnv.in = &in;
    cliEnv.env = envOf({{"CONNECTOR_CRED_KEY", kKeyB}});
    const int code = connector_crypto::cli::runCli(row.args, out, err, cliEnv);
    CHECK(code == row.exitCode);
    if (code != 0) {
      CHECK(out.str().empty());
      CHECK_FALSE(err.str().empty());
    }
    // keygen never reads the environment's key, so it never prints it.
    requireNoSecret(out.str() + err.str(), {kKeyB});
  }
}
// clang-format on

namespace {

using Status = connector_crypto::cli::RecordResult::Status;

const char* statusName(Status s) {
  switch (s) {
    case Status::kBlank: return "blank";
    case Status::kUnchanged: return "unchanged";
    case Status::kChanged: return "changed";
    case Status::kUnreadable: return "unreadable";
  }
  return "?";
}

// A line {"_id":1,"credentials":<value>} (value as JSON text).
std::string doc(const std::string& value) { return "{\"_id\":1,\"credentials\":" + value + "}"; }

// The v1 envelope of {"token":"s3cret-token"} with one member replaced by `member` (JSON text).
std::string envelopeWith(const std::string& name, const std::string& member) {
  nlohmann::json e = connector_crypto::encryptCredentials({{"token", "s3cret-token"}}, keyringV1());
  e[name] = nlohmann::json::parse(member);
  return e.dump();
}

}  // namespace

// clang-format off
TEST_CASE("hostile matrix: mongoexport lines through rewrap") {
  const auto keyring = keyringV1V2("v2");
  const std::string oldEnvelope =
      connector_crypto::encryptCredentials({{"token", "s3cret-token"}}, keyringV1()).dump();
  const std::string activeEnvelope =
      connector_crypto::encryptCredentials({{"token", "s3cret-token"}}, keyring).dump();
  std::string tampered = oldEnvelope;
  tampered[tampered.find("\"ct\":\"") + 6] ^= 1;
  struct LineRow {
    const char* name;
    std::string line;
    Status expected;
  };
  const std::vector<LineRow> rows = {
      // name                                   line                                                                  outcome
      {"blank",                                 "   ",                                                                    Status::kBlank},
      {"plaintext object",                      doc("{\"token\":\"s3cret-token\"}"),                                  Status::kChanged},
      {"plaintext bare string",                 doc("\"s3cret-token\""),                                               Status::kChanged},
      {"envelope inside an array: plaintext",   doc("[" + oldEnvelope + "]"),                                         Status::kChanged},
      {"envelope as a JSON string: plaintext",  doc(nlohmann::json(oldEnvelope).dump()),                             Status::kChanged},
      {"old kid",                               doc(oldEnvelope),                                                     Status::kChanged},
      {"active kid",                            doc(activeEnvelope),                                                  Status::kUnchanged},
      {"null",                                  doc("null"),                                                          Status::kUnchanged},
      {"missing field",                         "{\"_id\":1,\"name\":\"x\"}",                                          Status::kUnchanged},
      {"Extended JSON $date in plaintext",      doc("{\"token\":\"s3cret-token\",\"at\":{\"$date\":\"2026-01-01T00:00:00Z\"}}"), Status::kChanged},
      {"unknown $-wrapper in plaintext",        doc("{\"token\":\"s3cret-token\",\"r\":{\"$regex\":\"x\"}}"),       Status::kUnreadable},
      {"not JSON",                              "{\"_id\":1,\"credentials\":{\"token\":\"s3cret-token\"",                 Status::kUnreadable},
      {"trailing garbage",                      doc("{\"token\":\"s3cret-token\"}") + " x",                           Status::kUnreadable},
      {"invalid UTF-8 in a string",             doc(std::string("{\"token\":\"s3cret-token\xff\"}")),          Status::kUnreadable},
      {"NUL byte after the document",           doc("{\"token\":\"s3cret-token\"}") + std::string(1, '\0') + "x",       Status::kUnreadable},
      {"top-level array",                       "[" + doc("null") + "]",                                              Status::kUnreadable},
      {"top-level string",                      "\"s3cret-token\"",                                                    Status::kUnreadable},
      {"duplicate credentials field",           "{\"_id\":1,\"credentials\":{\"token\":\"s3cret-token\"},\"credentials\":null}", Status::kUnreadable},
      {"nesting deeper than 512",               doc(std::string(600, '[') + std::string(600, ']')),                   Status::kUnreadable},
      {"__enc 2",                               doc(envelopeWith("__enc", "2")),                                      Status::kUnreadable},
      {"__enc \"1\"",                           doc(envelopeWith("__enc", "\"1\"")),                                  Status::kUnreadable},
      {"__enc true",                            doc(envelopeWith("__enc", "true")),                                   Status::kUnreadable},
      {"__enc null",                            doc(envelopeWith("__enc", "null")),                                   Status::kUnreadable},
      {"__enc canonical Extended JSON: read as the export's int32 1", doc(envelopeWith("__enc", "{\"$numberInt\":\"1\"}")), Status::kChanged},
      {"iv of 8 bytes",                         doc(envelopeWith("iv", "\"AAAAAAAAAAA=\"")),                          Status::kUnreadable},
      {"iv URL-safe",                           doc(envelopeWith("iv", "\"AAAAAAAAAAAAAAA-\"")),                      Status::kUnreadable},
      {"ct of 10 bytes",                        doc(envelopeWith("ct", "\"AAAAAAAAAAAAAA==\"")),                      Status::kUnreadable},
      {"ct a number",                           doc(envelopeWith("ct", "1")),                                         Status::kUnreadable},
      {"kid unknown",                           doc(envelopeWith("kid", "\"v9\"")),                                   Status::kUnreadable},
      {"kid empty",                             doc(envelopeWith("kid", "\"\"")),                                     Status::kUnreadable},
      {"kid swapped to the active kid",         doc(envelopeWith("kid", "\"v2\"")),                                   Status::kUnchanged},
      {"tampered ct",                           doc(tampered),                                                        Status::kUnreadable},
      {"envelope nested in an envelope",        doc(envelopeWith("ct", oldEnvelope)),                                 Status::kUnreadable},
  };
  connector_crypto::cli::RewrapConfig config;
  config.path = *connector_crypto::cli::parseFieldPath("credentials");
  for (const auto format : {connector_crypto::cli::RewrapFormat::kDocuments,
                            connector_crypto::cli::RewrapFormat::kUpdates}) {
    for (const LineRow& row : rows) {
      INFO("row: " << row.name);
      const auto result = connector_crypto::cli::rewrapRecord(row.line, config, keyring);
      CHECK(std::string(statusName(result.status)) == statusName(row.expected));
      // New envelopes never carry the plaintext (an update's plaintext filter holds the exported
      // value, docs/ROTATION.md); reasons never quote a value or a key.
      CHECK(result.reason.find("s3cret-token") == std::string::npos);
      requireNoSecret(result.output + result.reason, {kKeyA, kKeyB});
      if (format == connector_crypto::cli::RewrapFormat::kDocuments ||
          result.status != Status::kChanged) {
        CHECK(result.output.find("s3cret-token") == std::string::npos);
      }
      if (result.status == Status::kChanged) {
        const auto out = nlohmann::json::parse(result.output);
        if (format == connector_crypto::cli::RewrapFormat::kUpdates) {
          CHECK(out.at("update").dump().find("s3cret-token") == std::string::npos);
          const auto& filter = out.at("filter");
          REQUIRE(filter.size() == 2);
          const auto exported = nlohmann::json::parse(row.line).at("credentials");
          if (filter.contains("credentials.ct")) {
            CHECK(filter.at("credentials.ct") == exported.at("ct"));
          } else {
            CHECK(filter.at("$expr") ==
                  nlohmann::json({{"$eq", {"$credentials", {{"$literal", exported}}}}}));
          }
        }
        const auto& value = format == connector_crypto::cli::RewrapFormat::kDocuments
                                ? out.at("credentials")
                                : out.at("update").at("$set").at("credentials");
        CHECK(value.at("kid") == "v2");
        // The new envelope holds the exported value (Extended JSON wrappers converted).
        const auto decrypted = connector_crypto::decryptCredentials(value, keyring);
        const auto exported = nlohmann::json::parse(row.line).at("credentials");
        CHECK((decrypted == exported || decrypted.dump().find("s3cret-token") != std::string::npos));
      }
    }
    config.format = connector_crypto::cli::RewrapFormat::kUpdates;
  }
}
// clang-format on
