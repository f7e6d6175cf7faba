// The library's JSON reader, public: the parser decryptCredentials reads plaintext with, for code
// that must read a value exactly as decrypted plaintext is read (the CLI's export lines).
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "connector_crypto/detail/core.hpp"
#include "connector_crypto/detail/json_types.hpp"
#include "connector_crypto/detail/value_adapter.hpp"
#include "connector_crypto/json_whitespace.hpp"

namespace connector_crypto {

// The value of text, or nullopt when text is not exactly one JSON value (RFC 8259, valid UTF-8, no
// NUL byte, at most kMaxJsonDepth levels). A leading byte order mark is dropped (input text; a
// decrypted plaintext starting with one is refused). A repeated member name resolves last-wins, as
// decryptCredentials does. The result may hold secrets: release it with wipeCredentials.
template <typename BasicJson = nlohmann::json>
detail::IfBasicJson<BasicJson, std::optional<BasicJson>> parseJsonText(std::string_view text) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  return detail::guarded("parseJsonText", [&]() -> std::optional<BasicJson> {
    BasicJson out;
    if (!detail::adapter::parseText(withoutByteOrderMark(text), false, out)) return std::nullopt;
    return out;
  });
}

}  // namespace connector_crypto
