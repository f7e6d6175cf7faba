// Internal: JSON text <-> nlohmann::json for plaintext, in memory the library wipes.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace detail {

// Readable bytes parseJsonPadded needs after the text (simdjson's SIMDJSON_PADDING).
inline constexpr std::size_t kJsonParsePadding = 64;

// True when parseJson uses simdjson (CONNECTOR_CRYPTO_WITH_SIMDJSON); false: nlohmann's parser.
bool jsonFastParserEnabled() noexcept;

// Compact JSON text of value, byte-identical to value.dump(); throws Error (never a nlohmann
// exception) for a string that is not valid UTF-8. Every buffer it grows through is wiped.
SecretBuffer serializeJson(const nlohmann::json& value);

// The reference serializer (nlohmann's), same contract as serializeJson: for differential tests.
SecretBuffer serializeJsonReference(const nlohmann::json& value);

// Parses one JSON value from text (UTF-8, at most kMaxJsonDepth levels of nesting, nothing but
// whitespace after it). Returns false instead of throwing; the parser's message is never kept,
// since it quotes the input. Same result as parseJsonReference for every input.
bool parseJson(const char* text, std::size_t size, nlohmann::json& out);

// parseJson for text followed by kJsonParsePadding readable bytes (any content): saves a copy.
bool parseJsonPadded(const char* text, std::size_t size, nlohmann::json& out);

// The reference parser (nlohmann::json::parse with the depth limit): for differential tests.
bool parseJsonReference(const char* text, std::size_t size, nlohmann::json& out);

// Overwrites every string (OPENSSL_cleanse over its capacity) and number (and boolean) inside value,
// in place; the structure and object keys stay.
void wipeJsonValues(nlohmann::json& value) noexcept;

}  // namespace detail
}  // namespace connector_crypto
