// KeyConfig::fromEnv, the one reader of the key configuration: the TypeScript package's environment
// variables, plus _FILE twins and strict mode. keyringFromEnv is KeyConfig::fromEnv + toKeyring.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include <openssl/crypto.h>

#include "connector_crypto/error.hpp"
#include "connector_crypto/json_whitespace.hpp"
#include "connector_crypto/key_config.hpp"
#include "key_config_state.hpp"
#include "keyring_state.hpp"
#include "utf8.hpp"

namespace connector_crypto {
namespace detail {
namespace {

constexpr const char* kKeyVar = "CONNECTOR_CRED_KEY";
constexpr const char* kKidVar = "CONNECTOR_CRED_KID";
constexpr const char* kKeysVar = "CONNECTOR_CRED_KEYS";
constexpr const char* kActiveKidVar = "CONNECTOR_CRED_ACTIVE_KID";
constexpr const char* kRequireEncryptedVar = "CONNECTOR_CRED_REQUIRE_ENCRYPTED";
constexpr const char* kBindContextVar = "CONNECTOR_CRED_BIND_CONTEXT";
constexpr const char* kRequireContextVar = "CONNECTOR_CRED_REQUIRE_CONTEXT";
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
  const std::string where = looksLikeKey(path) ? variable + " (a path that looks like a key)"
                                               : variable + " (\"" + path + "\")";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw KeyringError(where + ": cannot open the file");
  // Unbuffered: stdio would otherwise read the secret through a 4 KiB buffer it frees unwiped.
  std::setvbuf(f, nullptr, _IONBF, 0);
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

// Parser of CONNECTOR_CRED_KEYS: a flat JSON object (RFC 8259) of kid -> base64 string, nothing
// else. Hand-written rather than nlohmann's SAX parser because nlohmann's lexer copies every token
// into buffers it frees without wiping; here a key's characters go straight from the variable's
// wiped buffer into another wiped buffer. Messages name the kid (when echoable) but never quote
// the text.
class KeysParser {
 public:
  KeysParser(std::string_view text, std::string source) : text_(text), source_(std::move(source)) {}

  // The keys in order of appearance; throws KeyringError.
  std::vector<NamedKey> parse() {
    skipSpace();
    if (at() != '{') {
      if (const char* type = valueType())
        fail(source_ + " must be a JSON object of kid -> base64 key, not " + type);
      syntaxError();
    }
    ++pos_;
    skipSpace();
    std::vector<NamedKey> keys;
    std::set<std::string> seen;
    if (at() == '}') {
      ++pos_;
    } else {
      for (;;) {
        if (at() != '"') syntaxError();
        std::string kid;
        readString(kid);
        if (!seen.insert(kid).second) {
          fail(echoableKid(kid) ? source_ + ": kid \"" + kid + "\" appears twice"
                                : source_ + ": a kid appears twice");
        }
        skipSpace();
        if (at() != ':') syntaxError();
        ++pos_;
        skipSpace();
        if (at() != '"') {
          if (const char* type = valueType()) {
            fail(source_ + ": the key under " + kidInMessage(kid) +
                 " must be a base64 string, not " + type);
          }
          syntaxError();
        }
        SecretBuffer value;
        value.reserve(rawStringLength());  // never reallocated: no partial copy is left behind
        readString(value);
        const std::string where =
            echoableKid(kid) ? source_ + "[\"" + kid + "\"]" : source_ + " (an invalid kid)";
        keys.push_back(
            {std::move(kid), decodeKey(std::string_view(value.data(), value.size()), where)});
        skipSpace();
        if (at() == ',') {
          ++pos_;
          skipSpace();
          continue;
        }
        if (at() != '}') syntaxError();
        ++pos_;
        break;
      }
    }
    skipSpace();
    if (pos_ != text_.size()) syntaxError();
    return keys;
  }

 private:
  static constexpr int kEnd = -1;

  int at() const noexcept {
    return pos_ < text_.size() ? static_cast<unsigned char>(text_[pos_]) : kEnd;
  }
  void skipSpace() noexcept {
    while (pos_ < text_.size() && isJsonWhitespace(text_[pos_])) ++pos_;
  }
  [[noreturn]] void fail(const std::string& message) const { throw KeyringError(message); }
  [[noreturn]] void syntaxError() const {
    fail(source_ + " is not valid JSON (syntax error near byte " + std::to_string(pos_) +
         "); expected {\"kid\":\"<base64 key>\", ...}");
  }
  bool literal(std::string_view word) const noexcept {
    return text_.substr(pos_, word.size()) == word;
  }

  // The type of the well-started non-object value at pos_ (for messages), or nullptr.
  const char* valueType() const noexcept {
    const int c = at();
    if (c == '"') return "a string";
    if (c == '[') return "an array";
    if (c == '{') return "an object";
    if (literal("null")) return "null";
    if (literal("true") || literal("false")) return "a boolean";
    const int next = pos_ + 1 < text_.size() ? static_cast<unsigned char>(text_[pos_ + 1]) : kEnd;
    if ((c >= '0' && c <= '9') || (c == '-' && next >= '0' && next <= '9')) return "a number";
    return nullptr;
  }

  // Bytes from the opening quote at pos_ to the closing one (or the end): at least the decoded
  // length of the string.
  std::size_t rawStringLength() const noexcept {
    std::size_t i = pos_ + 1;
    while (i < text_.size() && text_[i] != '"') i += text_[i] == '\\' ? 2 : 1;
    return i - pos_;
  }

  unsigned hex4() {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const int c = at();
      unsigned d;
      if (c >= '0' && c <= '9')
        d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        d = static_cast<unsigned>(c - 'A' + 10);
      else
        syntaxError();
      v = v * 16 + d;
      ++pos_;
    }
    return v;
  }

  // Reads the string at pos_ (opening quote included) into out, decoding escapes.
  template <typename Out>
  void readString(Out& out) {
    ++pos_;
    for (;;) {
      const int c = at();
      if (c == kEnd || c < 0x20) syntaxError();
      if (c == '"') {
        ++pos_;
        return;
      }
      if (c == '\\') {
        ++pos_;
        const int e = at();
        ++pos_;
        switch (e) {
          case '"':
            out.push_back('"');
            break;
          case '\\':
            out.push_back('\\');
            break;
          case '/':
            out.push_back('/');
            break;
          case 'b':
            out.push_back('\b');
            break;
          case 'f':
            out.push_back('\f');
            break;
          case 'n':
            out.push_back('\n');
            break;
          case 'r':
            out.push_back('\r');
            break;
          case 't':
            out.push_back('\t');
            break;
          case 'u':
            appendCodePoint(out);
            break;
          default:
            --pos_;
            syntaxError();
        }
        continue;
      }
      if (c < 0x80) {
        out.push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      const auto* bytes = reinterpret_cast<const unsigned char*>(text_.data());
      const std::size_t length = utf8SequenceLength(bytes + pos_, bytes + text_.size());
      if (length == 0) syntaxError();
      for (std::size_t i = 0; i < length; ++i) out.push_back(text_[pos_ + i]);
      pos_ += length;
    }
  }

  // After "\u": one code point (a surrogate pair counts as one), appended as UTF-8.
  template <typename Out>
  void appendCodePoint(Out& out) {
    unsigned cp = hex4();
    if (cp >= 0xDC00 && cp <= 0xDFFF) syntaxError();
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (!literal("\\u")) syntaxError();
      pos_ += 2;
      const unsigned low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) syntaxError();
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    const auto put = [&](unsigned v) { out.push_back(static_cast<char>(v)); };
    if (cp < 0x80) {
      put(cp);
    } else if (cp < 0x800) {
      put(0xC0 | (cp >> 6));
      put(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      put(0xE0 | (cp >> 12));
      put(0x80 | ((cp >> 6) & 0x3F));
      put(0x80 | (cp & 0x3F));
    } else {
      put(0xF0 | (cp >> 18));
      put(0x80 | ((cp >> 12) & 0x3F));
      put(0x80 | ((cp >> 6) & 0x3F));
      put(0x80 | (cp & 0x3F));
    }
  }

  std::string_view text_;
  std::string source_;
  std::size_t pos_ = 0;
};

std::vector<NamedKey> parseKeys(const Setting& setting) {
  return KeysParser(setting.view(), setting.source).parse();
}

// The rule of every on/off variable: 1 is on; 0, empty or unset is off; anything else is refused.
bool readSwitch(const EnvLookup& lookup, const char* name) {
  const std::optional<std::string> value = readPlain(lookup, name);
  if (!value || *value == "0") return false;
  if (*value != "1") throw KeyringError(std::string(name) + " must be 1 (on) or 0, empty or unset (off)");
  return true;
}

KeyringOptions readOptions(const EnvLookup& lookup) {
  KeyringOptions options;
  options.requireEncrypted = readSwitch(lookup, kRequireEncryptedVar);
  options.bindContext = readSwitch(lookup, kBindContextVar);
  options.requireContext = readSwitch(lookup, kRequireContextVar);
  checkOptions(options, kBindContextVar, kRequireContextVar);
  return options;
}

}  // namespace
}  // namespace detail

KeyConfig KeyConfig::fromEnv(const EnvLookup& lookup) {
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
  std::vector<NamedKey> keys;
  std::string active;
  if (map) {
    keys = parseKeys(*map);
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
    active = checkKeys(keys, activeKid.value_or(""), map->source, kActiveKidVar);
  } else {
    const std::string kid = readPlain(lookup, kKidVar).value_or(kDefaultKid);
    requireValidKid(kid, kKidVar);
    if (activeKid) requireValidKid(*activeKid, kActiveKidVar);
    if (activeKid && *activeKid != kid) {
      throw KeyringError(std::string(kActiveKidVar) + " is set but does not match " + kKidVar +
                         (echoableKid(kid) ? " (\"" + kid + "\")" : std::string()) +
                         "; with a single " + single->source +
                         ", use CONNECTOR_CRED_KID, or use CONNECTOR_CRED_KEYS for several keys");
    }
    keys.push_back({kid, decodeKey(single->view(), single->source)});
    active = checkKeys(keys, kid, single->source, kKidVar);
  }
  auto state = std::make_unique<KeyConfigState>();
  state->options = options;
  state->activeKid = std::move(active);
  for (NamedKey& named : keys) state->keys.emplace(std::move(named.kid), std::move(named.key));
  return KeyConfig(std::move(state));
}

KeyConfig KeyConfig::fromEnv() { return fromEnv(processEnvLookup()); }

EnvLookup processEnvLookup() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

// One code path: the configuration, then its keyring.
Keyring keyringFromEnv(const EnvLookup& lookup) { return KeyConfig::fromEnv(lookup).toKeyring(); }

Keyring keyringFromEnv() { return KeyConfig::fromEnv().toKeyring(); }

}  // namespace connector_crypto
