// KeyConfig: the configuration object (src/env.cc reads it from the environment), its keyring,
// rotation's two edits, and the one gate through which key bytes leave the library.
#include <utility>

#include "base64_fast.hpp"
#include "connector_crypto/error.hpp"
#include "connector_crypto/keygen.hpp"
#include "connector_crypto/limits.hpp"
#include "key_config_state.hpp"
#include "keyring_state.hpp"

namespace connector_crypto {
namespace {

const std::string& emptyString() noexcept {
  static const std::string empty;
  return empty;
}

const KeyringOptions& defaultOptions() noexcept {
  static const KeyringOptions options;
  return options;
}

// A fresh key from generateKeyBase64 (the one source of new keys), decoded into wiped memory; the
// base64 text is wiped whatever happens.
SecretData mintKey() {
  std::string text = generateKeyBase64();
  struct Wipe {
    std::string& text;
    ~Wipe() { detail::secureWipe(text.data(), text.size()); }
  } wipe{text};
  return detail::decodeKey(text, "generateKeyBase64");
}

}  // namespace

KeyConfig::KeyConfig(std::unique_ptr<detail::KeyConfigState> state) noexcept
    : state_(std::move(state)) {}

KeyConfig::KeyConfig(const KeyConfig& other)
    : state_(other.state_ ? std::make_unique<detail::KeyConfigState>(*other.state_) : nullptr) {}

KeyConfig& KeyConfig::operator=(const KeyConfig& other) {
  if (this != &other) {
    state_ = other.state_ ? std::make_unique<detail::KeyConfigState>(*other.state_) : nullptr;
  }
  return *this;
}

KeyConfig::KeyConfig(KeyConfig&& other) noexcept = default;
KeyConfig& KeyConfig::operator=(KeyConfig&& other) noexcept = default;
KeyConfig::~KeyConfig() = default;

const std::string& KeyConfig::activeKid() const noexcept {
  return state_ ? state_->activeKid : emptyString();
}

std::vector<std::string> KeyConfig::kids() const {
  std::vector<std::string> out;
  if (!state_) return out;
  out.reserve(state_->keys.size());
  for (const auto& entry : state_->keys) out.push_back(entry.first);
  return out;
}

bool KeyConfig::contains(std::string_view kid) const noexcept {
  return state_ && state_->keys.find(kid) != state_->keys.end();
}

const KeyringOptions& KeyConfig::options() const noexcept {
  return state_ ? state_->options : defaultOptions();
}

Keyring KeyConfig::toKeyring() const {
  std::vector<detail::NamedKey> keys;
  if (state_) {
    keys.reserve(state_->keys.size());
    for (const auto& [kid, key] : state_->keys) keys.push_back({kid, key});
  }
  // A KeyConfig is valid by construction; the keyring's rules run again all the same.
  KeyringOptions noReload = options();
  noReload.reloadInterval = std::chrono::milliseconds(0);  // no sources to follow
  return detail::buildKeyring(std::move(keys), activeKid(), "KeyConfig", "KeyConfig's active kid",
                              noReload);
}

void KeyConfig::addGeneratedKey(const std::string& kid) {
  if (const char* problem = kidProblem(kid)) throw KeyringError(std::string("new kid ") + problem);
  if (contains(kid)) throw KeyringError(detail::kidInMessage(kid) + " already exists; choose a new kid");
  SecretData key = mintKey();
  if (!state_) state_ = std::make_unique<detail::KeyConfigState>();
  // The keyring's rules on the new set (a fresh key under a new kid passes them).
  std::vector<detail::NamedKey> keys;
  keys.reserve(state_->keys.size() + 1);
  for (const auto& [held, bytes] : state_->keys) keys.push_back({held, bytes});
  keys.push_back({kid, key});
  const std::string active = detail::checkKeys(keys, state_->activeKid, "KeyConfig",
                                               "KeyConfig's active kid");
  state_->keys.emplace(kid, std::move(key));
  state_->activeKid = active;
}

void KeyConfig::setActiveKid(const std::string& kid) {
  if (!contains(kid)) {
    throw KeyringError(detail::kidInMessage(kid) + " is not in the configuration");
  }
  state_->activeKid = kid;
}

SecretBuffer KeyConfig::keyBase64(std::string_view kid, InsecureKeyAccess) const {
  if (!contains(kid)) {
    throw UnknownKidError(detail::echoableKid(kid)
                              ? "keyBase64: kid \"" + std::string(kid) + "\" is not in the configuration"
                              : std::string("keyBase64: the kid is not in the configuration"));
  }
  const SecretData& key = state_->keys.find(kid)->second;
  SecretBuffer out(detail::base64EncodedLength(key.size()));
  detail::base64EncodeTo(key.data(), key.size(), out.data());
  return out;
}

}  // namespace connector_crypto
