// Internal: the plaintext JSON codec under the names the library's own code and tests use; each is
// the core (connector_crypto/detail/core.hpp) or its adapter for nlohmann::json, nothing more.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "connector_crypto/detail/core.hpp"
#include "connector_crypto/detail/value_adapter.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace detail {

using core::kJsonParsePadding;
using core::opensTooDeep;

inline bool jsonFastParserEnabled() noexcept { return core::fastParserEnabled(); }

inline bool nestsWithinLimit(const nlohmann::json& value) noexcept {
  return adapter::nestsWithin(value, 0);
}

[[noreturn]] inline void throwTooDeep() { core::throwUnserializable(core::Unserializable::tooDeep); }

// Compact JSON text of value, byte-identical to value.dump() (adapter::Serializer).
inline SecretBuffer serializeJson(const nlohmann::json& value) {
  return adapter::Serializer<nlohmann::json>::serialize(value);
}

// The reference serializer (nlohmann's dump(), unbounded recursion, binary and non-finite numbers
// written as dump() writes them; Error for invalid UTF-8): for differential tests of the bytes.
inline SecretBuffer serializeJsonReference(const nlohmann::json& value) {
  SecretBuffer out;
  try {
    nlohmann::detail::serializer<nlohmann::json> serializer(
        std::make_shared<nlohmann::detail::output_vector_adapter<char, WipingAllocator<char>>>(out),
        ' ', nlohmann::json::error_handler_t::strict);
    serializer.dump(value, false, false, 0);
  } catch (const nlohmann::json::exception&) {
    // type_error 316 quotes the offending bytes: replace it.
    core::throwUnserializable(core::Unserializable::badUtf8);
  }
  return out;
}

// The core's parser into a nlohmann::json (false, out null, for text that is not JSON).
inline bool parseJson(const char* text, std::size_t size, nlohmann::json& out) {
  out = nullptr;
  return adapter::parseText({text, size}, false, out);
}

// parseJson for text followed by kJsonParsePadding readable bytes (any content): saves a copy.
inline bool parseJsonPadded(const char* text, std::size_t size, nlohmann::json& out) {
  out = nullptr;
  return adapter::parseText({text, size}, true, out);
}

namespace core {
// The library's own reader (json_sax.hpp) alone, without simdjson: the parser of the build
// without it, and of the text simdjson refuses. Same contract as parse.
bool parseWithReader(std::string_view text, JsonEvents& events);
}  // namespace core

// parseJson through core::parseWithReader only: for differential tests of the reader.
inline bool parseJsonWithReader(const char* text, std::size_t size, nlohmann::json& out) {
  out = nullptr;
  adapter::Builder<nlohmann::json> builder;
  if (!core::parseWithReader({text, size}, builder)) return false;
  out = builder.take();
  return true;
}

// The reference parser, for differential tests: BasicJson::parse itself (nlohmann::json, or
// ordered_json: a repeated name keeps its first position and last value), with the depth limit,
// the NUL refusal (nlohmann's lexer would stop at a NUL and accept what came before) and the
// refusal of a leading byte order mark (which nlohmann's lexer skips; the library's parsers never
// read one as part of a value: docs/FORMAT.md, "Byte order marks").
template <typename BasicJson>
bool parseJsonReference(const char* text, std::size_t size, BasicJson& out) {
  using Event = typename BasicJson::parse_event_t;
  struct TooDeep {};
  out = nullptr;
  if (size != 0 && std::memchr(text, 0, size) != nullptr) return false;
  if (size >= 3 && std::memcmp(text, "\xEF\xBB\xBF", 3) == 0) return false;
  const auto limitDepth = [](int depth, Event event, BasicJson&) {
    // depth counts the containers already open around the one starting now.
    if ((event == Event::object_start || event == Event::array_start) &&
        opensTooDeep(static_cast<std::size_t>(depth))) {
      throw TooDeep{};
    }
    return true;
  };
  try {
    out = BasicJson::parse(text, text + size, limitDepth, true, false);
    return true;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    out = nullptr;
    return false;
  }
}

inline void wipeJsonValues(nlohmann::json& value) noexcept { adapter::wipeValues(value); }

}  // namespace detail
}  // namespace connector_crypto
