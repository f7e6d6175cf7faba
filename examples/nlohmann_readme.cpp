// The sample of README.md ("Using it from a C++ service"), as a program: a service that holds its
// documents in nlohmann::json seals a connector's credentials on write and reads them for use.
// ctest runs it (example_nlohmann_readme) and checks that the README still shows this code
// (example_nlohmann_readme_matches_readme). Run it by hand with a key in the environment:
//   CONNECTOR_CRED_KEY=$(connector-crypto keygen) ./example_nlohmann_readme
#include <connector_crypto/connector_crypto.hpp>

#include <cstdio>
#include <string>

namespace cc = connector_crypto;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  if (!ok) ++failures;
}

}  // namespace

int main() {
  try {
    // A connector instance as the service builds it, and the credentials it was given.
    nlohmann::json instance = {{"_id", "6650f0c2a1b2c3d4e5f60719"},
                               {"name", "Gmail \u2013 support@example.com"},
                               {"type", "oauth2"}};
    const nlohmann::json plainCreds = {{"access_token", "ya29.a0-example-access"},
                                       {"refresh_token", "1//0g-example-refresh"},
                                       {"expires_at", "2026-12-06T21:00:00.000Z"},
                                       {"scopes", {"gmail.readonly", "gmail.send"}}};

    // --- the README's sample -------------------------------------------------------------------
    // Once at startup: throws cc::KeyringError if the key is missing or malformed.
    const cc::Keyring keyring = cc::keyringFromEnv();

    // WRITE: connector create/update, OAuth token saves, token refresh.
    instance["credentials"] = cc::encryptCredentials(plainCreds, keyring);

    // READ-FOR-USE: always through decryptCredentials (plaintext or legacy passthrough).
    nlohmann::json creds = cc::decryptCredentials(instance["credentials"], keyring);
    // ... use creds ...
    std::string token = creds.at("access_token").get<std::string>();
    check(creds == plainCreds, "the credentials read back are the ones written");
    check(token == "ya29.a0-example-access", "the access token is usable");
    // A copy the service made is its own to wipe.
    cc::wipe(token.data(), token.size());
    cc::wipeCredentials(creds);  // overwrite the secrets once done
    // --- end of the README's sample ------------------------------------------------------------

    std::printf("stored: %s\n", instance.dump().c_str());
    check(cc::isEncrypted(instance["credentials"]), "the stored credentials are an envelope");
    check(instance.dump().find("ya29") == std::string::npos, "the stored document holds no secret");
    check(creds.is_null(), "wipeCredentials overwrote the secrets and left null");
  } catch (const cc::Error& e) {
    std::printf("FAILED: %s (%s)\n", e.what(), cc::errorCodeName(e.code()));
    return 1;
  }
  std::printf("%s\n",
              failures == 0 ? "nlohmann README sample OK" : "nlohmann README sample FAILED");
  return failures == 0 ? 0 : 1;
}
