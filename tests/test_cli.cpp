// The connector-crypto CLI through runCli: keygen, --help, --version, usage errors.
#include <sstream>

#include "cli.hpp"
#include "test_support.hpp"

using connector_crypto::cli::runCli;

namespace {
struct Run {
  int code;
  std::string out, err;
};
Run run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
  std::ostringstream out, err;
  std::istringstream in;
  connector_crypto::cli::CliEnv cliEnv;
  cliEnv.in = &in;
  cliEnv.env = test_support::envOf(env);
  const int code = runCli(args, out, err, cliEnv);
  return {code, out.str(), err.str()};
}
}  // namespace

TEST_CASE("keygen prints one fresh base64 32-byte key") {
  const Run a = run({"keygen"}), b = run({"keygen"});
  REQUIRE(a.code == 0);
  CHECK(a.err.empty());
  REQUIRE(a.out.size() == 45);
  CHECK(a.out.back() == '\n');
  const std::string key = a.out.substr(0, 44);
  CHECK(connector_crypto::Keyring::fromBase64({{"v1", key}}, "v1").contains("v1"));
  CHECK(a.out != b.out);

  SECTION("--format env") {
    const Run r = run({"keygen", "--format", "env", "--kid", "v7"});
    REQUIRE(r.code == 0);
    REQUIRE(r.out.size() == std::string("CONNECTOR_CRED_KEY=\nCONNECTOR_CRED_KID=v7\n").size() + 44);
    CHECK(r.out.rfind("CONNECTOR_CRED_KEY=", 0) == 0);
    CHECK(r.out.substr(19 + 44) == "\nCONNECTOR_CRED_KID=v7\n");
  }
}

TEST_CASE("usage errors exit 2") {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {}, {"nonsense"}, {"keygen", "--bogus"}, {"keygen", "--format"},
           {"keygen", "--format", "pem"}, {"keygen", "--format", "env", "--kid", "bad kid"},
           {"keygen", "--kid", "v2"}}) {
    const Run r = run(args);
    INFO("args: " << args.size());
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK_FALSE(r.err.empty());
  }
}

TEST_CASE("--help and --version") {
  const Run help = run({"--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("keygen") != std::string::npos);
  const Run keygenHelp = run({"keygen", "--help"});
  CHECK(keygenHelp.code == 0);
  CHECK(keygenHelp.out.rfind("usage: connector-crypto keygen", 0) == 0);
  const Run version = run({"--version"});
  CHECK(version.code == 0);
  CHECK(version.out == std::string("connector-crypto ") + connector_crypto::kVersion + "\n");
}

TEST_CASE("keygen --kid refuses a key as the kid, without printing it") {
  for (const std::string& kid : test_support::keyShapedKids()) {
    INFO("kid of " << kid.size() << " characters");
    const Run r = run({"keygen", "--format", "env", "--kid", kid});
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(
        r.err.rfind("connector-crypto keygen: --kid must not be a key: it decodes as base64 to 32 "
                    "bytes, and every envelope stores its kid in clear (name keys v1, v2, ...)\n",
                    0) == 0);
    CHECK(r.err.find(kid) == std::string::npos);
  }
  const Run descriptive =
      run({"keygen", "--format", "env", "--kid", "prod-connector-credentials-primary-key-2024"});
  CHECK(descriptive.code == 0);
}
