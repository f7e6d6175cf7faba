// Internal: what a Keyring holds. Not a public header; key bytes never leave the library.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aead.hpp"
#include "connector_crypto/error.hpp"
#include "connector_crypto/keyring.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace detail {

// Shards of a key's per-thread state; a thread always uses the same one (threadShard()).
inline constexpr std::size_t kKeyShards = 16;

// This thread's shard, assigned round-robin when it first asks.
std::size_t threadShard() noexcept;

// One shard of a key: a ready cipher context and the counters, alone on a cache line so that
// threads on different shards never write the same line.
struct alignas(64) KeyShard {
  std::atomic<Aes256Gcm*> cipher{nullptr};
  std::atomic<std::uint64_t> encryptions{0};
  std::atomic<std::uint64_t> decryptions{0};
  std::atomic<std::uint64_t> boundDecryptions{0};
};

// One key under one kid, with a cipher context (key schedule set once) and counters per shard.
// The contexts die with the entry, so they are keyed by key identity, never by an address that a
// later keyring could reuse.
class KeyEntry {
 public:
  KeyEntry(std::string kid, SecretData key);
  ~KeyEntry();
  KeyEntry(const KeyEntry&) = delete;
  KeyEntry& operator=(const KeyEntry&) = delete;

  const std::string& kid() const noexcept { return kid_; }
  ByteView key() const noexcept { return {key_.data(), key_.size()}; }

  // Runs fn with this thread's cipher context for the key: taken out of the thread's shard
  // (created when empty) and put back afterwards, so no two threads ever share a context.
  template <typename Fn>
  auto withCipher(Fn&& fn) const {
    KeyShard& shard = shards_[threadShard()];
    std::unique_ptr<Aes256Gcm> cipher(shard.cipher.exchange(nullptr, std::memory_order_acquire));
    if (!cipher) cipher = std::make_unique<Aes256Gcm>(key());
    struct PutBack {
      KeyShard& shard;
      std::unique_ptr<Aes256Gcm>& cipher;
      ~PutBack() { delete shard.cipher.exchange(cipher.release(), std::memory_order_acq_rel); }
    } putBack{shard, cipher};
    return fn(*cipher);
  }

  void countEncryption() const noexcept {
    shards_[threadShard()].encryptions.fetch_add(1, std::memory_order_relaxed);
  }
  // An envelope opened under this key, bound or not.
  void countDecryption(bool bound) const noexcept {
    KeyShard& shard = shards_[threadShard()];
    shard.decryptions.fetch_add(1, std::memory_order_relaxed);
    if (bound) shard.boundDecryptions.fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t encryptions() const noexcept;
  std::uint64_t decryptions() const noexcept;
  std::uint64_t boundDecryptions() const noexcept;

 private:
  std::string kid_;
  SecretData key_;
  mutable std::array<KeyShard, kKeyShards> shards_;
};

// Counters that outlive a reload: every configuration of a keyring shares them.
struct KeyringCounters {
  std::atomic<std::uint64_t> plaintextPassthroughs{0};
  std::atomic<std::uint64_t> plaintextRejected{0};
  std::atomic<std::uint64_t> contextIgnored{0};
};

struct KeyringCore;

// One configuration of a keyring: immutable once published. Entries are shared with the
// configurations before and after it that hold the same kid and key (their contexts and counters
// survive a reload).
struct KeyringState {
  std::map<std::string, std::shared_ptr<const KeyEntry>, std::less<>> entries;
  const KeyEntry* active = nullptr;
  KeyringOptions options;
  // Keyring::configFingerprint().
  std::string fingerprint;
  std::shared_ptr<KeyringCounters> counters = std::make_shared<KeyringCounters>();
  // The keyring this configuration belongs to (set when published; it outlives the state).
  KeyringCore* core = nullptr;

  // The entry under kid, or nullptr.
  const KeyEntry* find(std::string_view kid) const noexcept {
    auto it = entries.find(kid);
    return it == entries.end() ? nullptr : it->second.get();
  }
};

// This process's monotonic clock in nanoseconds, as cheap as the system allows (a coarse clock).
std::int64_t monotonicNanos() noexcept;

// What every copy of a keyring shares: the configuration in force (one atomic pointer: the hot
// path never locks), every configuration it replaced (kept, so a call that started under one
// finishes under it, until the last copy dies), and what reload needs.
struct KeyringCore {
  std::atomic<const KeyringState*> current{nullptr};
  // The sources (keyringFromEnv), or nullopt (fromBase64, KeyConfig::toKeyring).
  std::optional<EnvLookup> lookup;
  // CONNECTOR_CRED_RELOAD_SECONDS replaced by the caller (keyringFromEnv's interval argument).
  std::optional<std::chrono::milliseconds> intervalOverride;
  // Automatic reload period in nanoseconds (0: off); fixed at construction.
  std::int64_t intervalNanos = 0;
  // When the next automatic check is due (monotonicNanos), claimed by compare-exchange.
  std::atomic<std::int64_t> nextCheckNanos{0};
  // The last reload for an unknown kid (at most one per second).
  std::int64_t lastKidReloadNanos = 0;  // guarded by mutex
  bool kidReloadDone = false;           // guarded by mutex

  // Serialises reloads and guards what follows.
  mutable std::mutex mutex;
  std::vector<std::shared_ptr<const KeyringState>> history;
  std::string lastError;
  std::chrono::system_clock::time_point lastErrorTime{};
  std::atomic<std::uint64_t> reloads{0};
  std::atomic<std::uint64_t> reloadsChanged{0};
  std::atomic<std::uint64_t> reloadFailures{0};

  KeyringCore() = default;
  KeyringCore(const KeyringCore&) = delete;
  KeyringCore& operator=(const KeyringCore&) = delete;

  // Publishes state as the configuration in force (the caller holds mutex, or owns the core).
  void publish(std::shared_ptr<KeyringState> state);

  // The configuration in force; first, when automatic reload is on and the interval has elapsed,
  // the one caller that claims the check re-reads the sources (the others go on without waiting).
  const KeyringState& load() noexcept {
    if (intervalNanos != 0) {
      const std::int64_t due = nextCheckNanos.load(std::memory_order_relaxed);
      if (monotonicNanos() >= due) checkDue(due);
    }
    return *current.load(std::memory_order_acquire);
  }
  // The automatic check, for the caller that wins the compare-exchange on nextCheckNanos.
  void checkDue(std::int64_t due) noexcept;
  // Keyring::reload.
  ReloadResult reload();
  // After an UnknownKidError under seen: the configuration to retry with (reloaded at most once per
  // second when automatic reload is on), or nullptr when there is none newer than seen.
  const KeyringState* afterUnknownKid(const KeyringState& seen);
};

// Lets the library's own code reach a Keyring's state.
struct KeyringAccess {
  // The configuration a call uses from start to end.
  static const KeyringState& state(const Keyring& keyring) noexcept {
    return keyring.core_->load();
  }
  static KeyringCore& core(const Keyring& keyring) noexcept { return *keyring.core_; }
  static Keyring make(std::shared_ptr<KeyringCore> core) noexcept {
    return Keyring(std::move(core));
  }
};

// Runs fn(state) under the keyring's configuration; when it throws UnknownKidError and a newer
// configuration is found (afterUnknownKid), runs it once more under that one (item "activation
// race": an envelope under a kid another instance has just activated).
template <typename Fn>
auto withKidRetry(const Keyring& keyring, Fn&& fn) {
  const KeyringState& state = KeyringAccess::state(keyring);
  const KeyringState* fresh = nullptr;
  try {
    return fn(state);
  } catch (const UnknownKidError&) {
    fresh = KeyringAccess::core(keyring).afterUnknownKid(state);
    if (fresh == nullptr) throw;
  }
  return fn(*fresh);
}

// A decoded key under a kid, for building a keyring.
struct NamedKey {
  std::string kid;
  SecretData key;
};

// Validates kids, key sizes, distinct key bytes and the active kid, and returns the active kid: the
// one set of keyring rules (Keyring::fromBase64, KeyConfig::fromEnv and so keyringFromEnv).
// `keysSource` and `activeSource` name the variable or parameter in error messages. An empty
// activeKid selects the only key.
std::string checkKeys(const std::vector<NamedKey>& keys, const std::string& activeKid,
                      const std::string& keysSource, const std::string& activeSource);

// Throws KeyringError, naming the two switches by their sources, for options that contradict each
// other (requireContext without bindContext).
void checkOptions(const KeyringOptions& options, const std::string& bindSource,
                  const std::string& requireSource);

// checkKeys and checkOptions, then the configuration of those keys; entries of previous under the
// same kid with the same key are shared (previous: nullptr, or the configuration replaced).
std::shared_ptr<KeyringState> buildState(std::vector<NamedKey> keys, const std::string& activeKid,
                                         const std::string& keysSource,
                                         const std::string& activeSource,
                                         const KeyringOptions& options,
                                         const KeyringState* previous);

// The first 16 lowercase hex characters of HMAC-SHA-256(key, kFingerprintLabel).
std::string keyFingerprint(ByteView key);

// keyringFromEnv: the configuration read through lookup, and lookup kept for reload. interval, when
// set, replaces CONNECTOR_CRED_RELOAD_SECONDS.
Keyring liveKeyring(const EnvLookup& lookup, std::optional<std::chrono::milliseconds> interval);

// buildState, then a keyring holding it (no sources: nothing to reload).
Keyring buildKeyring(std::vector<NamedKey> keys, const std::string& activeKid,
                     const std::string& keysSource, const std::string& activeSource,
                     const KeyringOptions& options);

// True when text holds a run of 40 or more base64 or base64url characters: what key material looks
// like, so it is never echoed in a message, wherever it was pasted.
bool looksLikeKey(std::string_view text) noexcept;

// What kidProblem says of a kid that is a key (keyShapedKid), after the kid's source.
inline constexpr const char* kKeyShapedKidProblem =
    "must not be a key: it decodes as base64 to 32 bytes, and every envelope stores its kid in "
    "clear (name keys v1, v2, ...)";

// True when kid is the canonical standard or URL-safe base64, padded or not, of 32 bytes and mixes
// upper- and lowercase letters: a key pasted as a kid (kidProblem's rule).
bool keyShapedKid(std::string_view kid) noexcept;

// Throws KeyringError naming source (never echoing kid) when kid is not a valid kid.
void requireValidKid(std::string_view kid, const std::string& source);

// True when kid may appear in a message: a valid kid that does not look like a key.
bool echoableKid(std::string_view kid) noexcept;

// `kid "<kid>"` for an echoable kid, else `a kid`.
std::string kidInMessage(std::string_view kid);

// The one whitespace rule of key text: the ASCII spaces (' ', '\t', '\n', '\r', '\f', '\v') that
// surround a key pasted from a secrets store or written to a file with a trailing newline. (The
// whitespace between the members of CONNECTOR_CRED_KEYS is JSON's: isJsonWhitespace.)
constexpr bool isKeyTextSpace(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// text without the key-text spaces around it.
constexpr std::string_view trimKeyText(std::string_view text) noexcept {
  while (!text.empty() && isKeyTextSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isKeyTextSpace(text.back())) text.remove_suffix(1);
  return text;
}

// Decodes a base64 key after trimKeyText; throws KeyringError naming source.
SecretData decodeKey(std::string_view base64, const std::string& source);

}  // namespace detail
}  // namespace connector_crypto
