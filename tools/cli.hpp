// The connector-crypto command line, as a function tests can call (tink-cc examples/aead/aead_cli.cc).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "connector_crypto/keyring.hpp"

namespace connector_crypto {
namespace cli {

// Exit codes of every subcommand.
enum ExitCode : int {
  kExitOk = 0,
  kExitDataError = 1,
  kExitUsage = 2,
  kExitSkipped = 3,
};

// What a run reads besides its arguments; defaults are the process's own.
struct CliEnv {
  std::istream* in = nullptr;       // standard input; nullptr means std::cin
  EnvLookup env;                    // environment variables; empty means the process environment
  bool stderrIsTerminal = false;    // draw a progress bar on err
};

// Runs one command line (args excludes the program name); returns the exit code. Never throws
// (std::bad_alloc aside): every error is reported on err. Flushes out and, when any write to it
// failed, says so on err and returns kExitDataError (or the command's own failure code).
int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const CliEnv& env = {});

}  // namespace cli
}  // namespace connector_crypto
