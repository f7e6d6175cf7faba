// encrypt, decrypt, inspect: one JSON value from FILE or standard input.
#include <optional>
#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "connector_crypto/connector_crypto.hpp"
#include "record_context.hpp"

namespace connector_crypto {
namespace cli {
namespace {

// Largest input read: an envelope's "ct" is at most 16 MiB, so its JSON text is a little more.
constexpr std::size_t kMaxValueBytes = std::size_t{32} << 20;

constexpr const char* kEncryptHelp =
    "usage: connector-crypto encrypt [--context NAME=VALUE]... [FILE]\n"
    "\n"
    "Reads one JSON value (the credentials) from FILE, or standard input when FILE is absent or\n"
    "'-', and prints its envelope {\"__enc\":1,\"kid\":...,\"iv\":...,\"ct\":...} under the "
    "active\n"
    "kid of the keyring in the environment (see 'connector-crypto check --help'). null comes\n"
    "back unchanged, and so does an envelope that decrypt would read as far as the key; a value\n"
    "carrying \"__enc\" that decrypt refuses without a key is refused with decrypt's error.\n"
    "The value is sealed in its compact form (insignificant whitespace removed, nothing else\n"
    "changed); an object that repeats a member name is refused (duplicates are never written).\n"
    "  --context NAME=VALUE  one pair of the record's encryption context (docs/FORMAT.md, Bound\n"
    "                 envelopes); repeat it for each pair: 1 to 16 pairs, names unique, a name 1\n"
    "                 to 64 characters of [A-Za-z0-9_.-], a value 1 to 4096 bytes of UTF-8\n"
    "                 without NUL, taken as given: type a document's values as every side does\n"
    "                 (oid:<24 lowercase hex> for an ObjectId, str:<string> for a string).\n"
    "                 With CONNECTOR_CRED_BIND_CONTEXT=1 the envelope is bound to it (it gains\n"
    "                 \"ctx\":[NAMES] and opens only under the same pairs) and a context is\n"
    "                 required for every value but null; without it the context is accepted,\n"
    "                 an unbound envelope written, and standard error says so once. A bound\n"
    "                 envelope comes back unchanged only with --context, and only if it opens\n"
    "                 under it (else decrypt's error); an unbound envelope comes back unchanged,\n"
    "                 never opened and never bound here (rewrap binds). A pair that breaks a\n"
    "                 rule, or a name given\n"
    "                 twice, is a usage error naming the name (or the pair's position among the\n"
    "                 --context options), never quoting a value.\n"
    "Exit 0 done; 1 not exactly one JSON value (anything after it, a NUL byte included), a\n"
    "repeated member name, a malformed \"__enc\" (checked first, under\n"
    "CONNECTOR_CRED_BIND_CONTEXT=1 too; a kid that no keyring can hold included), an envelope\n"
    "that does not open under the context, FILE fails while being read, or standard output\n"
    "could not be written; 2 usage or configuration error (a --context that breaks a rule or\n"
    "repeats a name, CONNECTOR_CRED_BIND_CONTEXT=1 or a bound envelope without --context), or\n"
    "FILE cannot be opened (the reason is given) or is a folder.\n";

constexpr const char* kDecryptHelp =
    "usage: connector-crypto decrypt [--context NAME=VALUE]... [FILE]\n"
    "\n"
    "Reads one JSON value from FILE, or standard input when FILE is absent or '-', and prints its\n"
    "plaintext: an envelope is decrypted with the keyring in the environment and its plaintext\n"
    "printed byte for byte as its writer sealed it; legacy plaintext comes back unchanged, as\n"
    "read (refused under CONNECTOR_CRED_REQUIRE_ENCRYPTED=1). The output is plaintext\n"
    "credentials: do not log it.\n"
    "  --context NAME=VALUE  one pair of the record's encryption context, repeated for each pair\n"
    "                 (the rules of 'connector-crypto encrypt --help'). A bound envelope opens\n"
    "                 only under the context it was sealed under, its pairs given in any order;\n"
    "                 an unbound one opens with or without a context, but under\n"
    "                 CONNECTOR_CRED_REQUIRE_CONTEXT=1 it is refused. Without\n"
    "                 CONNECTOR_CRED_BIND_CONTEXT=1 standard error says once that this\n"
    "                 configuration writes unbound envelopes.\n"
    "Exit 0 done; 1 a malformed envelope, an unknown kid, an authentication failure (wrong key,\n"
    "a modified envelope, or a bound envelope under another record's context), a bound envelope\n"
    "whose names are not the --context names, an unbound envelope under\n"
    "CONNECTOR_CRED_REQUIRE_CONTEXT=1, not exactly one JSON value (a NUL byte included), FILE\n"
    "fails while being read, or standard output could not be written; 2 usage or configuration\n"
    "error (a --context that breaks a rule or repeats a name, a bound envelope without\n"
    "--context), or FILE cannot be opened or is a folder.\n";

constexpr const char* kInspectHelp =
    "usage: connector-crypto inspect [FILE]\n"
    "\n"
    "Reads one JSON value from FILE, or standard input when FILE is absent or '-', and prints\n"
    "  {\"encrypted\":true,\"kid\":\"<kid>\"}   for a well-formed envelope\n"
    "  {\"encrypted\":true,\"kid\":\"<kid>\",\"bound\":true,\"ctx\":[\"<name>\",...]}\n"
    "                                      for a bound envelope: its context names (never values)\n"
    "  {\"encrypted\":false}                 for anything else (legacy plaintext, null)\n"
    "No key is needed and nothing is decrypted. Exit 1 with the reason when the value carries\n"
    "\"__enc\" but is not a well-formed envelope (a bad \"ctx\" included), is not exactly one JSON\n"
    "value (a NUL byte included), or when standard output could not be written; 2 usage error, or\n"
    "FILE cannot be opened or is a folder.\n";

// The command line of encrypt, decrypt and inspect: FILE and (encrypt, decrypt) --context pairs.
struct ValueArgs {
  std::string file;  // "" or "-": standard input
  std::optional<EncryptionContext> context;
};

// Parses args; nullopt after reporting a usage error.
std::optional<ValueArgs> parseValueArgs(const std::vector<std::string>& args, std::ostream& err,
                                        const std::string& command, bool takesContext) {
  ValueArgs v;
  ContextSpec spec;
  bool haveFile = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string problem;
    const ContextOption taken =
        takesContext ? parseContextOption(args, i, false, spec, problem) : ContextOption::kNotMine;
    if (taken == ContextOption::kTaken) continue;
    if (taken == ContextOption::kBad) {
      usageError(err, command, problem);
      return std::nullopt;
    }
    if (args[i].size() > 1 && args[i][0] == '-') {
      usageError(err, command, "unknown option '" + args[i] + "'");
      return std::nullopt;
    }
    if (haveFile) {
      usageError(err, command, "expected at most one FILE");
      return std::nullopt;
    }
    v.file = args[i];
    haveFile = true;
  }
  if (!spec.empty()) {
    if (const auto problem = resolveContextSpec(spec, FieldPath{})) {
      usageError(err, command, *problem);
      return std::nullopt;
    }
    v.context = constantContext(spec);
  }
  return v;
}

// Reads the command's input into wiped memory; nullopt (after reporting) on failure.
std::optional<SecretBuffer> readText(const ValueArgs& args, const CliEnv& env, std::ostream& err,
                                     const std::string& command, int& code) {
  code = kExitUsage;
  std::optional<Input> in = openInput(args.file, env, err, command);
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
// the library found it is not JSON text (ErrorCode::kInvalidText), a usage error when it needs a
// context (kContextRequired), every other Error rethrown.
template <typename Body>
int withInput(const std::vector<std::string>& argv, std::ostream& err, const CliEnv& env,
              const std::string& command, Body&& body) {
  const bool takesContext = command != "inspect";
  const std::optional<ValueArgs> args = parseValueArgs(argv, err, command, takesContext);
  if (!args) return kExitUsage;
  int code = kExitOk;
  std::optional<SecretBuffer> text = readText(*args, env, err, command, code);
  if (!text) return code;
  try {
    body(viewOf(*text), args->context ? &*args->context : nullptr);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kContextRequired) {
      return usageError(err, command, std::string(e.what()) + " (--context NAME=VALUE)");
    }
    if (e.code() != ErrorCode::kInvalidText) throw;
    const std::string name = args->file.empty() || args->file == "-" ? "standard input" : args->file;
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
  return withInput(args, err, env, "encrypt",
                   [&](std::string_view text, const EncryptionContext* context) {
                     if (context) noteContextWithoutBinding(err, "encrypt", keyring, true);
                     printLine(out, context ? encryptCredentialsText(text, keyring, *context)
                                            : encryptCredentialsText(text, keyring));
                   });
}

int runDecrypt(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               const CliEnv& env) {
  const Keyring keyring = keyringOf(env);
  return withInput(args, err, env, "decrypt",
                   [&](std::string_view text, const EncryptionContext* context) {
                     if (context) noteContextWithoutBinding(err, "decrypt", keyring, false);
                     printLine(out, viewOf(context ? decryptCredentialsText(text, keyring, *context)
                                                   : decryptCredentialsText(text, keyring)));
                   });
}

int runInspect(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               const CliEnv& env) {
  return withInput(args, err, env, "inspect", [&](std::string_view text, const EncryptionContext*) {
    const CredentialsInfo info = inspectCredentialsText(text);
    switch (info.kind) {
      case CredentialsInfo::Kind::kNull:
      case CredentialsInfo::Kind::kPlaintext:
        out << "{\"encrypted\":false}\n";
        return;
      case CredentialsInfo::Kind::kEnvelope:
        out << "{\"encrypted\":true,\"kid\":" << nlohmann::json(info.kid).dump();
        if (info.bound) out << ",\"bound\":true,\"ctx\":" << nlohmann::json(info.contextNames).dump();
        out << "}\n";
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
