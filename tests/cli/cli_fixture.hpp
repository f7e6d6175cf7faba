// Fixtures for the CLI tests: running runCli, temporary folders, generated mongoexport files.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "test_support.hpp"

namespace cli_fixture {

struct Run {
  int code;
  std::string out, err;
};

// The keyring every CLI test runs under: v1 (key A) and v2 (key B), v2 active.
inline std::map<std::string, std::string> envV1V2(const std::string& active = "v2") {
  return {{"CONNECTOR_CRED_KEYS",
           "{\"v1\":\"" + test_support::kKeyA + "\",\"v2\":\"" + test_support::kKeyB + "\"}"},
          {"CONNECTOR_CRED_ACTIVE_KID", active}};
}

// envV1V2 with CONNECTOR_CRED_BIND_CONTEXT=1 (and CONNECTOR_CRED_REQUIRE_CONTEXT=1 when require).
inline std::map<std::string, std::string> envBind(bool require = false,
                                                  const std::string& active = "v2") {
  std::map<std::string, std::string> env = envV1V2(active);
  env["CONNECTOR_CRED_BIND_CONTEXT"] = "1";
  if (require) env["CONNECTOR_CRED_REQUIRE_CONTEXT"] = "1";
  return env;
}

// What a command given --context options says once on standard error when the keyring does not
// bind (CONNECTOR_CRED_BIND_CONTEXT off): a writer (encrypt, rewrap), and a reader (decrypt,
// audit --verify).
inline std::string kWritesUnbound(const std::string& command) {
  return "connector-crypto " + command +
         ": binding is off (CONNECTOR_CRED_BIND_CONTEXT is not 1): envelopes are written unbound "
         "and the context binds nothing; set CONNECTOR_CRED_BIND_CONTEXT=1 to bind them\n";
}
inline std::string kReadsUnbound(const std::string& command) {
  return "connector-crypto " + command +
         ": binding is off (CONNECTOR_CRED_BIND_CONTEXT is not 1): envelopes are written "
         "unbound, and an unbound envelope opens under any context (the context is checked "
         "against bound envelopes only); set CONNECTOR_CRED_BIND_CONTEXT=1 to bind, then "
         "CONNECTOR_CRED_REQUIRE_CONTEXT=1 to refuse unbound envelopes (docs/ROTATION.md)\n";
}

// Every key the tests use, to check that no output holds one.
inline std::vector<std::string> allKeys() {
  return {test_support::kKeyA, test_support::kKeyB, test_support::kKeyC};
}

inline Run run(const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env = envV1V2(),
               const std::string& stdinText = "") {
  std::ostringstream out, err;
  std::istringstream in(stdinText);
  connector_crypto::cli::CliEnv cliEnv;
  cliEnv.in = &in;
  cliEnv.env = test_support::envOf(env);
  const int code = connector_crypto::cli::runCli(args, out, err, cliEnv);
  return {code, out.str(), err.str()};
}

// args followed by more (a command line and its --context options).
inline std::vector<std::string> with(std::vector<std::string> args,
                                     const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// A fresh folder under TMPDIR, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/cc-cli-XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    REQUIRE(::mkdtemp(name.data()) != nullptr);
    path_ = name.data();
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void writeFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  REQUIRE(f.good());
}

inline std::string readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

inline bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    if (nl == std::string::npos) {
      out.push_back(text.substr(start));
      break;
    }
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

inline std::string oid(int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "5f1d7f1a2b3c4d5e6f%06x", n);
  return "{\"$oid\":\"" + std::string(buf) + "\"}";
}

// An envelope of value under kid with the given key (base64), as JSON text.
inline std::string envelopeText(const nlohmann::json& value, const std::string& kid,
                                const std::string& key) {
  const auto keyring = connector_crypto::Keyring::fromBase64({{kid, key}}, kid);
  return connector_crypto::encryptCredentials(value, keyring).dump();
}

// One record of a generated export, with what rewrap must do with it.
struct Record {
  std::string line;
  enum class Expect { kUnchanged, kFromPlaintext, kFromV1, kUnreadable } expect;
  nlohmann::json plaintext;  // kFromPlaintext / kFromV1: the value the new envelope must hold
};

// Plaintext, old kid, active kid, null, missing field, Extended JSON wrappers; `bad` adds a corrupt
// line, an unknown kid and an unsupported wrapper.
inline std::vector<Record> mixedExport(bool bad) {
  using E = Record::Expect;
  const nlohmann::json plain = {{"accessToken", "tok-plain-0001"}, {"user", "alice"}};
  const nlohmann::json old = {{"accessToken", "tok-old-0002"}, {"scopes", {"a", "b"}}};
  const nlohmann::json current = {{"accessToken", "tok-current-0003"}};
  std::vector<Record> r;
  r.push_back({"{\"_id\":" + oid(1) + ",\"name\":\"plain\",\"credentials\":" + plain.dump() +
                   ",\"createdAt\":{\"$date\":\"2024-01-02T03:04:05.678Z\"},\"n\":1.5}",
               E::kFromPlaintext, plain});
  r.push_back({"{\"_id\":" + oid(2) + ",\"name\":\"old\",\"credentials\":" +
                   envelopeText(old, "v1", test_support::kKeyA) + ",\"type\":\"github\"}",
               E::kFromV1, old});
  r.push_back({"{\"_id\":" + oid(3) + ",\"name\":\"current\",\"credentials\":" +
                   envelopeText(current, "v2", test_support::kKeyB) + "}",
               E::kUnchanged, nullptr});
  r.push_back(
      {"{\"_id\":" + oid(4) + ",\"name\":\"null\",\"credentials\":null}", E::kUnchanged, nullptr});
  r.push_back({"{\"_id\":" + oid(5) + ",\"name\":\"missing\",\"config\":{\"x\":1}}", E::kUnchanged,
               nullptr});
  r.push_back(
      {"{\"_id\":" + oid(6) +
           ",\"name\":\"ext\",\"credentials\":{\"expiresAt\":{\"$date\":\"2021-03-04T10:15:30Z\"},"
           "\"big\":{\"$numberLong\":\"9007199254740993\"},\"i\":{\"$numberInt\":\"-7\"},"
           "\"d\":{\"$numberDouble\":\"Infinity\"},\"owner\":{\"$oid\":"
           "\"5F1D7F1A2B3C4D5E6F708192\"},"
           "\"old\":{\"$date\":{\"$numberLong\":\"-1000\"}}}}",
       E::kFromPlaintext,
       {{"expiresAt", "2021-03-04T10:15:30.000Z"},
        {"big", 9007199254740993LL},
        {"i", -7},
        {"d", nullptr},
        {"owner", "5f1d7f1a2b3c4d5e6f708192"},
        {"old", "1969-12-31T23:59:59.000Z"}}});
  r.push_back({"{ \"_id\" : " + oid(7) +
                   " , \"name\" : \"spaced\\u00e9\" , \"credentials\" : \"just-a-string\" }",
               E::kFromPlaintext, "just-a-string"});
  if (bad) {
    r.push_back({"{\"_id\":" + oid(8) + ",\"name\":\"corrupt\",\"credentials\":{\"a\":",
                 E::kUnreadable, nullptr});
    r.push_back({"{\"_id\":" + oid(9) + ",\"name\":\"unknown\",\"credentials\":" +
                     envelopeText({{"t", "tok-unknown-0009"}}, "v9", test_support::kKeyC) + "}",
                 E::kUnreadable, nullptr});
    r.push_back({"{\"_id\":" + oid(10) +
                     ",\"name\":\"binary\",\"credentials\":{\"k\":{\"$binary\":{\"base64\":\"AA=="
                     "\",\"subType\":\"00\"}}}}",
                 E::kUnreadable, nullptr});
  }
  return r;
}

inline std::string joinLines(const std::vector<Record>& records) {
  std::string out;
  for (const Record& r : records) out += r.line + "\n";
  return out;
}

}  // namespace cli_fixture
