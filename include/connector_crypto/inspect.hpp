// Inspection without a key: what a stored value is, as decryptCredentials would see it. The value
// form, for nlohmann::json and nlohmann::ordered_json; the text form is in inspect_text.hpp.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "connector_crypto/config.hpp"
#include "connector_crypto/credentials_info.hpp"
#include "connector_crypto/detail/core.hpp"
#include "connector_crypto/detail/json_types.hpp"
#include "connector_crypto/detail/value_adapter.hpp"
#include "connector_crypto/inspect_text.hpp"

namespace connector_crypto {

// Classifies stored by the rules of decryptCredentials without a keyring: every envelope rule is
// checked (a kid that no keyring can hold is kMalformed with kUnknownKid); the tag is not. For
// nlohmann::json and nlohmann::ordered_json.
template <typename BasicJson>
detail::IfBasicJson<BasicJson, CredentialsInfo> inspectCredentials(const BasicJson& stored) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::guarded("inspectCredentials", [&]() -> CredentialsInfo {
    CredentialsInfo info;
    if (stored.is_null()) return info;
    if (!detail::adapter::carriesEnc(stored)) {
      info.kind = CredentialsInfo::Kind::kPlaintext;
      return info;
    }
    return detail::core::inspect(detail::adapter::fieldsOf(stored));
  });
}

// The nlohmann::json overload (braced lists, nullptr, string literals).
inline CredentialsInfo inspectCredentials(const nlohmann::json& stored) {
  return inspectCredentials<nlohmann::json>(stored);
}

}  // namespace connector_crypto
