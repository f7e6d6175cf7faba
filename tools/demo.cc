// The main job: mint a key, encrypt a sample credential, print the envelope, decrypt it back.
#include <iostream>

#include "connector_crypto/connector_crypto.hpp"

int main() {
  namespace cc = connector_crypto;
  try {
    // A real service calls cc::keyringFromEnv() once at startup; the demo mints its own key.
    std::string key = cc::generateKeyBase64();
    const std::string kid = cc::kDefaultKid;  // the kid a single CONNECTOR_CRED_KEY gets
    const cc::Keyring keyring = cc::Keyring::fromBase64({{kid, key}}, kid);
    cc::detail::secureWipe(key.data(), key.size());
    std::cout << "minted key " << kid << " (fingerprint " << keyring.fingerprint(kid) << ")\n";

    const nlohmann::json credential = {{"type", "oauth2"},
                                       {"client_id", "demo-client"},
                                       {"access_token", "ya29.demo-access-token"},
                                       {"refresh_token", "1//demo-refresh-token"},
                                       {"expires_at", 1764345600000}};
    const nlohmann::json envelope = cc::encryptCredentials(credential, keyring);
    std::cout << "envelope:  " << envelope.dump() << "\n";

    nlohmann::json back = cc::decryptCredentials(envelope, keyring);
    std::cout << "decrypted: " << back.dump() << "\n";
    const bool same = back == credential;
    cc::wipeCredentials(back);
    std::cout << (same ? "round trip OK" : "round trip MISMATCH") << "\n";
    return same ? 0 : 1;
  } catch (const cc::Error& e) {
    std::cerr << "demo: " << e.what() << "\n";
    return 1;
  }
}
