// connector-crypto: thin main over runCli.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  connector_crypto::cli::CliEnv env;
  env.stderrIsTerminal = ::isatty(STDERR_FILENO) == 1;
  const int code = connector_crypto::cli::runCli(args, std::cout, std::cerr, env);
  std::cout.flush();
  return code;
}
