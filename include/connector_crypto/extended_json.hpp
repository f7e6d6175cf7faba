// MongoDB's Extended JSON v2 type wrappers ({"$date":…}, {"$oid":…}, {"$numberLong":…}, …) turned
// into what the TypeScript services' JSON.stringify of the Node driver's objects gives: the step a
// service applies to plaintext it read from MongoDB (libbson's bson_as_relaxed_extended_json,
// mongocxx's to_json, mongoexport) before using or re-saving it (docs/FORMAT.md, MongoDB section).
//
// The rules (which wrappers convert, to what, and the calendar arithmetic) are compiled into the
// library (src/extended_json.cc); the value form below only walks a basic_json and calls them, and
// the text form runs the same walk over the library's parse of the text.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "connector_crypto/config.hpp"
#include "connector_crypto/detail/json_types.hpp"
#include "connector_crypto/error.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace extended_json {

// The value of a wrapper's member, as the walker found it: a string ({"$oid":"…"}), an object of
// exactly one member whose value is a string ({"$date":{"$numberLong":"…"}}), or anything else.
struct Operand {
  enum class Kind { kString, kStringMember, kOther };
  Kind kind = Kind::kOther;
  std::string_view name;  // kStringMember: the inner member's name
  std::string_view text;  // kString, kStringMember: the string
};

// What a wrapper is replaced by.
struct Replacement {
  enum class Kind { kNull, kInteger, kDouble, kString };
  Kind kind = Kind::kNull;
  std::int64_t integer = 0;  // kInteger
  double number = 0.0;       // kDouble (finite, never -0)
  std::string string;        // kString
};

// True when an object member named `name` makes its object an Extended JSON wrapper ('$' first).
CONNECTOR_CRYPTO_API bool isWrapperKey(std::string_view name) noexcept;

// The replacement of an object with `members` members, one of which is the wrapper key `key`
// holding `operand`: $date -> ISO-8601 string (toISOString), $numberLong/$numberInt/$numberDouble
// -> number ("NaN"/"Infinity"/"-Infinity" -> null, as JSON.stringify writes them), $oid ->
// lower-case hex string. Throws Error (ErrorCode::kExtendedJson) for a malformed or out-of-range
// wrapper, a wrapper with extra members, a wrapper JSON.stringify has no equivalent of ($binary,
// $numberDecimal, $timestamp, …) and any other '$'-key; the message names the wrapper (a key that
// is not a known wrapper is not quoted) and never a value.
CONNECTOR_CRYPTO_API Replacement convertWrapper(std::string_view key, std::size_t members,
                                                const Operand& operand);

// Throws the Error (ErrorCode::kTooDeep) for an array or object opening inside `enclosing` open
// arrays/objects that is deeper than kMaxJsonDepth: the walk's bound, the library's one depth rule.
CONNECTOR_CRYPTO_API void checkDepth(std::size_t enclosing);

// Milliseconds since the epoch as JavaScript's Date.prototype.toISOString prints them
// ("2021-03-04T10:15:30.000Z", "+010000-01-01T00:00:00.000Z"); nullopt outside JavaScript's date
// range (|ms| > 8.64e15).
CONNECTOR_CRYPTO_API std::optional<std::string> isoStringOfMillis(std::int64_t ms);

// Milliseconds since the epoch of an ISO-8601 date-time as relaxed Extended JSON writes a $date
// (YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM|+HHMM|-HHMM); digits past milliseconds are
// dropped, as JavaScript does); nullopt when text is not of that form or not a calendar date.
CONNECTOR_CRYPTO_API std::optional<std::int64_t> millisOfIsoString(std::string_view text) noexcept;

// The position JavaScript gives a member named `name` ahead of the others, whatever the order
// written: for an array index (a canonical decimal integer below 2^32 - 1: "0", "2", "10"; not
// "01", "-1", "+1" or "4294967295") its value, listed first in ascending order; nullopt for any
// other name, listed after them in the order written (ECMA-262 OrdinaryOwnPropertyKeys, which
// JSON.stringify follows).
CONNECTOR_CRYPTO_API std::optional<std::uint32_t> arrayIndexOf(std::string_view name) noexcept;

// An ordered_json object's members put in JSON.stringify's order (arrayIndexOf); the values are
// moved, never copied. nlohmann::json sorts its members itself: nothing to do.
template <typename BasicJson>
void orderAsJavaScript(BasicJson& object) {
  using Object = typename BasicJson::object_t;
  if constexpr (!std::is_same_v<BasicJson, nlohmann::json>) {
    auto& members = static_cast<typename Object::Container&>(object.template get_ref<Object&>());
    std::vector<std::pair<std::uint32_t, std::size_t>> indices;  // (index, position)
    bool inOrder = true;
    for (std::size_t i = 0; i < members.size(); ++i) {
      const std::optional<std::uint32_t> index = arrayIndexOf(members[i].first);
      if (!index) continue;
      // In order while the indices come first, ascending.
      inOrder =
          inOrder && indices.size() == i && (indices.empty() || indices.back().first < *index);
      indices.emplace_back(*index, i);
    }
    if (inOrder) return;
    std::sort(indices.begin(), indices.end());
    typename Object::Container ordered;
    ordered.reserve(members.size());
    std::vector<bool> moved(members.size(), false);
    for (const auto& index : indices) {
      ordered.emplace_back(std::move(members[index.second]));
      moved[index.second] = true;
    }
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (!moved[i]) ordered.emplace_back(std::move(members[i]));
    }
    members.swap(ordered);
#if JSON_DIAGNOSTICS
    object = BasicJson(std::move(object));  // the members' parent pointers, at their new places
#endif
  }
}

// The walk of convertExtendedJson: recursion bounded by checkDepth.
template <typename BasicJson>
void convertIn(BasicJson& value, std::size_t enclosing) {
  using String = typename BasicJson::string_t;
  if (value.is_array()) {
    checkDepth(enclosing);
    for (auto& item : value) convertIn(item, enclosing + 1);
    return;
  }
  if (!value.is_object()) return;
  checkDepth(enclosing);
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!isWrapperKey(it.key())) continue;
    const BasicJson& inner = it.value();
    Operand operand;
    if (inner.is_string()) {
      operand.kind = Operand::Kind::kString;
      operand.text = inner.template get_ref<const String&>();
    } else if (inner.is_object() && inner.size() == 1 && inner.begin()->is_string()) {
      operand.kind = Operand::Kind::kStringMember;
      operand.name = inner.begin().key();
      operand.text = inner.begin()->template get_ref<const String&>();
    }
    // The views point into value: the replacement is computed before value is assigned.
    Replacement r = convertWrapper(it.key(), value.size(), operand);
    switch (r.kind) {
      case Replacement::Kind::kNull:
        value = nullptr;
        break;
      case Replacement::Kind::kInteger:
        value = r.integer;
        break;
      case Replacement::Kind::kDouble:
        value = r.number;
        break;
      case Replacement::Kind::kString:
        value = String(r.string);
        detail::secureWipe(r.string.data(), r.string.size());
        break;
    }
    return;
  }
  for (auto& item : value) convertIn(item, enclosing + 1);
  orderAsJavaScript(value);
}

}  // namespace extended_json

// Replaces every Extended JSON v2 wrapper inside value, in place (see extended_json::convertWrapper
// for each wrapper's rule), and returns value: a value without wrappers is left as it is, so
// plaintext the TypeScript services wrote and envelopes pass through; a canonical export's
// {"__enc":{"$numberInt":"1"},…} becomes the envelope decryptCredentials reads. For nlohmann::json
// (members sorted, as it keeps them) and nlohmann::ordered_json (members in the order
// JSON.stringify of the Node driver's object lists them: the document's, array-index names first,
// arrayIndexOf). Throws Error: ErrorCode::kExtendedJson for a wrapper that does not convert,
// kTooDeep for nesting deeper than kMaxJsonDepth; value is then still JSON, with the wrappers met
// before the failing one converted (wipe it if it holds secrets).
template <typename BasicJson>
detail::IfBasicJson<BasicJson, BasicJson&> convertExtendedJson(BasicJson& value) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  static_assert(!std::is_const<BasicJson>::value,
                "convertExtendedJson converts in place: pass a non-const value");
  extended_json::convertIn(value, 0);
  return value;
}

// The same conversion over JSON text (libbson's bson_as_relaxed_extended_json, mongoexport's
// fields): the compact text of the converted value, in a buffer that wipes itself: what
// JSON.stringify of the object the Node driver reads gives, members in the document's order
// (array-index names first, as JavaScript lists them; a repeated member name keeps its first
// position and its last value, as JSON.parse does), byte for byte what convertExtendedJson of
// nlohmann::ordered_json and dump() give. Throws Error:
// kInvalidText for text that is not exactly one JSON value (UTF-8, no NUL, at most kMaxJsonDepth
// levels), and as convertExtendedJson. Every buffer it parsed into is wiped.
CONNECTOR_CRYPTO_API SecretBuffer convertExtendedJsonText(std::string_view json);

}  // namespace connector_crypto
