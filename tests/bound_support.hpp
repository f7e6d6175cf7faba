// Shared by the bound-envelope tests: keyrings with the context switches, the recommended context,
// and a runner that reads one stored text through every reader (json, ordered_json, text) and
// requires one verdict of them all.
#pragma once

#include <optional>
#include <string>
#include <typeinfo>

#include "test_support.hpp"

namespace bound_support {

namespace cc = connector_crypto;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// v1 = test key A, v2 = test key B, active v2, with the given switches.
inline cc::Keyring keyring(bool bindContext = false, bool requireContext = false,
                           const std::string& active = "v2") {
  cc::KeyringOptions options;
  options.bindContext = bindContext;
  options.requireContext = requireContext;
  return cc::Keyring::fromBase64({{"v1", test_support::kKeyA}, {"v2", test_support::kKeyB}},
                                 active, options);
}

// The recommended context of docs/FORMAT.md for a connector of tenant t whose _id is id.
inline cc::EncryptionContext recordContext(const std::string& tenant, const std::string& id) {
  return {{"tenant", cc::typedObjectId(tenant)},
          {"collection", "connectorinstances"},
          {"field", "credentials"},
          {"id", cc::typedObjectId(id)}};
}
inline const std::string kTenantA = "6650f0c2a1b2c3d4e5f60718";
inline const std::string kTenantB = "6650f0c2a1b2c3d4e5f6071a";
inline const std::string kIdA = "6650f0c2a1b2c3d4e5f60719";
inline const std::string kIdB = "6650f0c2a1b2c3d4e5f6071b";

// The class of a library exception, most derived first.
inline std::string classOf(const cc::Error& e) {
  if (typeid(e) == typeid(cc::UnknownKidError)) return "UnknownKidError";
  if (typeid(e) == typeid(cc::KeyringError)) return "KeyringError";
  if (typeid(e) == typeid(cc::EnvelopeError)) return "EnvelopeError";
  if (typeid(e) == typeid(cc::DecryptError)) return "DecryptError";
  if (typeid(e) == typeid(cc::PlaintextRejectedError)) return "PlaintextRejectedError";
  if (typeid(e) == typeid(cc::Error)) return "Error";
  return "another class";
}

// "ok:<plaintext, compact>" or "<class>:<code name>" of fn (which returns compact text).
template <typename Fn>
std::string verdictOf(Fn&& fn) {
  try {
    return "ok:" + fn();
  } catch (const cc::Error& e) {
    return classOf(e) + ":" + cc::errorCodeName(e.code());
  }
}

// The one verdict of decryptCredentials on stored through the json and ordered_json adapters and
// decryptCredentialsText (all three must agree), with context when given.
inline std::string decryptVerdict(const std::string& stored, const cc::Keyring& k,
                                  const cc::EncryptionContext* context) {
  const auto viaJson = verdictOf([&] {
    const json v = json::parse(stored);
    return (context ? cc::decryptCredentials(v, k, *context) : cc::decryptCredentials(v, k)).dump();
  });
  const auto viaOrdered = verdictOf([&] {
    const ojson v = ojson::parse(stored);
    const ojson out = context ? cc::decryptCredentials(v, k, *context) : cc::decryptCredentials(v, k);
    return json::parse(out.dump()).dump();  // compared as json: member order aside
  });
  const auto viaText = verdictOf([&] {
    const cc::SecretBuffer out =
        context ? cc::decryptCredentialsText(stored, k, *context) : cc::decryptCredentialsText(stored, k);
    return json::parse(std::string(out.data(), out.size())).dump();
  });
  INFO("stored: " << stored);
  CHECK(viaJson == viaOrdered);
  CHECK(viaJson == viaText);
  return viaJson;
}

}  // namespace bound_support
