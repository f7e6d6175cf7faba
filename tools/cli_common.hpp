// What the subcommands of runCli share: the command table entry, usage errors, input and keyring.
#pragma once

#include <cstdint>
#include <fstream>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli.hpp"
#include "connector_crypto/error.hpp"
#include "connector_crypto/keyring.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace cli {

// One subcommand: its name, a one-line summary, its --help text and its body.
struct Command {
  const char* name;
  const char* summary;
  const char* help;
  int (*run)(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
             const CliEnv& env);
};

Command keygenCommand();
Command checkCommand();
Command encryptCommand();
Command decryptCommand();
Command inspectCommand();
Command rotateCommand();
Command auditCommand();
Command rewrapCommand();

// Prints "connector-crypto <command>: <message>" and the --help hint; returns kExitUsage.
int usageError(std::ostream& err, const std::string& command, const std::string& message);
// The exit status of a library Error that reached runCli: kExitUsage for what the command line or
// configuration must fix (kConfiguration, kInvalidContext, kContextRequired), else kExitDataError.
int exitCodeOf(ErrorCode code) noexcept;
// Prints "connector-crypto <command>: <message>"; returns code.
int fail(std::ostream& err, const std::string& command, const std::string& message, int code);

class AtomicFile;
// Reports a failed -o file: exit 2 when open() refused the target, 1 for a system failure.
int outputFailure(std::ostream& err, const std::string& command, const AtomicFile& file);
// What a command says when standard output (runCli's out) cannot be written.
extern const char* const kCannotWriteStdout;

// The environment a run reads: env.env, or the process environment when it is empty.
EnvLookup lookupOf(const CliEnv& env);
// keyringFromEnv through lookupOf(env); throws KeyringError (runCli maps it to exit 2).
Keyring keyringOf(const CliEnv& env);

// An input: FILE, or standard input for "-" / no FILE.
struct Input {
  std::unique_ptr<std::ifstream> file;
  std::istream* stream = nullptr;
  std::string name;        // for messages: the path or "standard input"
  std::uint64_t size = 0;  // a regular file's size, else 0
  bool regular = false;    // a regular file (it can be read twice)
};
// Opens path ("" or "-": stdin); nullopt with a message on err (as `command`) when it cannot.
std::optional<Input> openInput(const std::string& path, const CliEnv& env, std::ostream& err,
                               const std::string& command);

// Reads the whole stream into wiped memory; false when it exceeds maxBytes or cannot be read.
bool readAll(std::istream& in, std::size_t maxBytes, SecretBuffer& out);

// The one kid rule for printed env lines (keygen --format env, rotate): isValidKid and only
// letters, digits, '.', '_' and '-', so the kid is a plain POSIX sh word that needs no quoting.
bool isPlainKid(const std::string& kid);
// What a command says when a kid it would print is not plain.
extern const char* const kPlainKidRule;

// Says, once per run, that `command` was given --context options while the keyring does not bind
// (CONNECTOR_CRED_BIND_CONTEXT off): envelopes stay unbound. `writes`: encrypt and rewrap write
// envelopes; decrypt and audit --verify only open them. Nothing when the keyring binds.
void noteContextWithoutBinding(std::ostream& err, const std::string& command,
                               const Keyring& keyring, bool writes);

// True when the first line of a mongoexport input looks like a whole-file JSON text (a line that
// is only "{" or starts with "["): a --pretty or --jsonArray export, unreadable line by line.
bool looksLikeWholeFileJson(std::string_view firstLine) noexcept;
// Prints, once per run, that `command` reads one document per line.
void printOneDocumentPerLineHint(std::ostream& err, const std::string& command);

}  // namespace cli
}  // namespace connector_crypto
