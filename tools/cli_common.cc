#include "cli_common.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "atomic_file.hpp"
#include "connector_crypto/json_whitespace.hpp"
#include "connector_crypto/key_config.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace cli {

int usageError(std::ostream& err, const std::string& command, const std::string& message) {
  err << "connector-crypto " << command << ": " << message << "\n"
      << "Run 'connector-crypto " << command << " --help' for usage.\n";
  return kExitUsage;
}

int exitCodeOf(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kConfiguration:
    case ErrorCode::kInvalidContext:
    case ErrorCode::kContextRequired:
      return kExitUsage;
    default:
      return kExitDataError;
  }
}

int fail(std::ostream& err, const std::string& command, const std::string& message, int code) {
  err << "connector-crypto " << command << ": " << message << "\n";
  return code;
}

int outputFailure(std::ostream& err, const std::string& command, const AtomicFile& file) {
  return fail(err, command, file.error(), file.refused() ? kExitUsage : kExitDataError);
}

const char* const kCannotWriteStdout = "cannot write standard output; the output is incomplete";

EnvLookup lookupOf(const CliEnv& env) { return env.env ? env.env : processEnvLookup(); }

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
  errno = 0;
  in.file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in.file) {
    const int reason = errno;
    fail(err, command,
         "cannot open \"" + path + "\" (" +
             (reason != 0 ? std::strerror(reason) : "reason unknown") + ")",
         kExitUsage);
    return std::nullopt;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    // A folder opens for reading on Linux; every read then fails.
    if (S_ISDIR(st.st_mode)) {
      fail(err, command, "cannot read \"" + path + "\" (" + std::strerror(EISDIR) + ")",
           kExitUsage);
      return std::nullopt;
    }
    if (S_ISREG(st.st_mode)) {
      in.size = static_cast<std::uint64_t>(st.st_size);
      in.regular = true;
    }
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

const char* const kPlainKidRule = "1 to 64 letters, digits, '.', '_' or '-'";

bool isPlainKid(const std::string& kid) {
  if (!isValidKid(kid)) return false;
  for (char c : kid) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void noteContextWithoutBinding(std::ostream& err, const std::string& command,
                               const Keyring& keyring, bool writes) {
  if (keyring.options().bindContext) return;
  err << "connector-crypto " << command
      << ": binding is off (CONNECTOR_CRED_BIND_CONTEXT is not 1): "
      << (writes ? "envelopes are written unbound and the context binds nothing; set "
                   "CONNECTOR_CRED_BIND_CONTEXT=1 to bind them\n"
                 : "envelopes are written unbound, and an unbound envelope opens under any "
                   "context (the context is checked against bound envelopes only); set "
                   "CONNECTOR_CRED_BIND_CONTEXT=1 to bind, then CONNECTOR_CRED_REQUIRE_CONTEXT=1 "
                   "to refuse unbound envelopes (docs/ROTATION.md)\n");
}

bool looksLikeWholeFileJson(std::string_view firstLine) noexcept {
  while (!firstLine.empty() && isJsonWhitespace(firstLine.front())) firstLine.remove_prefix(1);
  while (!firstLine.empty() && isJsonWhitespace(firstLine.back())) firstLine.remove_suffix(1);
  return firstLine == "{" || (!firstLine.empty() && firstLine.front() == '[');
}

void printOneDocumentPerLineHint(std::ostream& err, const std::string& command) {
  err << "connector-crypto " << command
      << ": the input looks like a pretty-printed (--pretty) or --jsonArray export; " << command
      << " reads one JSON document per line, mongoexport's default output\n";
}

}  // namespace cli
}  // namespace connector_crypto
