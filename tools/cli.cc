#include "cli.hpp"

#include <cstdlib>
#include <iostream>
#include <optional>

#include "connector_crypto/connector_crypto.hpp"
#include "connector_crypto/detail/base64.hpp"

namespace connector_crypto {
namespace cli {
namespace {

// One subcommand: its name, a one-line summary, its --help text and its body.
struct Command {
  const char* name;
  const char* summary;
  const char* help;
  int (*run)(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
             const CliEnv& env);
};

constexpr const char* kKeygenHelp =
    "usage: connector-crypto keygen [--kid KID] [--format raw|env]\n"
    "\n"
    "Mints a new AES-256 key: 32 bytes from OpenSSL RAND_bytes, as standard base64.\n"
    "  --format raw   the key and a newline (default)\n"
    "  --format env   CONNECTOR_CRED_KEY=<key> and CONNECTOR_CRED_KID=<kid> lines for a .env file\n"
    "  --kid KID      the kid for --format env (default v1)\n"
    "The output is a secret: put it in your secrets manager, not in a log.\n";

int usageError(std::ostream& err, const std::string& command, const std::string& message) {
  err << "connector-crypto " << command << ": " << message << "\n"
      << "Run 'connector-crypto " << command << " --help' for usage.\n";
  return kExitUsage;
}

int runKeygen(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
              const CliEnv&) {
  std::string kid = "v1";
  std::string format = "raw";
  bool kidGiven = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--kid" || a == "--format") && i + 1 >= args.size()) {
      return usageError(err, "keygen", a + " needs a value");
    }
    if (a == "--kid") {
      kid = args[++i];
      kidGiven = true;
    } else if (a == "--format") {
      format = args[++i];
    } else {
      return usageError(err, "keygen", "unexpected argument '" + a + "'");
    }
  }
  if (format != "raw" && format != "env") {
    return usageError(err, "keygen", "--format must be raw or env");
  }
  if (kidGiven && format != "env") return usageError(err, "keygen", "--kid needs --format env");
  if (!isValidKid(kid)) {
    return usageError(err, "keygen",
                      "--kid must be 1 to 64 printable ASCII characters without spaces");
  }
  std::string key = generateKeyBase64();
  if (format == "raw") {
    out << key << "\n";
  } else {
    out << "CONNECTOR_CRED_KEY=" << key << "\nCONNECTOR_CRED_KID=" << kid << "\n";
  }
  detail::secureWipe(key.data(), key.size());
  return kExitOk;
}

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"keygen", "mint a new base64 32-byte key", kKeygenHelp, runKeygen},
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
