#include "cli.hpp"

#include "cli_common.hpp"

#include <cstdlib>
#include <iostream>
#include <optional>

#include "connector_crypto/connector_crypto.hpp"

namespace connector_crypto {
namespace cli {
namespace {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      keygenCommand(),  checkCommand(),  encryptCommand(), decryptCommand(),
      inspectCommand(), rotateCommand(), auditCommand(),   rewrapCommand(),
  };
  return table;
}

void printHelp(std::ostream& out) {
  out << "usage: connector-crypto <command> [options]\n"
         "\n"
         "Envelope encryption of connector credentials (AES-256-GCM), wire-compatible with\n"
         "@octaviaflow/connector-crypto.\n"
         "\n"
         "commands:\n";
  for (const Command& c : commands()) {
    std::string name = c.name;
    name.resize(10, ' ');
    out << "  " << name << c.summary << "\n";
  }
  out << "\n"
         "  --help       this text ('connector-crypto <command> --help' for a command)\n"
         "  --version    the library version\n"
         "\n"
         "exit codes: 0 success; 1 data error, or output that could not be written (standard\n"
         "            output or -o FILE: the message names it); 2 usage or configuration error,\n"
         "            including an input that cannot be opened and an -o target refused;\n"
         "            3 finished with skipped records\n";
}

// Runs the command line without the final check of out.
int dispatch(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
             const CliEnv& env, std::string& name) {
  if (args.empty()) {
    printHelp(err);
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    printHelp(out);
    return kExitOk;
  }
  if (args[0] == "--version") {
    out << "connector-crypto " << kVersion << "\n";
    return kExitOk;
  }
  for (const Command& c : commands()) {
    if (args[0] != c.name) continue;
    name = c.name;
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const std::string& a : rest) {
      if (a == "--help" || a == "-h") {
        out << c.help;
        return kExitOk;
      }
    }
    try {
      return c.run(rest, out, err, env);
    } catch (const Error& e) {
      err << "connector-crypto " << c.name << ": " << e.what() << "\n";
      // A configuration or command line the user can fix is a usage error; the data's is exit 1.
      return exitCodeOf(e.code());
    } catch (const std::bad_alloc&) {
      err << "connector-crypto " << c.name << ": out of memory\n";
      return kExitDataError;
    } catch (const std::exception&) {
      // Never forward what(): a parser's message quotes its input.
      err << "connector-crypto " << c.name << ": internal error\n";
      return kExitDataError;
    }
  }
  err << "connector-crypto: unknown command '" << args[0] << "'\n"
      << "Run 'connector-crypto --help' for the list of commands.\n";
  return kExitUsage;
}

}  // namespace

int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const CliEnv& env) {
  std::string name;
  const int code = dispatch(args, out, err, env, name);
  // Every write of every command to out, checked and reported here only: the stream's error
  // state is sticky. A command that fails for another reason keeps its exit code.
  if (out.flush() && !out.fail()) return code;
  err << "connector-crypto" << (name.empty() ? "" : " " + name) << ": " << kCannotWriteStdout
      << "\n";
  return code == kExitOk || code == kExitSkipped ? kExitDataError : code;
}

}  // namespace cli
}  // namespace connector_crypto
