// Internal: JSON text checked without building a value (the text API's reader).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "connector_crypto/secret_data.hpp"
#include "envelope_core.hpp"

namespace connector_crypto {
namespace detail {

// What scanJsonText found at the top level of the text.
struct JsonTextTop {
  enum class Kind { null, object, other };
  Kind kind = Kind::other;
  // For an object: whether a member is named "__enc" (after unescaping), and the envelope members
  // (the last of each name, as JSON.parse keeps it).
  bool carriesEnc = false;
  EnvelopeFields fields;
  // Owners of the strings fields.kid/iv/ct view.
  std::string kid, iv, ct;
};

enum class JsonTextVerdict { ok, invalid, duplicate };

// Checks text as parseJson would read it (exactly one JSON value, UTF-8, no NUL byte, at most
// kMaxJsonDepth levels of nesting): `invalid` wherever parseJson returns false. With
// refuseDuplicates, a member name repeated in one object (compared unescaped, at any depth) gives
// `duplicate`. Fills top (when given) for an accepted text.
JsonTextVerdict scanJsonText(std::string_view text, bool refuseDuplicates, JsonTextTop* top);

// scanJsonText for text followed by kJsonParsePadding readable bytes (any content): saves a copy.
JsonTextVerdict scanJsonTextPadded(std::string_view text, bool refuseDuplicates, JsonTextTop* top);

// The compact form of text accepted by scanJsonText: insignificant whitespace removed, every other
// byte as it was.
SecretBuffer compactJsonText(std::string_view text);

}  // namespace detail
}  // namespace connector_crypto
