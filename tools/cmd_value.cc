// encrypt, decrypt, inspect: one JSON value from FILE or standard input.
#include <optional>
#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "connector_crypto/connector_crypto.hpp"

namespace connector_crypto {
namespace cli {
namespace {

// Largest input read: an envelope's "ct" is at most 16 MiB, so its JSON text is a little more.
constexpr std::size_t kMaxValueBytes = std::size_t{32} << 20;

constexpr const char* kEncryptHelp =
    "usage: connector-crypto encrypt [FILE]\n"
    "\n"
    "Reads one JSON value (the credentials) from FILE, or standard input when FILE is absent or\n"
    "'-', and prints its envelope {\"__enc\":1,\"kid\":...,\"iv\":...,\"ct\":...} under the "
    "active\n"
    "kid of the keyring in the environment (see 'connector-crypto check --help'). null and an\n"
    "envelope come back unchanged; a value carrying a malformed \"__enc\" is refused (exit 1).\n"
    "The value is sealed in its compact form (insignificant whitespace removed, nothing else\n"
    "changed); an object that repeats a member name is refused (duplicates are never written).\n"
    "Exit 0 done; 1 not exactly one JSON value (anything after it, a NUL byte included), a\n"
    "repeated member name, a malformed \"__enc\", FILE fails while being read, or standard\n"
    "output could not be written;\n"
    "2 usage or configuration error, or FILE cannot be opened (the reason is given) or is a\n"
    "folder.\n";

constexpr const char* kDecryptHelp =
    "usage: connector-crypto decrypt [FILE]\n"
    "\n"
    "Reads one JSON value from FILE, or standard input when FILE is absent or '-', and prints its\n"
    "plaintext: an envelope is decrypted with the keyring in the environment and its plaintext\n"
    "printed byte for byte as its writer sealed it; legacy plaintext comes back unchanged, as\n"
    "read (refused under CONNECTOR_CRED_REQUIRE_ENCRYPTED=1). The output is plaintext\n"
    "credentials: do not log it.\n"
    "Exit 0 done; 1 a malformed envelope, an unknown kid, an authentication failure, not\n"
    "exactly one JSON value (a NUL byte included), FILE fails while being read, or standard\n"
    "output could not be written; 2 usage or configuration error, or FILE cannot be opened or is\n"
    "a folder.\n";

constexpr const char* kInspectHelp =
    "usage: connector-crypto inspect [FILE]\n"
    "\n"
    "Reads one JSON value from FILE, or standard input when FILE is absent or '-', and prints\n"
    "  {\"encrypted\":true,\"kid\":\"<kid>\"}   for a well-formed envelope\n"
    "  {\"encrypted\":false}                 for anything else (legacy plaintext, null)\n"
    "No key is needed and nothing is decrypted. Exit 1 with the reason when the value carries\n"
    "\"__enc\" but is not a well-formed envelope, is not exactly one JSON value (a NUL byte\n"
    "included), or when standard output could not be written; 2 usage error, or FILE cannot be\n"
    "opened or is a folder.\n";

// Reads the command's input into wiped memory; nullopt (after reporting) on failure.
std::optional<SecretBuffer> readText(const std::vector<std::string>& args, const CliEnv& env,
                                     std::ostream& err, const std::string& command, int& code) {
  code = kExitUsage;
  if (args.size() > 1) {
    usageError(err, command, "expected at most one FILE");
    return std::nullopt;
  }
  if (!args.empty() && args[0].size() > 1 && args[0][0] == '-') {
    usageError(err, command, "unknown option '" + args[0] + "'");
    return std::nullopt;
  }
  std::optional<Input> in = openInput(args.empty() ? "" : args[0], env, err, command);
  if (!in) return std::nullopt;
  SecretBuffer text;
  code = kExitDataError;
  if (!readAll(*in->stream, kMaxValueBytes, text)) {
    fail(err, command, in->name + ": cannot be read, or is larger than 32 MiB", kExitDataError);
    return std::nullopt;
  }
  code = kExitOk;
  return text;
}

std::string_view viewOf(const SecretBuffer& text) noexcept { return {text.data(), text.size()}; }

// The library's text functions on the command's input; the input's own name in the message when
// the library found it is not JSON text (ErrorCode::kInvalidText), every other Error rethrown.
template <typename Body>
int withInput(const std::vector<std::string>& args, std::ostream& err, const CliEnv& env,
              const std::string& command, Body&& body) {
  int code = kExitOk;
  std::optional<SecretBuffer> text = readText(args, env, err, command, code);
  if (!text) return code;
  try {
    body(viewOf(*text));
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kInvalidText) throw;
    const std::string name = args.empty() || args[0] == "-" ? "standard input" : args[0];
    // encrypt also refuses a member name repeated in an object: it is never written.
    const char* const rule = command == "encrypt"
                                 ? " (UTF-8, at most 512 levels of nesting, no member name twice "
                                   "in an object)"
                                 : " (UTF-8, at most 512 levels of nesting)";
    return fail(err, command, name + ": not one valid JSON value" + rule, kExitDataError);
  }
  return kExitOk;
}

// Prints text and a newline (text already ending in one, as a value passed through may, gets none).
void printLine(std::ostream& out, std::string_view text) {
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (text.empty() || text.back() != '\n') out << '\n';
}

int runEncrypt(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               const CliEnv& env) {
  const Keyring keyring = keyringOf(env);
  return withInput(args, err, env, "encrypt", [&](std::string_view text) {
    printLine(out, encryptCredentialsText(text, keyring));
  });
}

int runDecrypt(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               const CliEnv& env) {
  const Keyring keyring = keyringOf(env);
  return withInput(args, err, env, "decrypt", [&](std::string_view text) {
    printLine(out, viewOf(decryptCredentialsText(text, keyring)));
  });
}

int runInspect(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               const CliEnv& env) {
  return withInput(args, err, env, "inspect", [&](std::string_view text) {
    const CredentialsInfo info = inspectCredentialsText(text);
    switch (info.kind) {
      case CredentialsInfo::Kind::kNull:
      case CredentialsInfo::Kind::kPlaintext:
        out << "{\"encrypted\":false}\n";
        return;
      case CredentialsInfo::Kind::kEnvelope:
        out << "{\"encrypted\":true,\"kid\":" << nlohmann::json(info.kid).dump() << "}\n";
        return;
      case CredentialsInfo::Kind::kMalformed:
        throw Error(info.error, info.message);
    }
  });
}

}  // namespace

Command encryptCommand() {
  return {"encrypt", "encrypt one JSON value (FILE or stdin) under the active kid", kEncryptHelp,
          runEncrypt};
}
Command decryptCommand() {
  return {"decrypt", "decrypt one envelope (FILE or stdin) to its plaintext", kDecryptHelp,
          runDecrypt};
}
Command inspectCommand() {
  return {"inspect", "tell whether a value is an envelope, and its kid (no key needed)",
          kInspectHelp, runInspect};
}

}  // namespace cli
}  // namespace connector_crypto
