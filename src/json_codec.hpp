// Internal: JSON text <-> nlohmann::json for plaintext, in memory the library wipes.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace detail {

// Compact JSON text of value, byte-identical to value.dump(); throws Error (never a nlohmann
// exception) for a string that is not valid UTF-8. Every buffer it grows through is wiped.
SecretBuffer serializeJson(const nlohmann::json& value);

// Parses one JSON value from text (UTF-8, at most kMaxJsonDepth levels of nesting, nothing but
// whitespace after it). Returns false instead of throwing; the parser's message is never kept,
// since it quotes the input.
bool parseJson(const char* text, std::size_t size, nlohmann::json& out);

// Overwrites every string (OPENSSL_cleanse over its capacity) and number (and boolean) inside value,
// in place; the structure and object keys stay.
void wipeJsonValues(nlohmann::json& value) noexcept;

}  // namespace detail
}  // namespace connector_crypto
