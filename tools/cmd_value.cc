// encrypt, decrypt, inspect: one JSON value from FILE or standard input.
#include <ostream>

#include "cli_common.hpp"
#include "connector_crypto/connector_crypto.hpp"
#include "json_codec.hpp"
#include "rewrap.hpp"

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
    "Exit 0 done; 1 not exactly one JSON value (anything after it, a NUL byte included), a\n"
    "malformed \"__enc\", FILE fails while being read, or standard output could not be written;\n"
    "2 usage or configuration error, or FILE cannot be opened (the reason is given) or is a\n"
    "folder.\n";

constexpr const char* kDecryptHelp =
    "usage: connector-crypto decrypt [FILE]\n"
    "\n"
    "Reads one JSON value from FILE, or standard input when FILE is absent or '-', and prints its\n"
    "plaintext: an envelope is decrypted with the keyring in the environment, legacy plaintext\n"
    "comes back unchanged (refused under CONNECTOR_CRED_REQUIRE_ENCRYPTED=1). The output is\n"
    "plaintext credentials: do not log it.\n"
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

// Reads and parses the command's input; nullopt (after reporting) on failure.
std::optional<nlohmann::json> readValue(const std::vector<std::string>& args, const CliEnv& env,
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
  nlohmann::json value;
  if (!detail::parseJson(text.data(), text.size(), value)) {
    fail(err, command,
         in->name + ": not one valid JSON value (UTF-8, at most 512 levels of nesting)",
         kExitDataError);
    return std::nullopt;
  }
  code = kExitOk;
  return value;
}

int runEncrypt(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               const CliEnv& env) {
  const Keyring keyring = keyringOf(env);
  int code = kExitOk;
  std::optional<nlohmann::json> value = readValue(args, env, err, "encrypt", code);
  if (!value) return code;
  nlohmann::json envelope;
  try {
    envelope = encryptCredentials(*value, keyring);
  } catch (...) {
    wipeCredentials(*value);
    throw;
  }
  wipeCredentials(*value);
  out << envelope.dump() << "\n";
  return kExitOk;
}

int runDecrypt(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               const CliEnv& env) {
  const Keyring keyring = keyringOf(env);
  int code = kExitOk;
  std::optional<nlohmann::json> value = readValue(args, env, err, "decrypt", code);
  if (!value) return code;
  nlohmann::json plain = decryptCredentials(*value, keyring);
  wipeCredentials(*value);
  SecretBuffer text = detail::serializeJson(plain);
  wipeCredentials(plain);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out << "\n";
  return kExitOk;
}

int runInspect(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               const CliEnv& env) {
  int code = kExitOk;
  std::optional<nlohmann::json> value = readValue(args, env, err, "inspect", code);
  if (!value) return code;
  const bool enc = value->is_object() && value->contains("__enc");
  if (!enc) {
    wipeCredentials(*value);
    out << "{\"encrypted\":false}\n";
    return kExitOk;
  }
  const std::string problem = envelopeShapeProblem(*value);
  if (!problem.empty()) return fail(err, "inspect", problem, kExitDataError);
  out << "{\"encrypted\":true,\"kid\":" << nlohmann::json(value->at("kid")).dump() << "}\n";
  return kExitOk;
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
