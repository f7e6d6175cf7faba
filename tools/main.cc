// connector-crypto: thin main over runCli.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  connector_crypto::cli::CliEnv env;
  env.stderrIsTerminal = ::isatty(STDERR_FILENO) == 1;
  int code = connector_crypto::cli::runCli(args, std::cout, std::cerr, env);  // flushes std::cout
  // The final close of the real standard output can still fail (NFS, a full disk with delayed
  // allocation). EBADF: the caller closed stdout; a write to it has already failed in runCli.
  if (std::fclose(stdout) != 0 && errno != EBADF) {
    const int reason = errno;
    if (code == connector_crypto::cli::kExitOk || code == connector_crypto::cli::kExitSkipped) {
      std::cerr << "connector-crypto: cannot close standard output (" << std::strerror(reason)
                << "); the output may be incomplete\n";
      code = connector_crypto::cli::kExitDataError;
    }
  }
  return code;
}
