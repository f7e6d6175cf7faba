#include "mongo_json.hpp"

#include "connector_crypto/error.hpp"
#include "connector_crypto/extended_json.hpp"

namespace connector_crypto {
namespace cli {

// forwarder: removed at merge
std::string convertExtendedJson(nlohmann::json& value) {
  try {
    connector_crypto::convertExtendedJson(value);
  } catch (const Error& e) {
    return e.what();  // names the wrapper, never a value
  }
  return {};
}

}  // namespace cli
}  // namespace connector_crypto
