// MongoDB's Extended JSON v2 type wrappers ({"$date":…}, {"$oid":…}, {"$numberLong":…}, …) turned
// into what the TypeScript services' JSON.stringify of the Node driver's objects gives: the step a
// service applies to plaintext it read from MongoDB (libbson's bson_as_relaxed_extended_json,
// mongocxx's to_json, mongoexport) before using or re-saving it (docs/FORMAT.md, MongoDB section).
//
// This header is the part without nlohmann: the rules (which wrappers convert, to what, and the
// calendar arithmetic, compiled into the library: src/extended_json.cc) and the text form.
// extended_json.hpp adds the value form for nlohmann::json and nlohmann::ordered_json.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connector_crypto/config.hpp"
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

}  // namespace extended_json

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
