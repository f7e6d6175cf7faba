// KeyConfig: the key configuration a service reads (CONNECTOR_CRED_* variables and their _FILE
// twins), read once by the one reader of those rules; the keyring is built from it, and rotation
// edits it. Key bytes leave it only through the InsecureKeyAccess gate.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connector_crypto/config.hpp"
#include "connector_crypto/keyring.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {

namespace detail {
struct KeyConfigState;
}  // namespace detail

// The kid of a single CONNECTOR_CRED_KEY when CONNECTOR_CRED_KID is unset, and keygen's default.
inline constexpr const char* kDefaultKid = "v1";

// Permission to read key material out of a KeyConfig (the model is tink's InsecureSecretKeyAccess).
// A tag without data: its only factory is insecureKeyAccess(), so `grep -rn insecureKeyAccess`
// lists every place that takes key bytes out of the library (the CLI's rotate, and its tests).
class CONNECTOR_CRYPTO_API InsecureKeyAccess final {
 private:
  constexpr InsecureKeyAccess() noexcept {}  // user-provided: C++17 aggregate init cannot bypass it
  friend constexpr InsecureKeyAccess insecureKeyAccess() noexcept;
};

// The one way to obtain an InsecureKeyAccess. Call it only where keys must be written out (a
// configuration for the services, as `connector-crypto rotate` does), never to log or compare keys.
constexpr InsecureKeyAccess insecureKeyAccess() noexcept { return InsecureKeyAccess(); }

// kid -> 32-byte key (in wiped memory), the active kid and the keyring options: always a valid
// configuration (the same rules as Keyring::fromBase64: valid kids, 32-byte keys, no key under two
// kids, an active kid the configuration holds). A copy copies the keys, into wiped memory; a
// moved-from KeyConfig is empty (no keys: toKeyring throws KeyringError).
class CONNECTOR_CRYPTO_API KeyConfig {
 public:
  // Reads the process environment: CONNECTOR_CRED_KEY[_FILE] with CONNECTOR_CRED_KID (default
  // kDefaultKid), CONNECTOR_CRED_KEYS[_FILE] with CONNECTOR_CRED_ACTIVE_KID, and
  // CONNECTOR_CRED_REQUIRE_ENCRYPTED (README, "Environment"). Throws KeyringError naming the
  // variable at fault, never echoing a key. _FILE secrets are read unbuffered into wiped memory (at
  // most 1 MiB); surrounding whitespace of a key is trimmed.
  static KeyConfig fromEnv();
  // The same rules, reading variables through lookup.
  static KeyConfig fromEnv(const EnvLookup& lookup);

  KeyConfig(const KeyConfig& other);
  KeyConfig& operator=(const KeyConfig& other);
  KeyConfig(KeyConfig&& other) noexcept;
  KeyConfig& operator=(KeyConfig&& other) noexcept;
  ~KeyConfig();

  // The kid encryptCredentials writes under (empty only in a moved-from KeyConfig).
  const std::string& activeKid() const noexcept;
  // Every kid, sorted.
  std::vector<std::string> kids() const;
  // True when the configuration holds a key under kid.
  bool contains(std::string_view kid) const noexcept;
  // The options (CONNECTOR_CRED_REQUIRE_ENCRYPTED).
  const KeyringOptions& options() const noexcept;

  // The keyring this configuration describes: the keys, the active kid and the options.
  Keyring toKeyring() const;

  // Rotation, stage 1: mints a fresh key (generateKeyBase64's source) under kid; the active kid is
  // unchanged. Throws KeyringError when kid is not a valid kid (kidProblem) or is already held.
  void addGeneratedKey(const std::string& kid);
  // Rotation, stage 2: makes kid the active kid. Throws KeyringError when kid is not held.
  void setActiveKid(const std::string& kid);
  // Rotation, stage 3: drops the key under kid (a retired key). Throws KeyringError when kid is
  // not held or is the active kid.
  void removeKey(const std::string& kid);

  // The key under kid as standard padded base64 (44 characters), in wiped memory: the only way a
  // key leaves a KeyConfig, and a Keyring exposes none. Throws UnknownKidError when kid is not held.
  SecretBuffer keyBase64(std::string_view kid, InsecureKeyAccess) const;

 private:
  explicit KeyConfig(std::unique_ptr<detail::KeyConfigState> state) noexcept;
  std::unique_ptr<detail::KeyConfigState> state_;
};

// The process environment as an EnvLookup (std::getenv): what keyringFromEnv() and
// KeyConfig::fromEnv() read.
CONNECTOR_CRYPTO_API EnvLookup processEnvLookup();

}  // namespace connector_crypto
