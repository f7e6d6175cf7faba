// Keyring::reload and the automatic check: re-read the sources, validate, swap one pointer.
#include <ctime>
#include <new>

#include <openssl/crypto.h>

#include "connector_crypto/error.hpp"
#include "key_config_state.hpp"
#include "keyring_state.hpp"

namespace connector_crypto {
namespace detail {
namespace {

// At most one reload per second for envelopes under a kid the keyring does not hold.
constexpr std::int64_t kUnknownKidReloadNanos = 1'000'000'000;

std::vector<NamedKey> namedKeys(KeyConfigState& config) {
  std::vector<NamedKey> keys;
  keys.reserve(config.keys.size());
  for (auto& [kid, key] : config.keys) keys.push_back({kid, std::move(key)});
  return keys;
}

bool sameKey(const KeyEntry& entry, const SecretData& key) noexcept {
  return entry.key().size == key.size() &&
         CRYPTO_memcmp(entry.key().data, key.data(), key.size()) == 0;
}

bool sameOptions(const KeyringOptions& a, const KeyringOptions& b) noexcept {
  return a.requireEncrypted == b.requireEncrypted && a.bindContext == b.bindContext &&
         a.requireContext == b.requireContext;
}

// True when config is the configuration in force: the same kids with the same keys, the same active
// kid and switches.
bool sameConfig(const KeyringState& current, const KeyConfigState& config) noexcept {
  if (current.entries.size() != config.keys.size() || current.active->kid() != config.activeKid ||
      !sameOptions(current.options, config.options)) {
    return false;
  }
  for (const auto& [kid, key] : config.keys) {
    const KeyEntry* entry = current.find(kid);
    if (entry == nullptr || !sameKey(*entry, key)) return false;
  }
  return true;
}

// Reads, validates and swaps in the configuration; the caller holds core.mutex.
ReloadResult reloadLocked(KeyringCore& core) {
  const KeyringState& current = *core.current.load(std::memory_order_acquire);
  ReloadResult result;
  if (!core.lookup) {
    result.ok = true;
    result.message =
        "nothing to re-read: the keyring was not built from the environment (keyringFromEnv); "
        "the configuration is unchanged";
    result.configFingerprint = current.fingerprint;
    return result;
  }
  try {
    std::unique_ptr<KeyConfigState> config =
        readConsistentKeyConfig(*core.lookup, core.intervalOverride);
    for (const auto& [kid, key] : config->keys) {
      const KeyEntry* held = current.find(kid);
      if (held != nullptr && !sameKey(*held, key)) {
        throw KeyringError(config->keysSource + " gives " + kidInMessage(kid) +
                           " a different key than the keyring holds: every envelope under it "
                           "would become unreadable; refused (a restart takes any "
                           "configuration)");
      }
    }
    result.ok = true;
    if (sameConfig(current, *config)) {
      result.message = "the configuration is unchanged";
    } else {
      KeyringOptions options = config->options;
      options.reloadInterval = current.options.reloadInterval;
      const std::string active = config->activeKid;
      const std::string keysSource = config->keysSource;
      const std::string activeSource = config->activeSource;
      core.publish(
          buildState(namedKeys(*config), active, keysSource, activeSource, options, &current));
      result.changed = true;
      result.message = "reloaded a new configuration";
      core.reloadsChanged.fetch_add(1, std::memory_order_relaxed);
    }
    core.reloads.fetch_add(1, std::memory_order_relaxed);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const Error& e) {
    result.message = std::string("reload refused, the current configuration is kept: ") + e.what();
  } catch (...) {
    result.message =
        "reload refused, the current configuration is kept: the EnvLookup threw an exception";
  }
  if (!result.ok) {
    core.reloadFailures.fetch_add(1, std::memory_order_relaxed);
    core.lastError = result.message;
    core.lastErrorTime = std::chrono::system_clock::now();
  }
  result.configFingerprint = core.current.load(std::memory_order_acquire)->fingerprint;
  return result;
}

}  // namespace

std::int64_t monotonicNanos() noexcept {
  struct timespec now {};
#ifdef CLOCK_MONOTONIC_COARSE
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
#else
  clock_gettime(CLOCK_MONOTONIC, &now);
#endif
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

void KeyringCore::checkDue(std::int64_t due) noexcept {
  // One caller claims the check; the others, and every call until the next due time, go on.
  if (!nextCheckNanos.compare_exchange_strong(due, monotonicNanos() + intervalNanos,
                                              std::memory_order_relaxed)) {
    return;
  }
  std::unique_lock<std::mutex> lock(mutex, std::try_to_lock);
  if (!lock.owns_lock()) return;  // an explicit reload is under way
  try {
    reloadLocked(*this);
  } catch (...) {
    // Out of memory: the current configuration stays; the next interval tries again.
  }
}

ReloadResult KeyringCore::reload() {
  const std::lock_guard<std::mutex> lock(mutex);
  return reloadLocked(*this);
}

const KeyringState* KeyringCore::afterUnknownKid(const KeyringState& seen) {
  if (intervalNanos == 0) return nullptr;
  const std::lock_guard<std::mutex> lock(mutex);
  const KeyringState* now = current.load(std::memory_order_acquire);
  if (now != &seen) return now;  // another call reloaded meanwhile
  const std::int64_t time = monotonicNanos();
  if (kidReloadDone && time - lastKidReloadNanos < kUnknownKidReloadNanos) return nullptr;
  kidReloadDone = true;
  lastKidReloadNanos = time;
  if (!reloadLocked(*this).changed) return nullptr;
  return current.load(std::memory_order_acquire);
}

Keyring liveKeyring(const EnvLookup& lookup, std::optional<std::chrono::milliseconds> interval) {
  std::unique_ptr<KeyConfigState> config = readConsistentKeyConfig(lookup, interval);
  auto core = std::make_shared<KeyringCore>();
  core->lookup = lookup;
  core->intervalOverride = interval;
  const KeyringOptions options = config->options;
  core->intervalNanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options.reloadInterval).count();
  core->nextCheckNanos.store(monotonicNanos() + core->intervalNanos, std::memory_order_relaxed);
  const std::string active = config->activeKid;
  core->publish(buildState(namedKeys(*config), active, config->keysSource, config->activeSource,
                           options, nullptr));
  return KeyringAccess::make(std::move(core));
}

}  // namespace detail
}  // namespace connector_crypto
