// Internal: JSON text checked without building a value (the text API's reader).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "connector_crypto/secret_data.hpp"
#include "envelope_core.hpp"

namespace connector_crypto {
namespace detail {

// What scanJsonText found at the top level of the text.
// Not copyable: fields views the owners below.
struct JsonTextTop {
  JsonTextTop() = default;
  JsonTextTop(const JsonTextTop&) = delete;
  JsonTextTop& operator=(const JsonTextTop&) = delete;

  enum class Kind { null, object, other };
  Kind kind = Kind::other;
  // For an object: whether a member is named "__enc" (after unescaping), and the envelope members
  // (the last of each name, as JSON.parse keeps it).
  bool carriesEnc = false;
  EnvelopeFields fields;
  // Owners of the strings fields.kid/iv/ct and fields.ctx views.
  std::string kid, iv, ct;
  std::array<std::string, kMaxContextPairs> ctxNames;

  // Back to what a fresh JsonTextTop holds (a scan that starts over).
  void reset() {
    kind = Kind::other;
    carriesEnc = false;
    fields = EnvelopeFields{};
    kid.clear();
    iv.clear();
    ct.clear();
  }

  // "ctx" met again (the last member of a name counts): forget the earlier one.
  void resetCtx(EnvelopeNames::State state) noexcept { fields.ctx.reset(state); }
  // One more item of the "ctx" array; a string is kept (up to kMaxContextPairs).
  void addCtxItem(bool isString, std::string_view text) {
    if (isString && fields.ctx.state == EnvelopeNames::State::strings &&
        fields.ctx.count < ctxNames.size()) {
      ctxNames[fields.ctx.count].assign(text);
    }
    fields.ctx.add(isString, std::string_view());
  }
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
