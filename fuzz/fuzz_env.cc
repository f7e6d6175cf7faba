// Target (b): the one reader of the key configuration, KeyConfig::fromEnv, every variable (the _FILE
// twins through a temp file). Input: lines NAME=value ('\n' separated; "\\n" in a value stands for
// a newline). Contract: the result is a configuration whose keyring works, and equals the one
// keyringFromEnv builds, or exactly KeyringError; no other exception escapes; a message never
// holds a key (a valid base64 32-byte key from the input, as text or as raw bytes) that was given
// in a secret variable, unless the same text was also given where it is not secret (a kid). What
// the key gate reads out, written as the map rotate writes, reads back as the same keyring.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <typeinfo>

#include "fuzz_support.hpp"
#include "keyring_state.hpp"

namespace cc = connector_crypto;
using nlohmann::json;
using namespace fuzz_support;

namespace {

const std::set<std::string> kNames = {"CONNECTOR_CRED_KEY",
                                      "CONNECTOR_CRED_KEY_FILE",
                                      "CONNECTOR_CRED_KID",
                                      "CONNECTOR_CRED_KEYS",
                                      "CONNECTOR_CRED_KEYS_FILE",
                                      "CONNECTOR_CRED_ACTIVE_KID",
                                      "CONNECTOR_CRED_REQUIRE_ENCRYPTED",
                                      "CONNECTOR_CRED_BIND_CONTEXT",
                                      "CONNECTOR_CRED_REQUIRE_CONTEXT"};

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      out.push_back('\n');
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The per-process directory of the _FILE variables' files, removed at exit.
char gSecretDir[] = "/tmp/fuzz_env.XXXXXX";

// A file holding content, for a _FILE variable; one per variable, rewritten for each input.
std::string writeSecretFile(const std::string& name, const std::string& content) {
  static const bool made = [] {
    if (mkdtemp(gSecretDir) == nullptr) violation("mkdtemp failed");
    std::atexit([] { std::filesystem::remove_all(gSecretDir); });
    return true;
  }();
  (void)made;
  const std::string path = std::string(gSecretDir) + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return path;
}

bool isKey(const std::string& s) {
  std::string raw;
  return s.size() == 44 && base64_oracle::base64Decode(s, raw) && raw.size() == cc::kKeyBytes;
}

// Keys given in secret variables, trimmed the way keyringFromEnv trims them.
std::vector<std::string> secretKeys(const std::map<std::string, std::string>& vars) {
  std::vector<std::string> out;
  const auto add = [&](const std::string& s) {
    const std::string trimmed(cc::detail::trimKeyText(s));  // the reader's whitespace rule
    if (isKey(trimmed)) out.push_back(trimmed);
  };
  for (const char* name : {"CONNECTOR_CRED_KEY", "CONNECTOR_CRED_KEY_FILE"}) {
    if (auto it = vars.find(name); it != vars.end()) add(it->second);
  }
  for (const char* name : {"CONNECTOR_CRED_KEYS", "CONNECTOR_CRED_KEYS_FILE"}) {
    auto it = vars.find(name);
    if (it == vars.end()) continue;
    const json m = json::parse(it->second, nullptr, false);
    if (!m.is_object()) continue;
    for (const auto& [kid, value] : m.items()) {
      if (value.is_string()) add(value.get<std::string>());
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> vars;  // as the fuzzer wrote them (file contents for _FILE)
  std::map<std::string, std::string> env;   // as KeyConfig::fromEnv sees them
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    start = end + 1;
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string name(line.substr(0, eq));
    if (kNames.count(name) == 0) continue;
    const std::string value = unescape(line.substr(eq + 1));
    vars[name] = value;
    const bool isFile = name.size() > 5 && name.compare(name.size() - 5, 5, "_FILE") == 0;
    env[name] = isFile ? writeSecretFile(name, value) : value;
  }
  // A file variable with no file content given: a path that does not exist.
  const cc::EnvLookup lookup = [&](const std::string& name) -> std::optional<std::string> {
    // Documented, but not generated here (tests/test_reload.cpp, tests/test_key_config.cpp): unset.
    if (name == "CONNECTOR_CRED_ACTIVE_KID_FILE" || name == "CONNECTOR_CRED_RELOAD_SECONDS") {
      return std::nullopt;
    }
    check(kNames.count(name) == 1, "KeyConfig::fromEnv read an undocumented variable:", name);
    const auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };

  std::set<std::string> notSecret;  // text given where it is not secret may be echoed
  for (const char* name : {"CONNECTOR_CRED_KID", "CONNECTOR_CRED_ACTIVE_KID"}) {
    if (auto it = vars.find(name); it != vars.end()) notSecret.insert(it->second);
  }
  for (const char* name : {"CONNECTOR_CRED_KEYS", "CONNECTOR_CRED_KEYS_FILE"}) {
    auto it = vars.find(name);
    if (it == vars.end()) continue;
    const json m = json::parse(it->second, nullptr, false);
    if (m.is_object()) {
      for (const auto& item : m.items()) notSecret.insert(item.key());
    }
  }

  // Differential against nlohmann for the hand-written CONNECTOR_CRED_KEYS parser: text nlohmann
  // rejects is never accepted, and text it accepts is never called a syntax error (aside: a UTF-8
  // BOM, which nlohmann skips, and a NUL, where nlohmann stops reading; JSON.parse refuses both).
  std::optional<bool> keysValidJson;
  for (const char* name : {"CONNECTOR_CRED_KEYS", "CONNECTOR_CRED_KEYS_FILE"}) {
    auto it = vars.find(name);
    if (it != vars.end() && !it->second.empty() && it->second.rfind("\xEF\xBB\xBF", 0) != 0 &&
        it->second.find('\0') == std::string::npos) {
      keysValidJson = json::accept(it->second);
    }
  }

  try {
    const cc::KeyConfig config = cc::KeyConfig::fromEnv(lookup);
    const cc::Keyring k = config.toKeyring();
    check(config.kids() == k.kids() && config.activeKid() == k.activeKid() &&
              config.options().requireEncrypted == k.options().requireEncrypted,
          "the KeyConfig and its keyring differ");
    const cc::Keyring viaEnv = cc::keyringFromEnv(lookup);
    check(viaEnv.kids() == k.kids() && viaEnv.activeKid() == k.activeKid(),
          "keyringFromEnv and KeyConfig::fromEnv differ");
    // The keys read out through the gate, as the JSON map rotate writes, read back as this keyring.
    std::string map = "{";
    for (const std::string& kid : config.kids()) {
      const cc::SecretBuffer key = config.keyBase64(kid, cc::insecureKeyAccess());
      map += (map.size() > 1 ? "," : "") + json(kid).dump() + ":\"" +
             std::string(key.begin(), key.end()) + "\"";
    }
    map += "}";
    const cc::Keyring back = cc::keyringFromEnv(
        [&](const std::string& name) -> std::optional<std::string> {
          if (name == "CONNECTOR_CRED_KEYS") return map;
          if (name == "CONNECTOR_CRED_ACTIVE_KID") return config.activeKid();
          return std::nullopt;
        });
    check(back.kids() == k.kids() && back.activeKid() == k.activeKid(), "the map does not read back");
    for (const std::string& kid : k.kids()) {
      check(back.fingerprint(kid) == k.fingerprint(kid) &&
                viaEnv.fingerprint(kid) == k.fingerprint(kid),
            "a key changed on the way out");
    }
    check(keysValidJson.value_or(true), "CONNECTOR_CRED_KEYS that is not JSON was accepted");
    check(cc::isValidKid(k.activeKid()) && k.contains(k.activeKid()), "invalid active kid");
    check(!k.kids().empty(), "a keyring without kids");
    const auto on = [&](const char* name) {
      const auto it = vars.find(name);
      return it != vars.end() && it->second == "1";
    };
    check(k.options().requireEncrypted == on("CONNECTOR_CRED_REQUIRE_ENCRYPTED"),
          "CONNECTOR_CRED_REQUIRE_ENCRYPTED was not read as documented");
    check(k.options().bindContext == on("CONNECTOR_CRED_BIND_CONTEXT") &&
              k.options().requireContext == on("CONNECTOR_CRED_REQUIRE_CONTEXT"),
          "the context switches were not read as documented");
    check(!k.options().requireContext || k.options().bindContext,
          "requireContext without bindContext was accepted");
    for (const std::string& kid : k.kids()) check(k.fingerprint(kid).size() == 16, "fingerprint");
    const json plain = {{"token", "fuzz"}};
    const cc::EncryptionContext context{{"id", "str:fuzz"}};
    check(cc::decryptCredentials(cc::encryptCredentials(plain, k, context), k, context) == plain,
          "encrypt -> decrypt is not the identity");
  } catch (const cc::Error& e) {
    check(typeid(e) == typeid(cc::KeyringError),
          "KeyConfig::fromEnv threw a non-KeyringError:", e.what());
    const std::string message = e.what();
    if (message.find(" is not valid JSON") != std::string::npos) {
      check(!keysValidJson.value_or(false), "valid JSON called a syntax error:", message);
    }
    for (const std::string& key : secretKeys(vars)) {
      bool echoedElsewhere = false;
      for (const std::string& s : notSecret) echoedElsewhere |= s.find(key) != std::string::npos;
      if (echoedElsewhere) continue;
      check(message.find(key) == std::string::npos, "a message holds a key:", message);
      check(message.find(rawKey(key)) == std::string::npos, "a message holds raw key bytes");
    }
  } catch (...) {
    violation("a non-connector_crypto exception escaped KeyConfig::fromEnv");
  }
  return 0;
}
