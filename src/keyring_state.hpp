// Internal: what a Keyring holds. Not a public header; key bytes never leave the library.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "aead.hpp"
#include "connector_crypto/keyring.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace detail {

// One key under one kid, with a pool of ready cipher contexts (key schedule set once) and counters.
class KeyEntry {
 public:
  KeyEntry(std::string kid, SecretData key);
  KeyEntry(const KeyEntry&) = delete;
  KeyEntry& operator=(const KeyEntry&) = delete;

  const std::string& kid() const noexcept { return kid_; }
  ByteView key() const noexcept { return {key_.data(), key_.size()}; }

  // Runs fn with a cipher context for this key, taken from the pool (created when the pool is empty)
  // and returned afterwards, so each thread keeps reusing a context without sharing one.
  template <typename Fn>
  auto withCipher(Fn&& fn) const {
    std::unique_ptr<Aes256Gcm> cipher = acquire();
    struct Return {
      const KeyEntry* self;
      std::unique_ptr<Aes256Gcm>* cipher;
      ~Return() { self->release(std::move(*cipher)); }
    } giveBack{this, &cipher};
    return fn(*cipher);
  }

  mutable std::atomic<std::uint64_t> encryptions{0};
  mutable std::atomic<std::uint64_t> decryptions{0};

 private:
  std::unique_ptr<Aes256Gcm> acquire() const;
  void release(std::unique_ptr<Aes256Gcm> cipher) const noexcept;

  std::string kid_;
  SecretData key_;
  mutable std::mutex poolMutex_;
  mutable std::vector<std::unique_ptr<Aes256Gcm>> pool_;
};

struct KeyringState {
  std::map<std::string, std::unique_ptr<KeyEntry>, std::less<>> entries;
  const KeyEntry* active = nullptr;
  KeyringOptions options;
  mutable std::atomic<std::uint64_t> plaintextPassthroughs{0};
  mutable std::atomic<std::uint64_t> plaintextRejected{0};

  // The entry under kid, or nullptr.
  const KeyEntry* find(std::string_view kid) const noexcept {
    auto it = entries.find(kid);
    return it == entries.end() ? nullptr : it->second.get();
  }
};

// Lets the library's own code reach a Keyring's state.
struct KeyringAccess {
  static const KeyringState& state(const Keyring& keyring) noexcept { return *keyring.state_; }
  static Keyring make(std::shared_ptr<const KeyringState> state) noexcept {
    return Keyring(std::move(state));
  }
};

// A decoded key under a kid, for building a keyring.
struct NamedKey {
  std::string kid;
  SecretData key;
};

// Validates kids, distinct key bytes and the active kid, and builds the keyring (shared by
// Keyring::fromBase64 and keyringFromEnv). `keysSource` and `activeSource` name the variable or
// parameter in error messages. An empty activeKid selects the only key.
Keyring buildKeyring(std::vector<NamedKey> keys, const std::string& activeKid,
                     const std::string& keysSource, const std::string& activeSource,
                     const KeyringOptions& options);

// True when text holds a run of 40 or more base64 or base64url characters: what key material looks
// like, so it is never echoed in a message, wherever it was pasted.
bool looksLikeKey(std::string_view text) noexcept;

// True when kid may appear in a message: a valid kid that does not look like a key.
bool echoableKid(std::string_view kid) noexcept;

// `kid "<kid>"` for an echoable kid, else `a kid`.
std::string kidInMessage(std::string_view kid);

// Decodes a base64 key after trimming surrounding whitespace; throws KeyringError naming source.
SecretData decodeKey(std::string_view base64, const std::string& source);

}  // namespace detail
}  // namespace connector_crypto
