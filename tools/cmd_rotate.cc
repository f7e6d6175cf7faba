// rotate: the two stages of a key rotation, printed as CONNECTOR_CRED_KEYS / _ACTIVE_KID lines.
#include <fstream>
#include <map>
#include <ostream>

#include "atomic_file.hpp"
#include "cli_common.hpp"
#include "connector_crypto/connector_crypto.hpp"
#include "json_codec.hpp"

namespace connector_crypto {
namespace cli {
namespace {

constexpr const char* kRotateHelp =
    "usage: connector-crypto rotate --kid NEW [-o FILE [--force]]\n"
    "       connector-crypto rotate --activate KID [-o FILE [--force]]\n"
    "\n"
    "A key rotation has two stages, because no service may read ciphertext before it holds the\n"
    "key: a service that met an envelope under a kid it does not know would fail to decrypt it.\n"
    "\n"
    "Stage 1, --kid NEW: reads the current configuration from the environment (the same\n"
    "variables a service reads), mints a new key under NEW (refused if NEW already exists) and\n"
    "prints\n"
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
    "  -o FILE   write the two lines to FILE instead of standard output: atomically (a temporary\n"
    "            file next to it, fsync, rename), always mode 0600. Refused (exit 2, nothing\n"
    "            touched) when FILE exists, since a second run mints a different key that may\n"
    "            already be deployed; a symbolic link or a non-regular file is always refused.\n"
    "  --force   let -o replace an existing regular FILE\n"
    "The output holds keys: put it in your secrets manager, never in a log or a repository.\n"
    "The lines are POSIX sh syntax ('set -a; . FILE'): the key map is single-quoted, so it is not\n"
    "a docker --env-file (which keeps quotes literally). Every kid printed must be plain: 1 to 64\n"
    "letters, digits, '.', '_' and '-' (needs no quoting); a keyring holding another kid is\n"
    "refused (exit 2).\n"
    "Exit 0 done; 1 the output could not be written; 2 usage or configuration error.\n";

constexpr std::size_t kMaxSecretFileBytes = 1024 * 1024;

// The text of NAME, or of the file NAME_FILE names (keyringFromEnv has already validated them).
std::optional<SecretBuffer> settingText(const EnvLookup& lookup, const std::string& name) {
  std::optional<std::string> direct = lookup(name);
  if (direct && !direct->empty()) {
    SecretBuffer out(direct->begin(), direct->end());
    detail::secureWipe(direct->data(), direct->size());
    return out;
  }
  const std::optional<std::string> path = lookup(name + "_FILE");
  if (!path || path->empty()) return std::nullopt;
  std::ifstream file(*path, std::ios::binary);
  SecretBuffer out;
  if (!file || !readAll(file, kMaxSecretFileBytes, out)) {
    throw KeyringError(name + "_FILE (\"" + *path + "\"): cannot read the file");
  }
  return out;
}

SecretBuffer trimmed(const char* begin, const char* end) {
  const auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (begin != end && space(*begin)) ++begin;
  while (begin != end && space(*(end - 1))) --end;
  return SecretBuffer(begin, end);
}

// kid -> base64 key text of the configuration in the environment.
std::map<std::string, SecretBuffer> currentKeys(const EnvLookup& lookup) {
  std::map<std::string, SecretBuffer> keys;
  if (std::optional<SecretBuffer> map = settingText(lookup, "CONNECTOR_CRED_KEYS")) {
    nlohmann::json parsed;
    if (!detail::parseJson(map->data(), map->size(), parsed) || !parsed.is_object()) {
      throw KeyringError("CONNECTOR_CRED_KEYS is not a JSON object");
    }
    for (auto it = parsed.begin(); it != parsed.end(); ++it) {
      const std::string& key = it.value().get_ref<const std::string&>();
      keys[it.key()] = trimmed(key.data(), key.data() + key.size());
    }
    detail::wipeJsonValues(parsed);
    return keys;
  }
  std::optional<SecretBuffer> single = settingText(lookup, "CONNECTOR_CRED_KEY");
  if (!single) throw KeyringError("CONNECTOR_CRED_KEY is not set");
  std::optional<std::string> kid = lookup("CONNECTOR_CRED_KID");
  keys[kid && !kid->empty() ? *kid : "v1"] =
      trimmed(single->data(), single->data() + single->size());
  return keys;
}

void append(SecretBuffer& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}

int runRotate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
              const CliEnv& env) {
  std::string newKid, activateKid, output;
  bool haveNew = false, haveActivate = false, haveOutput = false, force = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--kid" || a == "--activate" || a == "-o") && i + 1 >= args.size()) {
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
    } else if (a == "--force") {
      force = true;
    } else {
      return usageError(err, "rotate", "unexpected argument '" + a + "'");
    }
  }
  if (haveNew == haveActivate) {
    return usageError(err, "rotate", "give exactly one of --kid NEW or --activate KID");
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
  AtomicFile file;
  if (haveOutput && !file.open(output, force ? Existing::kReplace : Existing::kRefuse)) {
    return outputFailure(err, "rotate", file);
  }

  const EnvLookup lookup = lookupOf(env);
  const Keyring keyring = keyringFromEnv(lookup);  // the configuration must be valid to start with
  std::map<std::string, SecretBuffer> keys = currentKeys(lookup);
  std::string active = keyring.activeKid();
  if (haveNew) {
    if (keyring.contains(newKid)) {
      return fail(err, "rotate", "kid \"" + newKid + "\" already exists; choose a new kid",
                  kExitUsage);
    }
    std::string key = generateKeyBase64();
    keys[newKid] = SecretBuffer(key.begin(), key.end());
    detail::secureWipe(key.data(), key.size());
  } else {
    if (!keyring.contains(activateKid)) {
      return fail(
          err, "rotate",
          (isValidKid(activateKid) ? "kid \"" + activateKid + "\"" : std::string("the kid")) +
              " is not in the keyring: run 'rotate --kid' and deploy its output first",
          kExitUsage);
    }
    active = activateKid;
  }
  // The printed lines need no quoting but the key map's single quotes: one rule for every kid.
  for (const auto& entry : keys) {
    if (!isPlainKid(entry.first)) {
      return fail(
          err, "rotate",
          "the keyring holds a kid that cannot be printed as a plain sh word (kids must be " +
              std::string(kPlainKidRule) + "); rename it",
          kExitUsage);
    }
  }

  // Validate by building the keyring the printed lines describe.
  {
    std::map<std::string, std::string> check;
    for (const auto& entry : keys)
      check[entry.first].assign(entry.second.begin(), entry.second.end());
    try {
      (void)Keyring::fromBase64(check, active);
    } catch (...) {
      for (auto& entry : check) detail::secureWipe(entry.second.data(), entry.second.size());
      throw;
    }
    for (auto& entry : check) detail::secureWipe(entry.second.data(), entry.second.size());
  }

  SecretBuffer text;
  append(text, "CONNECTOR_CRED_KEYS='{");
  bool first = true;
  for (const auto& entry : keys) {
    if (!first) append(text, ",");
    first = false;
    append(text, nlohmann::json(entry.first).dump());
    append(text, ":\"");
    text.insert(text.end(), entry.second.begin(), entry.second.end());
    append(text, "\"");
  }
  append(text, "}'\nCONNECTOR_CRED_ACTIVE_KID=");
  append(text, active);
  append(text, "\n");

  if (!haveOutput) {
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    return kExitOk;
  }
  if (!file.write({text.data(), text.size()}) || !file.commit()) {
    return outputFailure(err, "rotate", file);
  }
  err << "connector-crypto rotate: wrote " << output << " (mode 0600)\n";
  return kExitOk;
}

}  // namespace

Command rotateCommand() {
  return {"rotate", "stage a key rotation (--kid NEW), then activate it (--activate KID)",
          kRotateHelp, runRotate};
}

}  // namespace cli
}  // namespace connector_crypto
