// Built against the installed core (no nlohmann): every text-form function, the keyring, key
// configuration, contexts and errors, through connector_crypto/core.hpp only.
#include <connector_crypto/core.hpp>

#ifdef NLOHMANN_JSON_VERSION_MAJOR
#error "connector_crypto/core.hpp included nlohmann/json.hpp"
#endif

#include <iostream>
#include <optional>
#include <string>

namespace cc = connector_crypto;

namespace {

int fail(const char* what) {
  std::cerr << "core_consumer: " << what << "\n";
  return 1;
}

std::string str(const cc::SecretBuffer& b) { return std::string(b.begin(), b.end()); }

}  // namespace

int main() {
  const std::string k1 = cc::generateKeyBase64();
  const std::string k2 = cc::generateKeyBase64();
  // Key configuration read from variables, then rotated to a new key.
  cc::KeyConfig config = cc::KeyConfig::fromEnv([&](const std::string& name) {
    return name == "CONNECTOR_CRED_KEY" ? std::optional<std::string>(k1) : std::nullopt;
  });
  const cc::Keyring v1 = config.toKeyring();
  const std::string plain = R"({"api_key":"core-consumer","n":1})";
  const std::string envelope = cc::encryptCredentialsText(plain, v1);
  if (str(cc::decryptCredentialsText(envelope, v1)) != plain) return fail("text round trip");
  if (cc::inspectCredentialsText(envelope).kind != cc::CredentialsInfo::Kind::kEnvelope) {
    return fail("inspectCredentialsText");
  }

  // A bound envelope under the record's context.
  const cc::EncryptionContext ctx{{"_id", cc::typedObjectId("65f1a2b3c4d5e6f708192a3b")}};
  const std::string bound = cc::encryptCredentialsText(plain, v1, ctx);
  if (str(cc::decryptCredentialsText(bound, v1, ctx)) != plain) return fail("bound round trip");

  // Rotation: rewrap to the new active kid.
  const cc::Keyring both = cc::Keyring::fromBase64({{"v1", k1}, {"v2", k2}}, "v2");
  const std::string rewrapped = cc::rewrapCredentialsText(envelope, both);
  if (cc::inspectCredentialsText(rewrapped).kid != "v2") return fail("rewrapCredentialsText");
  if (str(cc::decryptCredentialsText(rewrapped, both)) != plain) return fail("rewrap round trip");

  // Extended JSON text conversion.
  if (str(cc::convertExtendedJsonText(R"({"n":{"$numberLong":"7"}})")) != R"({"n":7})") {
    return fail("convertExtendedJsonText");
  }

  // Errors are typed.
  try {
    (void)cc::decryptCredentialsText(envelope, cc::Keyring::fromBase64({{"v9", k2}}, "v9"));
    return fail("decrypt under an unknown kid did not throw");
  } catch (const cc::UnknownKidError&) {
  }
  try {
    (void)cc::keyringFromEnv([](const std::string&) { return std::optional<std::string>(); });
    return fail("an empty environment gave a keyring");
  } catch (const cc::KeyringError& e) {
    if (e.code() != cc::ErrorCode::kConfiguration) return fail("error code");
  }
  std::cout << "core_consumer: OK (connector_crypto " << cc::kVersion << ", no nlohmann)\n";
  return 0;
}
