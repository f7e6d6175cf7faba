// The hostile-input matrix for the CLI: one row per argument list, with its exit code; failures
// print nothing on stdout and never a key. Rows for the mongoexport-line commands join this file
// when those commands exist; today the CLI takes arguments only (keygen).
#include <sstream>

#include "cli.hpp"
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
      {{"keygen", "--format", "env", "--kid", kKeyA},                     0},
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
