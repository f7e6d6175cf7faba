// rotate: the two stages of a key rotation, printed as CONNECTOR_CRED_KEYS / _ACTIVE_KID lines or as
// the JSON map of a CONNECTOR_CRED_KEYS_FILE; the configuration is the library's KeyConfig.
#include <optional>
#include <ostream>
#include <string_view>

// rotate -o DIR: lstat and the system's reason.
#include <sys/stat.h>
#include <cerrno>
#include <cstring>

#include "atomic_file.hpp"
#include "cli_common.hpp"
#include "connector_crypto/connector_crypto.hpp"

namespace connector_crypto {
namespace cli {
namespace {

constexpr const char* kRotateHelp =
    "usage: connector-crypto rotate --kid NEW [--format env|keys-file] [-o FILE [--force]]\n"
    "       connector-crypto rotate --activate KID [--format env|keys-file] [-o FILE [--force]]\n"
    "\n"
    "A key rotation has two stages, because no service may read ciphertext before it holds the\n"
    "key: a service that met an envelope under a kid it does not know would fail to decrypt it.\n"
    "\n"
    "Stage 1, --kid NEW: reads the current configuration from the environment (the same\n"
    "variables a service reads, _FILE twins included), mints a new key under NEW (refused if NEW\n"
    "already exists) and prints\n"
    "  CONNECTOR_CRED_KEYS='{\"<old kid>\":\"<old key>\",...,\"NEW\":\"<new key>\"}'\n"
    "  CONNECTOR_CRED_ACTIVE_KID=<the current active kid, unchanged>\n"
    "Deploy these to EVERY service (replacing CONNECTOR_CRED_KEY/_KID) and check with\n"
    "'connector-crypto check' that all of them show the same fingerprints. Nothing writes under\n"
    "NEW yet.\n"
    "\n"
    "Stage 2, --activate KID: mints nothing; KID must already be in the keyring. Prints the same\n"
    "two lines with CONNECTOR_CRED_ACTIVE_KID=KID. Deploy them everywhere: new writes go under\n"
    "KID, and every service can already read them. Then bring old records over with\n"
    "'connector-crypto rewrap' and watch 'connector-crypto audit' (docs/ROTATION.md).\n"
    "\n"
    "  --format env        the two lines above (default)\n"
    "  --format keys-file  the content of a CONNECTOR_CRED_KEYS_FILE secret instead: the JSON map\n"
    "            {\"<kid>\":\"<key>\",...} and a newline. The file does not carry the active kid:\n"
    "            standard error says which CONNECTOR_CRED_ACTIVE_KID=<kid> to set beside it.\n"
    "  --format keys-file -o DIR   DIR an existing folder (or a name ending in '/'): writes\n"
    "            DIR/keys.json (the map, for CONNECTOR_CRED_KEYS_FILE) and DIR/active-kid (the\n"
    "            active kid and a newline, for CONNECTOR_CRED_ACTIVE_KID_FILE), each as -o FILE\n"
    "            writes a file, keys.json first. Both are checked before anything is minted; an\n"
    "            existing one is refused without --force. One Kubernetes Secret holding both\n"
    "            entries switches them at once (docs/ROTATION.md, \"Rotation without restarts\").\n"
    "  -o FILE   write the output to FILE instead of standard output: atomically (a temporary\n"
    "            file next to it, fsync, rename), always mode 0600. Refused (exit 2, nothing\n"
    "            touched) when FILE exists, since a second run mints a different key that may\n"
    "            already be deployed; a symbolic link or a non-regular file is always refused.\n"
    "  --force   let -o replace an existing regular FILE\n"
    "The output holds keys: put it in your secrets manager, never in a log or a repository.\n"
    "The lines are POSIX sh syntax ('set -a; . FILE'): the key map is single-quoted, so it is not\n"
    "a docker --env-file (which keeps quotes literally). Every kid printed must be plain: 1 to 64\n"
    "letters, digits, '.', '_' and '-' (needs no quoting); a keyring holding another kid is\n"
    "refused (exit 2), in both formats.\n"
    "Exit 0 done; 1 the output could not be written; 2 usage or configuration error.\n";

void append(SecretBuffer& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}

// The JSON map of CONNECTOR_CRED_KEYS / a CONNECTOR_CRED_KEYS_FILE, in wiped memory. Every kid is
// plain (checked before), so it needs no JSON escaping. The one use of the key gate in the tree.
SecretBuffer keysJson(const KeyConfig& config) {
  SecretBuffer text;
  append(text, "{");
  bool first = true;
  for (const std::string& kid : config.kids()) {
    if (!first) append(text, ",");
    first = false;
    append(text, "\"");
    append(text, kid);
    append(text, "\":\"");
    const SecretBuffer key = config.keyBase64(kid, insecureKeyAccess());
    text.insert(text.end(), key.begin(), key.end());
    append(text, "\"");
  }
  append(text, "}");
  return text;
}

// Reads keys back as a service would (CONNECTOR_CRED_KEYS and CONNECTOR_CRED_ACTIVE_KID) and
// requires the same keyring: what rotate prints always loads as the configuration it built.
bool readsBackAs(const SecretBuffer& keys, const std::string& active, const Keyring& expected) {
  const EnvLookup lookup = [&](const std::string& name) -> std::optional<std::string> {
    // The reader moves the value into wiped memory and wipes this copy.
    if (name == "CONNECTOR_CRED_KEYS") return std::string(keys.begin(), keys.end());
    if (name == "CONNECTOR_CRED_ACTIVE_KID") return active;
    return std::nullopt;
  };
  const Keyring got = KeyConfig::fromEnv(lookup).toKeyring();
  if (got.kids() != expected.kids() || got.activeKid() != expected.activeKid()) return false;
  for (const std::string& kid : expected.kids()) {
    if (got.fingerprint(kid) != expected.fingerprint(kid)) return false;
  }
  return true;
}

// The folder -o names for --format keys-file, without trailing '/': an existing folder (never
// through a symbolic link), or any name ending in '/'; nullopt for a file (-o FILE).
std::optional<std::string> folderTarget(const std::string& target) {
  std::string folder = target;
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  struct stat st {};
  const bool isFolder = ::lstat(folder.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  if (!isFolder && target.back() != '/') return std::nullopt;
  return folder;
}

// rotate --format keys-file -o DIR: DIR/keys.json and DIR/active-kid, both opened (so checked by
// the -o rules) before anything is minted, and written keys.json first.
class KeysFolder {
 public:
  // 0, or the exit code after the reason is on err; nothing is touched when it refuses.
  int open(const std::string& folder, bool force, std::ostream& err) {
    const std::string prefix = folder.back() == '/' ? folder : folder + "/";
    keysPath_ = prefix + "keys.json";
    kidPath_ = prefix + "active-kid";
    struct stat st {};
    if (::lstat(folder.c_str(), &st) != 0 && errno != ENOENT) {
      return fail(err, "rotate",
                  "cannot write into \"" + folder + "\" (" + std::strerror(errno) + ")",
                  kExitDataError);
    }
    if (!S_ISDIR(st.st_mode)) {
      return fail(err, "rotate",
                  "\"" + folder + "/\" is not a folder" +
                      (S_ISLNK(st.st_mode) ? " but a symbolic link; -o never follows one" : "") +
                      " (--format keys-file -o DIR writes into an existing folder)",
                  kExitUsage);
    }
    const Existing existing = force ? Existing::kReplace : Existing::kRefuse;
    if (!keys_.open(keysPath_, existing)) return outputFailure(err, "rotate", keys_);
    if (!kid_.open(kidPath_, existing)) return outputFailure(err, "rotate", kid_);
    return kExitOk;
  }

  int write(const SecretBuffer& keysJson, const std::string& active, std::ostream& err) {
    SecretBuffer text;
    text.reserve(keysJson.size() + 1);
    text.insert(text.end(), keysJson.begin(), keysJson.end());
    append(text, "\n");
    if (!keys_.write({text.data(), text.size()})) return outputFailure(err, "rotate", keys_);
    if (!kid_.write(active + "\n")) return outputFailure(err, "rotate", kid_);
    // keys.json first: a service reading the folder between the two renames sees the new keys
    // with the old active kid, which the new keys of every stage hold.
    if (!keys_.commit()) return outputFailure(err, "rotate", keys_);
    if (!kid_.commit()) {
      return fail(err, "rotate",
                  "wrote \"" + keysPath_ + "\" but not \"" + kidPath_ + "\": " + kid_.error(),
                  kExitDataError);
    }
    err << "connector-crypto rotate: wrote " << keysPath_ << " and " << kidPath_
        << " (mode 0600): point CONNECTOR_CRED_KEYS_FILE and CONNECTOR_CRED_ACTIVE_KID_FILE "
           "at them\n";
    return kExitOk;
  }

 private:
  std::string keysPath_, kidPath_;
  AtomicFile keys_, kid_;
};

int runRotate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
              const CliEnv& env) {
  std::string newKid, activateKid, output, format = "env";
  bool haveNew = false, haveActivate = false, haveOutput = false, force = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--kid" || a == "--activate" || a == "-o" || a == "--format") &&
        i + 1 >= args.size()) {
      return usageError(err, "rotate", a + " needs a value");
    }
    if (a == "--kid") {
      newKid = args[++i];
      haveNew = true;
    } else if (a == "--activate") {
      activateKid = args[++i];
      haveActivate = true;
    } else if (a == "-o") {
      output = args[++i];
      haveOutput = true;
    } else if (a == "--format") {
      format = args[++i];
    } else if (a == "--force") {
      force = true;
    } else {
      return usageError(err, "rotate", "unexpected argument '" + a + "'");
    }
  }
  if (haveNew == haveActivate) {
    return usageError(err, "rotate", "give exactly one of --kid NEW or --activate KID");
  }
  if (format != "env" && format != "keys-file") {
    return usageError(err, "rotate", "--format must be env or keys-file");
  }
  if (haveOutput && (output.empty() || output == "-")) {
    return usageError(err, "rotate", "-o needs a file name");
  }
  if (force && !haveOutput) return usageError(err, "rotate", "--force needs -o FILE");
  if (const char* problem = haveNew ? kidProblem(newKid) : nullptr) {
    return usageError(err, "rotate", std::string("--kid ") + problem);
  }
  if (haveNew && !isPlainKid(newKid)) {
    return usageError(err, "rotate", std::string("--kid must be ") + kPlainKidRule);
  }

  // The target is checked before anything is minted; nothing is touched when it is refused.
  const std::optional<std::string> folder =
      haveOutput && format == "keys-file" ? folderTarget(output) : std::nullopt;
  KeysFolder keysFolder;
  if (folder) {
    if (const int code = keysFolder.open(*folder, force, err)) return code;
  }
  AtomicFile file;
  if (haveOutput && !folder && !file.open(output, force ? Existing::kReplace : Existing::kRefuse)) {
    return outputFailure(err, "rotate", file);
  }

  // The configuration a service would load (KeyringError, exit 2, when it would not), edited.
  KeyConfig config = KeyConfig::fromEnv(lookupOf(env));
  if (haveNew) {
    config.addGeneratedKey(newKid);  // refuses a kid the configuration holds
  } else {
    if (!config.contains(activateKid)) {
      return fail(
          err, "rotate",
          (isValidKid(activateKid) ? "kid \"" + activateKid + "\"" : std::string("the kid")) +
              " is not in the keyring: run 'rotate --kid' and deploy its output first",
          kExitUsage);
    }
    config.setActiveKid(activateKid);
  }
  // The printed lines need no quoting but the key map's single quotes: one rule for every kid.
  for (const std::string& kid : config.kids()) {
    if (!isPlainKid(kid)) {
      return fail(
          err, "rotate",
          "the keyring holds a kid that cannot be printed as a plain sh word (kids must be " +
              std::string(kPlainKidRule) + "); rename it",
          kExitUsage);
    }
  }

  const SecretBuffer keys = keysJson(config);
  const std::string& active = config.activeKid();
  if (!readsBackAs(keys, active, config.toKeyring())) {
    return fail(err, "rotate", "internal error: the output does not read back as the keyring",
                kExitDataError);
  }
  SecretBuffer text;
  if (format == "env") {
    append(text, "CONNECTOR_CRED_KEYS='");
    text.insert(text.end(), keys.begin(), keys.end());
    append(text, "'\nCONNECTOR_CRED_ACTIVE_KID=");
    append(text, active);
    append(text, "\n");
  } else {
    text.reserve(keys.size() + 1);
    text.insert(text.end(), keys.begin(), keys.end());
    append(text, "\n");
  }
  const auto activeKidHint = [&] {
    if (format == "keys-file") {
      err << "connector-crypto rotate: a keys file does not carry the active kid: set "
             "CONNECTOR_CRED_ACTIVE_KID="
          << active << " beside CONNECTOR_CRED_KEYS_FILE on every service\n";
    }
  };

  if (folder) return keysFolder.write(keys, active, err);
  if (!haveOutput) {
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    // The hint only once the output is out (runCli reports a lost write).
    if (format == "keys-file" && out.flush()) activeKidHint();
    return kExitOk;
  }
  if (!file.write({text.data(), text.size()}) || !file.commit()) {
    return outputFailure(err, "rotate", file);
  }
  err << "connector-crypto rotate: wrote " << output << " (mode 0600)\n";
  activeKidHint();
  return kExitOk;
}

}  // namespace

Command rotateCommand() {
  return {"rotate", "stage a key rotation (--kid NEW), then activate it (--activate KID)",
          kRotateHelp, runRotate};
}

}  // namespace cli
}  // namespace connector_crypto
