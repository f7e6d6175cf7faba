// Built against the installed package: encrypts and decrypts through the public API only.
#include <connector_crypto/connector_crypto.hpp>

#include <iostream>

int main() {
  namespace cc = connector_crypto;
  const cc::Keyring keyring = cc::Keyring::fromBase64({{"v1", cc::generateKeyBase64()}}, "v1");
  const nlohmann::json plain = {{"api_key", "consumer-test"}};
  const nlohmann::json envelope = cc::encryptCredentials(plain, keyring);
  if (!cc::isEncrypted(envelope) || cc::decryptCredentials(envelope, keyring) != plain) {
    std::cerr << "consumer: round trip failed\n";
    return 1;
  }
  try {
    cc::keyringFromEnv([](const std::string&) { return std::optional<std::string>(); });
    return 1;
  } catch (const cc::KeyringError&) {
  }
  std::cout << "consumer: OK (connector_crypto " << cc::kVersion << ")\n";
  return 0;
}
