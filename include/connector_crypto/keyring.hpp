// Keyring: the AES-256 keys a service holds, each under a key id (kid), and the active kid.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector_crypto/config.hpp"

namespace connector_crypto {

namespace detail {
struct KeyringCore;
struct KeyringAccess;
}  // namespace detail

// Options of a keyring; a struct so later options need no new signature.
struct KeyringOptions {
  // Strict mode: decryptCredentials throws PlaintextRejectedError on non-null legacy plaintext
  // instead of passing it through. Off by default (the TypeScript package always passes it through).
  bool requireEncrypted = false;
  // Bind new envelopes to their records: encrypt and rewrap write bound envelopes under the
  // caller's EncryptionContext, and refuse (kContextRequired) a non-null value without one. Off by
  // default (CONNECTOR_CRED_BIND_CONTEXT): a given context is then accepted and unbound envelopes
  // are written.
  bool bindContext = false;
  // Refuse unbound envelopes on read (EnvelopeError kContextRequiredByKeyring or kUnboundRefused).
  // Needs bindContext (KeyringError otherwise: it would refuse what it writes). Off by default
  // (CONNECTOR_CRED_REQUIRE_CONTEXT); turn on once no unbound envelope remains (docs/ROTATION.md).
  bool requireContext = false;
  // Automatic reload (keyringFromEnv keyrings): at most once per interval, the first call that
  // finds the interval elapsed re-reads the sources and swaps in a changed configuration
  // (Keyring::reload). Zero, the default, is off (CONNECTOR_CRED_RELOAD_SECONDS). No thread is
  // started.
  std::chrono::milliseconds reloadInterval{0};
};

// What Keyring::reload did. Never holds a key.
struct ReloadResult {
  // True when the sources were read and validated (the configuration in force is theirs).
  bool ok = false;
  // True when a different configuration was swapped in.
  bool changed = false;
  // Why it failed (naming the variable at fault), or what it did.
  std::string message;
  // Keyring::configFingerprint() after the call.
  std::string configFingerprint;
};

// A snapshot of a keyring's counters (relaxed atomics: each figure is exact, the set is not a
// single instant).
struct KeyringStats {
  struct PerKid {
    std::uint64_t encryptions = 0;
    std::uint64_t decryptions = 0;       // envelopes opened, bound or not
    std::uint64_t boundDecryptions = 0;  // of which bound envelopes
  };
  // Envelopes written and opened under each kid the keyring holds.
  std::map<std::string, PerKid> perKid;
  // Envelopes opened (decrypt, rewrap, encrypt checking an envelope), bound and unbound.
  std::uint64_t boundOpened = 0;
  std::uint64_t unboundOpened = 0;
  // Non-null plaintext that decryptCredentials returned unchanged.
  std::uint64_t plaintextPassthroughs = 0;
  // Non-null plaintext that strict mode refused.
  std::uint64_t plaintextRejected = 0;
  // Calls of encrypt or rewrap (value and text forms) given a context that bound nothing because
  // bindContext is off: each wrote or left an unbound envelope where, with the switch, it would
  // have been bound. Expected during rollout stage 2 (contexts passed, switch off); above 0 once
  // every service should bind means the switch is missing (CONNECTOR_CRED_BIND_CONTEXT=1).
  std::uint64_t contextIgnored = 0;
  // Keyring::configFingerprint(): which configuration is in force.
  std::string configFingerprint;
  // Reloads (explicit or automatic) that read and validated the sources, changed or not.
  std::uint64_t reloads = 0;
  // Of which those that swapped in a different configuration.
  std::uint64_t reloadsChanged = 0;
  // Reloads refused (current configuration kept), and the last one's message and time.
  std::uint64_t reloadFailures = 0;
  std::string lastReloadError;
  std::chrono::system_clock::time_point lastReloadErrorTime{};
};

// A set of 32-byte keys under kids, with one active kid; copies share the same keys, counters and
// reloads. Safe to share between threads. Key bytes are never exposed and are wiped when freed.
// Each call uses one configuration from start to end; a keyring built by keyringFromEnv can swap in
// a new one (reload), and keeps the configurations it replaced (wiped) until its last copy dies.
class CONNECTOR_CRYPTO_API Keyring {
 public:
  // Builds a keyring from kid -> standard base64 key (32 bytes once decoded), with the same validation
  // as keyringFromEnv. An empty activeKid is allowed when the map holds exactly one kid.
  static Keyring fromBase64(const std::map<std::string, std::string>& kidToKey,
                            const std::string& activeKid, const KeyringOptions& options = {});

  Keyring(const Keyring&) noexcept = default;
  Keyring& operator=(const Keyring&) noexcept = default;
  // A move copies: the moved-from keyring stays a valid keyring sharing the same keys (its
  // accessors are noexcept and must never meet a null state).
  Keyring(Keyring&& other) noexcept;
  Keyring& operator=(Keyring&& other) noexcept;
  ~Keyring() = default;

  // The kid that encryptCredentials writes under (a copy: a reload may change it).
  std::string activeKid() const;
  // Every kid the keyring holds, sorted.
  std::vector<std::string> kids() const;
  // True when the keyring holds a key under kid.
  bool contains(std::string_view kid) const noexcept;
  // First 16 lowercase hex characters of HMAC-SHA-256(key, kFingerprintLabel); throws UnknownKidError.
  std::string fingerprint(std::string_view kid) const;
  // The options in force.
  KeyringOptions options() const noexcept;
  // 16 lowercase hex characters naming the configuration: the set of (kid, fingerprint(kid)) and
  // the active kid. Reveals nothing about a key beyond fingerprint(kid).
  std::string configFingerprint() const;
  // The counters since construction, and the reload history.
  KeyringStats stats() const;

  // Re-reads the sources the keyring was built from (keyringFromEnv: the same EnvLookup and rules),
  // validates the whole configuration and only then swaps it in. Refused, keeping the current
  // configuration: any KeyConfig::fromEnv error, a held kid given different key bytes, a file that
  // changed while it was read (after a few retries). Dropping a kid is allowed. A keyring from
  // fromBase64 has nothing to re-read (ok, unchanged). Throws nothing but std::bad_alloc.
  ReloadResult reload() const;
  // True when the keyring has sources to re-read (built by keyringFromEnv).
  bool reloadable() const noexcept;

 private:
  explicit Keyring(std::shared_ptr<detail::KeyringCore> core) noexcept;
  std::shared_ptr<detail::KeyringCore> core_;
  friend struct detail::KeyringAccess;
};

// The fixed message whose HMAC under a key is that key's fingerprint (docs/FORMAT.md).
inline constexpr const char* kFingerprintLabel = "connector-crypto key fingerprint v1";

// Why kid cannot be a kid, as a phrase to follow its name ("--kid must be ..."), or nullptr when it
// can. A kid is 1 to kMaxKidLength printable ASCII characters without spaces, and not a key: every
// envelope stores its kid in clear, so a kid that decodes as standard or URL-safe base64 (padded or
// not, canonical) to exactly 32 bytes and mixes upper- and lowercase letters, as every random key
// but about one in 2^31 does, is refused. Descriptive kids written in one case
// ("prod-connector-credentials-primary-key-2024") stay valid whatever their length.
CONNECTOR_CRYPTO_API const char* kidProblem(std::string_view kid) noexcept;

// True when kidProblem(kid) is nullptr: the one kid rule of keyrings, keyringFromEnv and the CLI.
CONNECTOR_CRYPTO_API bool isValidKid(std::string_view kid) noexcept;

// Looks up one variable: its value, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Builds the keyring from the process environment (CONNECTOR_CRED_KEY[_FILE], CONNECTOR_CRED_KID,
// CONNECTOR_CRED_KEYS[_FILE], CONNECTOR_CRED_ACTIVE_KID[_FILE], CONNECTOR_CRED_REQUIRE_ENCRYPTED,
// CONNECTOR_CRED_BIND_CONTEXT, CONNECTOR_CRED_REQUIRE_CONTEXT, CONNECTOR_CRED_RELOAD_SECONDS). Call
// it once at startup; throws KeyringError naming the variable at fault. The configuration is
// KeyConfig::fromEnv()'s (key_config.hpp), the one reader of those variables; the keyring keeps the
// lookup to re-read them (Keyring::reload).
CONNECTOR_CRYPTO_API Keyring keyringFromEnv();
// The same rules, reading variables through lookup (tests, or a service with its own config
// source). The keyring keeps a copy of lookup and calls it again on reload: what it captures must
// outlive the keyring when reload is used.
CONNECTOR_CRYPTO_API Keyring keyringFromEnv(const EnvLookup& lookup);
// The same, with reloadInterval in place of CONNECTOR_CRED_RELOAD_SECONDS (zero: off; negative:
// KeyringError).
CONNECTOR_CRYPTO_API Keyring keyringFromEnv(const EnvLookup& lookup,
                                            std::chrono::milliseconds reloadInterval);

}  // namespace connector_crypto
