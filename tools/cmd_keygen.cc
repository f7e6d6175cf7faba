// keygen: mint a new key.
#include <ostream>
#include <string_view>

#include "cli_common.hpp"
#include "connector_crypto/connector_crypto.hpp"

namespace connector_crypto {
namespace cli {
namespace {

constexpr const char* kKeygenHelp =
    "usage: connector-crypto keygen [--kid KID] [--format raw|env]\n"
    "\n"
    "Mints a new AES-256 key: 32 bytes from OpenSSL RAND_bytes, as standard base64.\n"
    "  --format raw   the key and a newline (default)\n"
    "  --format env   CONNECTOR_CRED_KEY=<key> and CONNECTOR_CRED_KID=<kid> lines: POSIX sh\n"
    "                 syntax ('set -a; . FILE'), unquoted, so also a docker --env-file\n"
    "  --kid KID      the kid for --format env (default v1): 1 to 64 letters, digits, '.', '_'\n"
    "                 or '-' (a plain sh word, never quoted; anything else is refused)\n"
    "The output is a secret: put it in your secrets manager, not in a log.\n"
    "Exit 0 done; 1 standard output could not be written (the key is lost); 2 usage error.\n";
static_assert(std::string_view(kDefaultKid) == "v1", "the --kid default in kKeygenHelp");

int runKeygen(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
              const CliEnv&) {
  std::string kid = kDefaultKid;
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
  if (const char* problem = kidProblem(kid)) {
    return usageError(err, "keygen", std::string("--kid ") + problem);
  }
  if (!isPlainKid(kid)) {
    return usageError(err, "keygen", std::string("--kid must be ") + kPlainKidRule);
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

}  // namespace

Command keygenCommand() {
  return {"keygen", "mint a new base64 32-byte key", kKeygenHelp, runKeygen};
}

}  // namespace cli
}  // namespace connector_crypto
