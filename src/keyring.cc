// Keyring construction, validation and fingerprints.
#include <algorithm>
#include <array>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base64_fast.hpp"
#include "connector_crypto/error.hpp"
#include "connector_crypto/limits.hpp"
#include "keyring_state.hpp"

namespace connector_crypto {
namespace detail {

KeyEntry::KeyEntry(std::string kid, SecretData key) : kid_(std::move(kid)), key_(std::move(key)) {}

KeyEntry::~KeyEntry() {
  for (KeyShard& shard : shards_) delete shard.cipher.load(std::memory_order_acquire);
}

namespace {

// The first 8 bytes of digest as 16 lowercase hex characters.
std::string hexPrefix(const unsigned char* digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0F]);
  }
  return out;
}

}  // namespace

std::size_t threadShard() noexcept {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kKeyShards;
  return shard;
}

std::uint64_t KeyEntry::encryptions() const noexcept {
  std::uint64_t sum = 0;
  for (const KeyShard& shard : shards_) sum += shard.encryptions.load(std::memory_order_relaxed);
  return sum;
}

std::uint64_t KeyEntry::decryptions() const noexcept {
  std::uint64_t sum = 0;
  for (const KeyShard& shard : shards_) sum += shard.decryptions.load(std::memory_order_relaxed);
  return sum;
}

std::uint64_t KeyEntry::boundDecryptions() const noexcept {
  std::uint64_t sum = 0;
  for (const KeyShard& shard : shards_) {
    sum += shard.boundDecryptions.load(std::memory_order_relaxed);
  }
  return sum;
}

void checkOptions(const KeyringOptions& options, const std::string& bindSource,
                  const std::string& requireSource) {
  if (options.requireContext && !options.bindContext) {
    throw KeyringError(requireSource + " is on but " + bindSource +
                       " is off: the keyring would refuse the unbound envelopes it writes; turn "
                       "on " + bindSource + " first");
  }
}

bool looksLikeKey(std::string_view text) noexcept {
  std::size_t run = 0;
  for (const char c : text) {
    const bool inAlphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '-' || c == '_';
    run = inAlphabet ? run + 1 : 0;
    if (run >= 40) return true;
  }
  return false;
}

bool keyShapedKid(std::string_view kid) noexcept {
  constexpr std::size_t padded = base64EncodedLength(kKeyBytes);  // 44, one '='
  if (kid.size() != padded && kid.size() != padded - 1) return false;
  const auto isUpper = [](char c) { return c >= 'A' && c <= 'Z'; };
  const auto isLower = [](char c) { return c >= 'a' && c <= 'z'; };
  if (std::none_of(kid.begin(), kid.end(), isUpper) ||
      std::none_of(kid.begin(), kid.end(), isLower)) {
    return false;  // a descriptive kid in one case; a random key mixes both but about 1 in 2^31
  }
  // The URL-safe alphabet mapped onto the standard one, and the padding restored: then the strict
  // standard decoder says whether it is the canonical base64 of 32 bytes.
  std::array<char, padded> text{};
  for (std::size_t i = 0; i < kid.size(); ++i) {
    text[i] = kid[i] == '-' ? '+' : kid[i] == '_' ? '/' : kid[i];
  }
  if (kid.size() < padded) text[padded - 1] = '=';
  const std::string_view view(text.data(), text.size());
  std::array<std::uint8_t, kKeyBytes> bytes{};
  const bool key = base64DecodedLength(view) == kKeyBytes && base64DecodeTo(view, bytes.data());
  OPENSSL_cleanse(text.data(), text.size());
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return key;
}

void requireValidKid(std::string_view kid, const std::string& source) {
  if (keyShapedKid(kid)) throw KeyringError(source + " " + kKeyShapedKidProblem);
  if (!isValidKid(kid)) {
    throw KeyringError(source +
                       " is not a valid kid (1 to 64 printable ASCII characters without spaces)");
  }
}

bool echoableKid(std::string_view kid) noexcept { return isValidKid(kid) && !looksLikeKey(kid); }

std::string kidInMessage(std::string_view kid) {
  return echoableKid(kid) ? "kid \"" + std::string(kid) + "\"" : std::string("a kid");
}

namespace {

// Why trimmed, non-empty key text is not a 32-byte key in standard padded base64, after the
// source's name, or "" when only the decoder's canonical check is left. Never quotes the text.
std::string keyTextProblem(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front()) {
    return " is quoted: remove the quotes around the key (a key is bare standard base64, as "
           "`connector-crypto keygen` prints it)";
  }
  std::size_t pad = 0;
  while (pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  const std::string_view body = text.substr(0, text.size() - pad);
  bool urlSafe = false, standard = false;
  for (const char c : body) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    urlSafe = urlSafe || c == '-' || c == '_';
    standard = standard || c == '+' || c == '/';
    if (!alnum && c != '-' && c != '_' && c != '+' && c != '/') urlSafe = standard = true;
  }
  if (urlSafe && standard) {
    return " is not valid standard base64: a character outside A-Z a-z 0-9 + / (a space or line "
           "break inside the key counts), or '=' anywhere but at the end";
  }
  if (body.size() % 4 == 1 || pad > 2 || (pad > 0 && text.size() % 4 != 0)) {
    return " is not valid standard base64: its " + std::to_string(text.size()) +
           " characters (" + std::to_string(pad) +
           " of them '=' padding) cannot be base64 (a character lost or added?)";
  }
  const std::size_t bytes = body.size() / 4 * 3 + (body.size() % 4 == 0 ? 0 : body.size() % 4 - 1);
  if (bytes == 16) {
    return " is a 16-byte key (AES-128): this library needs a 32-byte key (AES-256; mint one "
           "with `connector-crypto keygen`)";
  }
  if (bytes != kKeyBytes) {
    return " is not a base64 32-byte key: it decodes to " + std::to_string(bytes) +
           " bytes (expected 44 characters of standard padded base64, as `connector-crypto "
           "keygen` prints)";
  }
  if (urlSafe) {
    return " is URL-safe base64 ('-', '_'): write the key in standard base64 ('+', '/', '=' "
           "padding), as `connector-crypto keygen` prints it";
  }
  if (pad == 0) {
    return " is unpadded base64: a 32-byte key is 44 characters, the last one '=' (standard "
           "padded base64, as `connector-crypto keygen` prints)";
  }
  return {};
}

}  // namespace

SecretData decodeKey(std::string_view base64, const std::string& source) {
  base64 = trimKeyText(base64);
  if (base64.empty()) throw KeyringError(source + " is empty: expected a base64 32-byte key");
  const std::string problem = keyTextProblem(base64);
  if (!problem.empty()) throw KeyringError(source + problem);
  SecretData key(kKeyBytes);
  if (base64DecodedLength(base64) != kKeyBytes || !base64DecodeTo(base64, key.data())) {
    throw KeyringError(source +
                       " is not canonical base64: the character before '=' has unused bits set "
                       "(a mistyped key?)");
  }
  return key;
}

std::string checkKeys(const std::vector<NamedKey>& keys, const std::string& activeKid,
                      const std::string& keysSource, const std::string& activeSource) {
  if (keys.empty()) throw KeyringError(keysSource + " holds no keys");
  for (auto named = keys.begin(); named != keys.end(); ++named) {
    if (keyShapedKid(named->kid)) {
      throw KeyringError(keysSource + ": a kid " + kKeyShapedKidProblem);
    }
    if (!isValidKid(named->kid)) {
      throw KeyringError(keysSource +
                         " holds an invalid kid (kids are 1 to 64 printable ASCII characters "
                         "without spaces)");
    }
    if (named->key.size() != kKeyBytes) {
      throw KeyringError(keysSource + ": the key under " + kidInMessage(named->kid) +
                         " is not 32 bytes");
    }
    for (auto earlier = keys.begin(); earlier != named; ++earlier) {
      if (CRYPTO_memcmp(earlier->key.data(), named->key.data(), kKeyBytes) == 0) {
        const std::string which = echoableKid(earlier->kid) && echoableKid(named->kid)
                                      ? "kids \"" + earlier->kid + "\" and \"" + named->kid + "\""
                                      : std::string("two kids");
        throw KeyringError(keysSource + ": " + which +
                           " hold the same key (a copy-paste mistake?); each kid needs its "
                           "own key");
      }
    }
    for (auto earlier = keys.begin(); earlier != named; ++earlier) {
      if (earlier->kid == named->kid) {
        throw KeyringError(keysSource + ": " + kidInMessage(named->kid) + " appears twice");
      }
    }
  }
  if (activeKid.empty()) {
    if (keys.size() != 1) {
      throw KeyringError(activeSource + " is required when " + keysSource +
                         " holds more than one key");
    }
    return keys.front().kid;
  }
  requireValidKid(activeKid, activeSource);
  if (std::none_of(keys.begin(), keys.end(),
                   [&](const NamedKey& named) { return named.kid == activeKid; })) {
    throw KeyringError(activeSource + " names " + kidInMessage(activeKid) + ", which " +
                       keysSource + " does not hold");
  }
  return activeKid;
}

std::string keyFingerprint(ByteView key) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t macLen = 0;
  const std::string_view label(kFingerprintLabel);
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data, key.size,
                reinterpret_cast<const unsigned char*>(label.data()), label.size(), mac, sizeof mac,
                &macLen) == nullptr ||
      macLen < 8) {
    throw Error("fingerprint: HMAC-SHA-256 failed");
  }
  return hexPrefix(mac);
}

namespace {

// The configuration fingerprint: SHA-256 over each "kid NUL fingerprint LF" in kid order, then the
// active kid; only key fingerprints enter it, so it reveals nothing more about a key.
std::string configFingerprintOf(const KeyringState& state) {
  std::string text;
  for (const auto& [kid, entry] : state.entries) {
    text += kid;
    text.push_back('\0');
    text += keyFingerprint(entry->key());
    text.push_back('\n');
  }
  text += "active\0";
  text += state.active->kid();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digestLen = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &digestLen, EVP_sha256(), nullptr) != 1 ||
      digestLen < 8) {
    throw Error("configFingerprint: SHA-256 failed");
  }
  return hexPrefix(digest);
}

}  // namespace

std::shared_ptr<KeyringState> buildState(std::vector<NamedKey> keys, const std::string& activeKid,
                                         const std::string& keysSource,
                                         const std::string& activeSource,
                                         const KeyringOptions& options,
                                         const KeyringState* previous) {
  const std::string active = checkKeys(keys, activeKid, keysSource, activeSource);
  checkOptions(options, "options.bindContext", "options.requireContext");
  auto state = std::make_shared<KeyringState>();
  state->options = options;
  if (previous != nullptr) state->counters = previous->counters;
  for (NamedKey& named : keys) {
    std::shared_ptr<const KeyEntry> entry;
    if (previous != nullptr) {
      auto it = previous->entries.find(named.kid);
      if (it != previous->entries.end() && it->second->key().size == named.key.size() &&
          CRYPTO_memcmp(it->second->key().data, named.key.data(), named.key.size()) == 0) {
        entry = it->second;
      }
    }
    if (!entry) entry = std::make_shared<const KeyEntry>(named.kid, std::move(named.key));
    std::string kid = named.kid;
    state->entries.emplace(std::move(kid), std::move(entry));
  }
  state->active = state->find(active);
  state->fingerprint = configFingerprintOf(*state);
  return state;
}

void KeyringCore::publish(std::shared_ptr<KeyringState> state) {
  state->core = this;
  history.push_back(state);
  current.store(state.get(), std::memory_order_release);
}

Keyring buildKeyring(std::vector<NamedKey> keys, const std::string& activeKid,
                     const std::string& keysSource, const std::string& activeSource,
                     const KeyringOptions& options) {
  auto core = std::make_shared<KeyringCore>();
  core->publish(buildState(std::move(keys), activeKid, keysSource, activeSource, options, nullptr));
  return KeyringAccess::make(std::move(core));
}

}  // namespace detail

const char* kidProblem(std::string_view kid) noexcept {
  if (kid.empty() || kid.size() > kMaxKidLength ||
      !std::all_of(kid.begin(), kid.end(), [](char c) { return c > 0x20 && c < 0x7F; })) {
    return "must be 1 to 64 printable ASCII characters without spaces";
  }
  if (detail::keyShapedKid(kid)) return detail::kKeyShapedKidProblem;
  return nullptr;
}

bool isValidKid(std::string_view kid) noexcept { return kidProblem(kid) == nullptr; }

Keyring::Keyring(std::shared_ptr<detail::KeyringCore> core) noexcept : core_(std::move(core)) {}

Keyring::Keyring(Keyring&& other) noexcept : core_(other.core_) {}

Keyring& Keyring::operator=(Keyring&& other) noexcept {
  core_ = other.core_;
  return *this;
}

Keyring Keyring::fromBase64(const std::map<std::string, std::string>& kidToKey,
                            const std::string& activeKid, const KeyringOptions& options) {
  std::vector<detail::NamedKey> keys;
  keys.reserve(kidToKey.size());
  for (const auto& [kid, base64] : kidToKey) {
    const std::string source = detail::echoableKid(kid) ? "kidToKey[\"" + kid + "\"]"
                                                        : std::string("kidToKey (an invalid kid)");
    keys.push_back({kid, detail::decodeKey(base64, source)});
  }
  return detail::buildKeyring(std::move(keys), activeKid, "kidToKey", "activeKid", options);
}

std::string Keyring::activeKid() const { return detail::KeyringAccess::state(*this).active->kid(); }

std::vector<std::string> Keyring::kids() const {
  const detail::KeyringState& state = detail::KeyringAccess::state(*this);
  std::vector<std::string> out;
  out.reserve(state.entries.size());
  for (const auto& entry : state.entries) out.push_back(entry.first);
  return out;
}

bool Keyring::contains(std::string_view kid) const noexcept {
  return detail::KeyringAccess::state(*this).find(kid) != nullptr;
}

std::string Keyring::fingerprint(std::string_view kid) const {
  const detail::KeyEntry* entry = detail::KeyringAccess::state(*this).find(kid);
  if (entry == nullptr) {
    throw UnknownKidError(detail::echoableKid(kid)
                              ? "fingerprint: kid \"" + std::string(kid) +
                                    "\" is not in the keyring"
                              : std::string("fingerprint: the kid is not in the keyring"));
  }
  return detail::keyFingerprint(entry->key());
}

KeyringOptions Keyring::options() const noexcept {
  return detail::KeyringAccess::state(*this).options;
}

std::string Keyring::configFingerprint() const {
  return detail::KeyringAccess::state(*this).fingerprint;
}

KeyringStats Keyring::stats() const {
  const detail::KeyringState& state = detail::KeyringAccess::state(*this);
  KeyringStats out;
  for (const auto& [kid, entry] : state.entries) {
    const std::uint64_t bound = entry->boundDecryptions();
    out.perKid[kid] = {entry->encryptions(), entry->decryptions(), bound};
    out.boundOpened += bound;
    out.unboundOpened += entry->decryptions() - bound;
  }
  out.plaintextPassthroughs = state.counters->plaintextPassthroughs.load(std::memory_order_relaxed);
  out.plaintextRejected = state.counters->plaintextRejected.load(std::memory_order_relaxed);
  out.configFingerprint = state.fingerprint;
  const detail::KeyringCore& core = detail::KeyringAccess::core(*this);
  out.reloads = core.reloads.load(std::memory_order_relaxed);
  out.reloadsChanged = core.reloadsChanged.load(std::memory_order_relaxed);
  out.reloadFailures = core.reloadFailures.load(std::memory_order_relaxed);
  const std::lock_guard<std::mutex> lock(core.mutex);
  out.lastReloadError = core.lastError;
  out.lastReloadErrorTime = core.lastErrorTime;
  out.contextIgnored = state.counters->contextIgnored.load(std::memory_order_relaxed);
  return out;
}

ReloadResult Keyring::reload() const { return detail::KeyringAccess::core(*this).reload(); }

bool Keyring::reloadable() const noexcept {
  return detail::KeyringAccess::core(*this).lookup.has_value();
}

}  // namespace connector_crypto
