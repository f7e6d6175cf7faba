// Compiled (syntax only) by run.sh with Json chosen by CC_JSON_KIND: 0 nlohmann::json, 1
// nlohmann::ordered_json (both must compile), 2 another basic_json specialisation, which every
// value-API function must refuse with CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON's static_assert. Each
// call line ends in "// value API": run.sh expects one static assertion per such line.
#include <connector_crypto/connector_crypto.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#if !defined(CC_JSON_KIND)
#error "define CC_JSON_KIND (run.sh does)"
#elif CC_JSON_KIND == 0
using Json = nlohmann::json;
#elif CC_JSON_KIND == 1
using Json = nlohmann::ordered_json;
#else
// 32-bit integers: what a TypeScript service writes would not round-trip.
using Json = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int32_t>;
#endif

namespace cc = connector_crypto;

void useEveryFunction(Json& value, const cc::Keyring& keyring);
void useEveryFunction(Json& value, const cc::Keyring& keyring) {
  (void)cc::isEncrypted(value);                       // value API
  (void)cc::encryptCredentials(value, keyring);       // value API
  (void)cc::encryptPlainCredentials(value, keyring);  // value API
  (void)cc::decryptCredentials(value, keyring);       // value API
  (void)cc::needsRewrap(value, keyring);              // value API
  (void)cc::rewrapCredentials(value, keyring);        // value API
  (void)cc::inspectCredentials(value);                // value API
  (void)cc::parseJsonText<Json>("{}");                // value API
  (void)cc::convertExtendedJson(value);               // value API
  cc::wipeCredentials(value);                         // value API
}
