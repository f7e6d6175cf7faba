// KeyConfig::fromEnv, the one reader of the key configuration: the TypeScript package's environment
// variables, plus _FILE twins and strict mode. keyringFromEnv is KeyConfig::fromEnv + toKeyring.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
constexpr const char* kReloadSecondsVar = "CONNECTOR_CRED_RELOAD_SECONDS";
// Longest automatic reload interval, in seconds.
constexpr unsigned kMaxReloadSeconds = 3600;
// Reads of the whole configuration before giving up while its files keep changing.
constexpr int kConsistentReadAttempts = 4;
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

// strerror_r's text whichever variant the C library declares (GNU: char*, POSIX: int).
[[maybe_unused]] const char* errorText(const char* gnu, const char*) noexcept { return gnu; }
[[maybe_unused]] const char* errorText(int posix, const char* buffer) noexcept {
  return posix == 0 ? buffer : "unknown error";
}

// The system's reason for errno value error ("No such file or directory").
std::string systemReason(int error) {
  char buffer[256] = {};
  return errorText(strerror_r(error, buffer, sizeof buffer), buffer);
}

// Closes a descriptor when it goes out of scope.
struct FileDescriptor {
  int fd;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// Opens path (NUL-terminated) without blocking (a FIFO never hangs), following symlinks
// (Kubernetes secret volumes), and reads it if it is a regular file of at most 1 MiB; on failure,
// returns the reason (with the system's text) and leaves out untouched.
std::string readRegularFile(const char* path, SecretBuffer& out, struct stat& info) {
  const FileDescriptor file{::open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (file.fd < 0) return "cannot open the file: " + systemReason(errno);
  if (::fstat(file.fd, &info) != 0) return "cannot read the file: " + systemReason(errno);
  if (S_ISDIR(info.st_mode)) return "cannot read the file: " + systemReason(EISDIR);
  if (!S_ISREG(info.st_mode)) {
    return "not a regular file (a FIFO, socket or device); point it at the file that holds the "
           "secret";
  }
  if (info.st_size > static_cast<off_t>(kMaxSecretFileBytes))
    return "the file is larger than 1 MiB";
  // Straight into wiped memory (no stdio buffer), at most 1 MiB whatever st_size said.
  SecretBuffer text(kMaxSecretFileBytes + 1);
  std::size_t size = 0;
  for (;;) {
    const ssize_t got = ::read(file.fd, text.data() + size, text.size() - size);
    if (got < 0) {
      if (errno == EINTR) continue;
      return "cannot read the file: " + systemReason(errno);
    }
    if (got == 0) break;
    size += static_cast<std::size_t>(got);
    if (size > kMaxSecretFileBytes) return "the file is larger than 1 MiB";
  }
  text.resize(size);
  out = std::move(text);
  return {};
}

// Reads the secret file at path (NUL-terminated, in wiped memory) for variable; every error names
// the variable and gives the reason. Appends the file to files when it is not nullptr.
SecretBuffer readSecretFile(const std::string& variable, const SecretBuffer& path,
                            std::vector<FileStamp>* files) {
  const std::string_view pathText(path.data(), path.size() - 1);
  SecretBuffer out;
  struct stat info {};
  const std::string problem = readRegularFile(path.data(), out, info);
  if (!problem.empty()) {
    // The path is echoed unless it looks like a key (the key itself set as the _FILE variable).
    throw KeyringError((looksLikeKey(pathText)
                            ? variable + " (a path that looks like a key)"
                            : variable + " (\"" + std::string(pathText) + "\")") +
                       ": " + problem);
  }
  if (files != nullptr) files->push_back({std::string(pathText), info.st_dev, info.st_ino, out});
  return out;
}

// NAME or NAME_FILE (the Docker/Kubernetes secrets convention); both set is an error.
std::optional<Setting> readSetting(const EnvLookup& lookup, const std::string& name,
                                   std::vector<FileStamp>* files) {
  const std::string fileVar = name + "_FILE";
  std::optional<SecretBuffer> direct = lookupSecret(lookup, name);
  std::optional<SecretBuffer> path = lookupSecret(lookup, fileVar);
  if (direct && path) {
    throw KeyringError(name + " and " + fileVar + " are both set; set only one of them");
  }
  if (direct) return Setting{std::move(*direct), name};
  if (path) {
    path->push_back('\0');
    return Setting{readSecretFile(fileVar, *path, files), fileVar};
  }
  return std::nullopt;
}

// A plain variable's value, in wiped memory (a key pasted into the wrong variable leaves no copy).
std::optional<Setting> readPlain(const EnvLookup& lookup, const std::string& name) {
  std::optional<SecretBuffer> value = lookupSecret(lookup, name);
  if (!value) return std::nullopt;
  return Setting{std::move(*value), name};
}

// A kid setting, checked by the kid rule before it leaves wiped memory; read from a file, it is
// trimmed (a file ends with a newline).
std::optional<std::string> readKid(const std::optional<Setting>& setting, bool fromFile) {
  if (!setting) return std::nullopt;
  const std::string_view kid = fromFile ? trimKeyText(setting->view()) : setting->view();
  requireValidKid(kid, setting->source);
  return std::string(kid);
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
  const std::optional<Setting> value = readPlain(lookup, name);
  if (!value || value->view() == "0") return false;
  if (value->view() != "1") {
    throw KeyringError(std::string(name) + " must be 1 (on) or 0, empty or unset (off)");
  }
  return true;
}

// CONNECTOR_CRED_RELOAD_SECONDS: an integer from 1 to 3600; 0, empty or unset is off.
std::chrono::milliseconds readReloadInterval(const EnvLookup& lookup) {
  const std::optional<Setting> value = readPlain(lookup, kReloadSecondsVar);
  if (!value) return std::chrono::milliseconds(0);
  const std::string_view text = value->view();
  unsigned seconds = 0;
  const bool digits =
      !text.empty() && text.size() <= 4 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    for (const char c : text) seconds = seconds * 10 + static_cast<unsigned>(c - '0');
  }
  if (!digits || seconds > kMaxReloadSeconds) {
    throw KeyringError(std::string(kReloadSecondsVar) +
                       " must be a whole number of seconds from 1 to 3600 (how often the key "
                       "files are checked), or 0, empty or unset (off)");
  }
  return std::chrono::seconds(seconds);
}

// The switches, and the reload interval unless the caller gives it (interval).
KeyringOptions readOptions(const EnvLookup& lookup,
                           std::optional<std::chrono::milliseconds> interval) {
  KeyringOptions options;
  options.requireEncrypted = readSwitch(lookup, kRequireEncryptedVar);
  options.bindContext = readSwitch(lookup, kBindContextVar);
  options.requireContext = readSwitch(lookup, kRequireContextVar);
  checkOptions(options, kBindContextVar, kRequireContextVar);
  if (interval) {
    if (interval->count() < 0) throw KeyringError("reloadInterval must not be negative");
    options.reloadInterval = *interval;
  } else {
    options.reloadInterval = readReloadInterval(lookup);
  }
  return options;
}

// True when every file still is the one read: the path (symlinks followed, as when it was read)
// leads to the same file (device, inode) with the same content, whatever its times say.
bool filesUnchanged(const std::vector<FileStamp>& files) {
  for (const FileStamp& file : files) {
    SecretBuffer content;
    struct stat info {};
    if (!readRegularFile(file.path.c_str(), content, info).empty()) return false;
    if (info.st_dev != file.device || info.st_ino != file.inode ||
        content.size() != file.content.size() ||
        CRYPTO_memcmp(content.data(), file.content.data(), content.size()) != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::unique_ptr<KeyConfigState> readKeyConfig(const EnvLookup& lookup,
                                              std::vector<FileStamp>* files,
                                              std::optional<std::chrono::milliseconds> interval) {
  const KeyringOptions options = readOptions(lookup, interval);
  std::optional<Setting> single = readSetting(lookup, kKeyVar, files);
  std::optional<Setting> map = readSetting(lookup, kKeysVar, files);
  const std::optional<Setting> activeSetting = readSetting(lookup, kActiveKidVar, files);
  const std::optional<std::string> activeKid =
      readKid(activeSetting, activeSetting && activeSetting->source != kActiveKidVar);
  const std::string activeSource = activeSetting ? activeSetting->source : kActiveKidVar;

  if (!single && !map) {
    throw KeyringError(std::string(kKeyVar) +
                       " is not set: set it to a base64 32-byte key (connector-crypto keygen), or "
                       "set CONNECTOR_CRED_KEYS; credentials are never stored in plaintext");
  }
  std::vector<NamedKey> keys;
  std::string active;
  std::string keysSource;
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
    active = checkKeys(keys, activeKid.value_or(""), map->source, activeSource);
    keysSource = map->source;
  } else {
    const std::string kid = readKid(readPlain(lookup, kKidVar), false).value_or(kDefaultKid);
    if (activeKid && *activeKid != kid) {
      throw KeyringError(activeSource + " is set but does not match " + kKidVar +
                         (echoableKid(kid) ? " (\"" + kid + "\")" : std::string()) +
                         "; with a single " + single->source +
                         ", use CONNECTOR_CRED_KID, or use CONNECTOR_CRED_KEYS for several keys");
    }
    keys.push_back({kid, decodeKey(single->view(), single->source)});
    active = checkKeys(keys, kid, single->source, kKidVar);
    keysSource = single->source;
  }
  auto state = std::make_unique<KeyConfigState>();
  state->options = options;
  state->activeKid = std::move(active);
  state->keysSource = std::move(keysSource);
  state->activeSource = activeSource;
  for (NamedKey& named : keys) state->keys.emplace(std::move(named.kid), std::move(named.key));
  return state;
}

std::unique_ptr<KeyConfigState> readConsistentKeyConfig(
    const EnvLookup& lookup, std::optional<std::chrono::milliseconds> interval) {
  for (int attempt = 0; attempt < kConsistentReadAttempts; ++attempt) {
    std::vector<FileStamp> files;
    std::unique_ptr<KeyConfigState> config;
    try {
      config = readKeyConfig(lookup, &files, interval);
    } catch (const KeyringError&) {
      // A file replaced while it was read is a rotation under way, not an error: read again.
      if (files.empty() || filesUnchanged(files)) throw;
      continue;
    }
    if (filesUnchanged(files)) return config;
  }
  throw KeyringError(
      "the key files (_FILE variables) changed while they were read, " +
      std::to_string(kConsistentReadAttempts) +
      " times in a row: a rotation is being written; the current configuration is kept");
}

}  // namespace detail

KeyConfig KeyConfig::fromEnv(const EnvLookup& lookup) {
  return KeyConfig(detail::readConsistentKeyConfig(lookup, std::nullopt));
}

KeyConfig KeyConfig::fromEnv() { return fromEnv(processEnvLookup()); }

EnvLookup processEnvLookup() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Keyring keyringFromEnv(const EnvLookup& lookup, std::chrono::milliseconds reloadInterval) {
  return detail::liveKeyring(lookup, reloadInterval);
}

Keyring keyringFromEnv(const EnvLookup& lookup) {
  return detail::liveKeyring(lookup, std::nullopt);
}

Keyring keyringFromEnv() { return keyringFromEnv(processEnvLookup()); }

}  // namespace connector_crypto
