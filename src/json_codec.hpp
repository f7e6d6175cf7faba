// Internal: JSON text <-> nlohmann::json for plaintext, in memory the library wipes.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "connector_crypto/limits.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace detail {

// Readable bytes parseJsonPadded needs after the text (simdjson's SIMDJSON_PADDING).
inline constexpr std::size_t kJsonParsePadding = 64;

// True when parseJson uses simdjson (CONNECTOR_CRYPTO_WITH_SIMDJSON); false: nlohmann's parser.
bool jsonFastParserEnabled() noexcept;

// The one nesting rule of the parsers and the serializer: true when an array or object opening
// inside `enclosing` open arrays/objects is deeper than kMaxJsonDepth (so 512 nested are fine).
constexpr bool opensTooDeep(std::size_t enclosing) noexcept { return enclosing >= kMaxJsonDepth; }

// True when value nests no deeper than opensTooDeep allows (recursion bounded by the limit).
bool nestsWithinLimit(const nlohmann::json& value) noexcept;

// Throws the Error for a value nested deeper than kMaxJsonDepth (its message states the limit).
[[noreturn]] void throwTooDeep();

// Compact JSON text of value, byte-identical to value.dump() for every value it accepts; throws
// Error (never a nlohmann exception) for what is not JSON or what parseJson would refuse: nesting
// deeper than kMaxJsonDepth, a string that is not valid UTF-8, a discarded or binary value, a NaN
// or infinite number. Recursion is bounded by the limit. Every buffer it grows through is wiped.
SecretBuffer serializeJson(const nlohmann::json& value);

// The reference serializer (nlohmann's dump(), unbounded recursion, binary and non-finite numbers
// written as dump() writes them; Error for invalid UTF-8): for differential tests of the bytes.
SecretBuffer serializeJsonReference(const nlohmann::json& value);

// Parses one JSON value from text (UTF-8, at most kMaxJsonDepth levels of nesting, nothing but
// whitespace after it, no NUL byte anywhere: nlohmann's lexer would stop at one and accept what
// came before). Returns false instead of throwing; the parser's message is never kept, since it
// quotes the input. Same result as parseJsonReference for every input.
bool parseJson(const char* text, std::size_t size, nlohmann::json& out);

// parseJson for text followed by kJsonParsePadding readable bytes (any content): saves a copy.
bool parseJsonPadded(const char* text, std::size_t size, nlohmann::json& out);

// The reference parser (nlohmann::json::parse with the depth limit and the NUL refusal): for
// differential tests.
bool parseJsonReference(const char* text, std::size_t size, nlohmann::json& out);

// Overwrites every string (OPENSSL_cleanse over its capacity) and number (and boolean) inside value,
// in place; the structure and object keys stay.
void wipeJsonValues(nlohmann::json& value) noexcept;

}  // namespace detail
}  // namespace connector_crypto
