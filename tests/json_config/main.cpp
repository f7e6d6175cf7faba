// A service's view of the installed package under one of nlohmann's optional configurations,
// JSON_DIAGNOSTICS=1 or JSON_USE_IMPLICIT_CONVERSIONS=0, built without NDEBUG so that nlohmann's
// assertions run (JSON_DIAGNOSTICS checks every child's parent pointer). Every value-API function
// for nlohmann::json and nlohmann::ordered_json, on good and bad input, with and without an
// encryption context (bound envelopes); exits 0 when all pass.
#include <connector_crypto/connector_crypto.hpp>

#include <exception>
#include <iostream>

#include "bound.hpp"
#include "error_paths.hpp"
#include "members.hpp"
#include "round_trip.hpp"
#include "support.hpp"

#ifdef NDEBUG
#error "built with NDEBUG: nlohmann's assertions would not run"
#endif
#if JSON_DIAGNOSTICS == 0 && JSON_USE_IMPLICIT_CONVERSIONS == 1
#error "define JSON_DIAGNOSTICS=1 or JSON_USE_IMPLICIT_CONVERSIONS=0 (CMakeLists.txt does)"
#endif

namespace {

using namespace consumer;

template <typename BasicJson>
void exercise(const std::string& type) {
  const cc::Keyring v1 = cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1");
  const cc::Keyring v1v2 = cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, "v2");
  roundTrip<BasicJson>(type, v1, v1v2);
  extendedJson<BasicJson>(type);
  members<BasicJson>(type, v1);
  errorPaths<BasicJson>(type, v1, v1v2);
  bound<BasicJson>(type);
}

// The nlohmann::json overloads: a braced list, nullptr and a string literal still convert.
void jsonOverloads() {
  const cc::Keyring v1 = cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1");
  const nlohmann::json envelope = cc::encryptCredentials({{"api_key", "k"}, {"n", 1}}, v1);
  check(cc::decryptCredentials(envelope, v1) == nlohmann::json({{"api_key", "k"}, {"n", 1}}),
        "braced list");
  check(cc::decryptCredentials(nullptr, v1).is_null(), "nullptr");
  check(cc::decryptCredentials("text", v1) == nlohmann::json("text"), "string literal");
  check(cc::inspectCredentials(nullptr).kind == cc::CredentialsInfo::Kind::kNull,
        "inspect nullptr");
}

}  // namespace

int main() {
  try {
    exercise<nlohmann::json>("json");
    exercise<nlohmann::ordered_json>("ordered_json");
    jsonOverloads();
    invalidContexts();
  } catch (const std::exception& e) {
    check(false, std::string("unexpected exception: ") + e.what());
  }
  if (failures > 0) {
    std::cerr << "json_config consumer: " << failures << " failure(s)\n";
    return 1;
  }
  std::cout << "json_config consumer: OK (JSON_DIAGNOSTICS=" << JSON_DIAGNOSTICS
            << ", JSON_USE_IMPLICIT_CONVERSIONS=" << JSON_USE_IMPLICIT_CONVERSIONS << ")\n";
  return 0;
}
