#include "cli_common.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace cli {

int usageError(std::ostream& err, const std::string& command, const std::string& message) {
  err << "connector-crypto " << command << ": " << message << "\n"
      << "Run 'connector-crypto " << command << " --help' for usage.\n";
  return kExitUsage;
}

int fail(std::ostream& err, const std::string& command, const std::string& message, int code) {
  err << "connector-crypto " << command << ": " << message << "\n";
  return code;
}

EnvLookup lookupOf(const CliEnv& env) {
  if (env.env) return env.env;
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Keyring keyringOf(const CliEnv& env) { return keyringFromEnv(lookupOf(env)); }

std::optional<Input> openInput(const std::string& path, const CliEnv& env, std::ostream& err,
                               const std::string& command) {
  Input in;
  if (path.empty() || path == "-") {
    in.stream = env.in != nullptr ? env.in : &std::cin;
    in.name = "standard input";
    return in;
  }
  in.name = path;
  in.file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in.file) {
    fail(err, command, "cannot open \"" + path + "\"", kExitUsage);
    return std::nullopt;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    in.size = static_cast<std::uint64_t>(st.st_size);
  }
  in.stream = in.file.get();
  return in;
}

bool readAll(std::istream& in, std::size_t maxBytes, SecretBuffer& out) {
  char chunk[65536];
  for (;;) {
    in.read(chunk, sizeof chunk);
    const auto got = static_cast<std::size_t>(in.gcount());
    if (out.size() + got > maxBytes) {
      detail::secureWipe(chunk, sizeof chunk);
      return false;
    }
    out.insert(out.end(), chunk, chunk + got);
    if (got < sizeof chunk) break;
  }
  detail::secureWipe(chunk, sizeof chunk);
  return !in.bad();
}

}  // namespace cli
}  // namespace connector_crypto
