// keyringFromEnv: the TypeScript package's environment variables, plus _FILE twins and strict mode.
#include <cstdio>
#include <cstdlib>
#include <set>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "connector_crypto/error.hpp"
#include "keyring_state.hpp"

namespace connector_crypto {
namespace detail {
namespace {

constexpr const char* kKeyVar = "CONNECTOR_CRED_KEY";
constexpr const char* kKidVar = "CONNECTOR_CRED_KID";
constexpr const char* kKeysVar = "CONNECTOR_CRED_KEYS";
constexpr const char* kActiveKidVar = "CONNECTOR_CRED_ACTIVE_KID";
constexpr const char* kRequireEncryptedVar = "CONNECTOR_CRED_REQUIRE_ENCRYPTED";
// Largest secret file read for a _FILE variable.
constexpr std::size_t kMaxSecretFileBytes = 1024 * 1024;

// A variable's text, wiped when freed, and how to name it in messages.
struct Setting {
  SecretBuffer text;
  std::string source;
  std::string_view view() const noexcept { return {text.data(), text.size()}; }
};

// The value of name, copied into wiped memory; the lookup's own copy is wiped. Empty counts as unset.
std::optional<SecretBuffer> lookupSecret(const EnvLookup& lookup, const std::string& name) {
  std::optional<std::string> value = lookup(name);
  if (!value) return std::nullopt;
  SecretBuffer out(value->begin(), value->end());
  OPENSSL_cleanse(value->data(), value->size());
  if (out.empty()) return std::nullopt;
  return out;
}

SecretBuffer readSecretFile(const std::string& variable, const std::string& path) {
  // The path is echoed unless it looks like a key (the key itself set as the _FILE variable).
  const std::string where =
      looksLikeKey(path) ? variable + " (a path that looks like a key)" : variable + " (\"" + path + "\")";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw KeyringError(where + ": cannot open the file");
  SecretBuffer out;
  char chunk[4096];
  for (;;) {
    const std::size_t got = std::fread(chunk, 1, sizeof chunk, f);
    if (out.size() + got > kMaxSecretFileBytes) {
      std::fclose(f);
      OPENSSL_cleanse(chunk, sizeof chunk);
      throw KeyringError(where + ": the file is larger than 1 MiB");
    }
    out.insert(out.end(), chunk, chunk + got);
    if (got < sizeof chunk) break;
  }
  const bool readError = std::ferror(f) != 0;
  std::fclose(f);
  OPENSSL_cleanse(chunk, sizeof chunk);
  if (readError) throw KeyringError(where + ": cannot read the file");
  return out;
}

// NAME or NAME_FILE (the Docker/Kubernetes secrets convention); both set is an error.
std::optional<Setting> readSetting(const EnvLookup& lookup, const std::string& name) {
  const std::string fileVar = name + "_FILE";
  std::optional<SecretBuffer> direct = lookupSecret(lookup, name);
  std::optional<std::string> path = lookup(fileVar);
  if (path && path->empty()) path.reset();
  if (direct && path) {
    throw KeyringError(name + " and " + fileVar + " are both set; set only one of them");
  }
  if (direct) return Setting{std::move(*direct), name};
  if (path) return Setting{readSecretFile(fileVar, *path), fileVar};
  return std::nullopt;
}

std::optional<std::string> readPlain(const EnvLookup& lookup, const std::string& name) {
  std::optional<std::string> value = lookup(name);
  if (value && value->empty()) value.reset();
  return value;
}

// SAX handler for CONNECTOR_CRED_KEYS: a flat JSON object of kid -> base64 string, nothing else.
// Messages name the kid (when valid) but never quote the text, which holds keys.
class KeysParser final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit KeysParser(std::string source) : source_(std::move(source)) {}

  bool null() override { return wrongType("null"); }
  bool boolean(bool) override { return wrongType("a boolean"); }
  bool number_integer(number_integer_t) override { return wrongType("a number"); }
  bool number_unsigned(number_unsigned_t) override { return wrongType("a number"); }
  bool number_float(number_float_t, const string_t&) override { return wrongType("a number"); }
  bool binary(binary_t&) override { return wrongType("binary"); }
  bool string(string_t& val) override {
    if (depth_ != 1) {
      OPENSSL_cleanse(val.data(), val.size());
      return wrongType("a string");
    }
    SecretBuffer text(val.begin(), val.end());
    OPENSSL_cleanse(val.data(), val.size());
    const std::string where =
        echoableKid(kid_) ? source_ + "[\"" + kid_ + "\"]" : source_ + " (an invalid kid)";
    try {
      keys.push_back({kid_, decodeKey(std::string_view(text.data(), text.size()), where)});
    } catch (const KeyringError& e) {
      error = e.what();
      return false;
    }
    return true;
  }
  bool start_object(std::size_t) override {
    if (depth_ != 0) return wrongType("an object");
    depth_ = 1;
    return true;
  }
  bool key(string_t& val) override {
    kid_ = val;
    if (!seen_.insert(val).second) {
      error = echoableKid(kid_) ? source_ + ": kid \"" + kid_ + "\" appears twice"
                               : source_ + ": a kid appears twice";
      return false;
    }
    return true;
  }
  bool end_object() override {
    depth_ = 0;
    return true;
  }
  bool start_array(std::size_t) override { return wrongType("an array"); }
  bool end_array() override { return wrongType("an array"); }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception&) override {
    // Never forward the exception's text or the token: they quote the input.
    error = source_ + " is not valid JSON (syntax error near byte " + std::to_string(position) +
            "); expected {\"kid\":\"<base64 key>\", ...}";
    return false;
  }

  std::vector<NamedKey> keys;
  std::string error;

 private:
  bool wrongType(const char* what) {
    if (depth_ == 0) {
      error = source_ + " must be a JSON object of kid -> base64 key, not " + what;
    } else {
      error = source_ + ": the key under " +
              kidInMessage(kid_) +
              " must be a base64 string, not " + what;
    }
    return false;
  }

  std::string source_;
  std::string kid_;
  std::set<std::string> seen_;
  int depth_ = 0;
};

std::vector<NamedKey> parseKeys(const Setting& setting) {
  KeysParser parser(setting.source);
  bool ok = false;
  try {
    ok = nlohmann::json::sax_parse(setting.text.begin(), setting.text.end(), &parser,
                                   nlohmann::json::input_format_t::json, true, false);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    throw KeyringError(setting.source + " is not valid JSON");
  }
  if (!ok) {
    throw KeyringError(parser.error.empty() ? setting.source + " is not valid JSON" : parser.error);
  }
  return std::move(parser.keys);
}

KeyringOptions readOptions(const EnvLookup& lookup) {
  KeyringOptions options;
  const std::optional<std::string> strict = readPlain(lookup, kRequireEncryptedVar);
  if (strict && *strict != "0") {
    if (*strict != "1") {
      throw KeyringError(std::string(kRequireEncryptedVar) +
                         " must be 1 (on) or 0, empty or unset (off)");
    }
    options.requireEncrypted = true;
  }
  return options;
}

}  // namespace
}  // namespace detail

Keyring keyringFromEnv(const EnvLookup& lookup) {
  using namespace detail;
  const KeyringOptions options = readOptions(lookup);
  std::optional<Setting> single = readSetting(lookup, kKeyVar);
  std::optional<Setting> map = readSetting(lookup, kKeysVar);
  const std::optional<std::string> activeKid = readPlain(lookup, kActiveKidVar);

  if (!single && !map) {
    throw KeyringError(std::string(kKeyVar) +
                       " is not set: set it to a base64 32-byte key (connector-crypto keygen), or "
                       "set CONNECTOR_CRED_KEYS; credentials are never stored in plaintext");
  }
  if (map) {
    std::vector<NamedKey> keys = parseKeys(*map);
    if (single) {
      // Mid-rotation the old single key stays in the map; anything else is two configurations.
      const SecretData key = decodeKey(single->view(), single->source);
      const bool inMap = std::any_of(keys.begin(), keys.end(), [&](const NamedKey& k) {
        return k.key.size() == key.size() && CRYPTO_memcmp(k.key.data(), key.data(), key.size()) == 0;
      });
      if (!inMap) {
        throw KeyringError(single->source + " and " + map->source +
                           " are both set and the single key is not in the map: two "
                           "contradicting configurations; keep only " +
                           map->source);
      }
    }
    return buildKeyring(std::move(keys), activeKid.value_or(""), map->source, kActiveKidVar,
                        options);
  }
  const std::string kid = readPlain(lookup, kKidVar).value_or("v1");
  if (!isValidKid(kid)) {
    throw KeyringError(std::string(kKidVar) +
                       " is not a valid kid (1 to 64 printable ASCII characters without spaces)");
  }
  if (activeKid && *activeKid != kid) {
    throw KeyringError(std::string(kActiveKidVar) + " is set but does not match " + kKidVar +
                       (echoableKid(kid) ? " (\"" + kid + "\")" : std::string()) +
                       "; with a single " + single->source +
                       ", use CONNECTOR_CRED_KID, or use CONNECTOR_CRED_KEYS for several keys");
  }
  std::vector<NamedKey> keys;
  keys.push_back({kid, decodeKey(single->view(), single->source)});
  return buildKeyring(std::move(keys), kid, single->source, kKidVar, options);
}

Keyring keyringFromEnv() {
  return keyringFromEnv([](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

}  // namespace connector_crypto
