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
         "exit codes: 0 success, 1 data error, 2 usage or configuration error,\n"
         "            3 finished with skipped records\n";
}

}  // namespace

int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const CliEnv& env) {
  if (args.empty()) {
    printHelp(err);
    return kExitUsage;
  }
  const std::string& name = args[0];
  if (name == "--help" || name == "-h" || name == "help") {
    printHelp(out);
    return kExitOk;
  }
  if (name == "--version") {
    out << "connector-crypto " << kVersion << "\n";
    return kExitOk;
  }
  for (const Command& c : commands()) {
    if (name != c.name) continue;
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
      return dynamic_cast<const KeyringError*>(&e) != nullptr &&
                     dynamic_cast<const UnknownKidError*>(&e) == nullptr
                 ? kExitUsage
                 : kExitDataError;
    } catch (const std::bad_alloc&) {
      err << "connector-crypto " << c.name << ": out of memory\n";
      return kExitDataError;
    } catch (const std::exception&) {
      // Never forward what(): a parser's message quotes its input.
      err << "connector-crypto " << c.name << ": internal error\n";
      return kExitDataError;
    }
  }
  err << "connector-crypto: unknown command '" << name << "'\n"
      << "Run 'connector-crypto --help' for the list of commands.\n";
  return kExitUsage;
}

}  // namespace cli
}  // namespace connector_crypto
