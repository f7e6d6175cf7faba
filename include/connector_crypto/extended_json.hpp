// MongoDB's Extended JSON v2 type wrappers ({"$date":…}, {"$oid":…}, {"$numberLong":…}, …) turned
// into what the TypeScript services' JSON.stringify of the Node driver's objects gives: the step a
// service applies to plaintext it read from MongoDB (libbson's bson_as_relaxed_extended_json,
// mongocxx's to_json, mongoexport) before using or re-saving it (docs/FORMAT.md, MongoDB section).
//
// The rules (which wrappers convert, to what, and the calendar arithmetic) are compiled into the
// library (src/extended_json.cc); the value form below only walks a basic_json and calls them, and
// the text form runs the same walk over the library's parse of the text.
//
// The value form, for nlohmann::json and nlohmann::ordered_json; the rules and the text form
// (convertExtendedJsonText) are in extended_json_text.hpp, which includes no nlohmann header.
#pragma once

#include <cstddef>
#include <type_traits>

#include "connector_crypto/config.hpp"
#include "connector_crypto/detail/json_types.hpp"
#include "connector_crypto/extended_json_text.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace extended_json {

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
}

}  // namespace extended_json

// Replaces every Extended JSON v2 wrapper inside value, in place (see extended_json::convertWrapper
// for each wrapper's rule), and returns value: a value without wrappers is left as it is, so
// plaintext the TypeScript services wrote and envelopes pass through; a canonical export's
// {"__enc":{"$numberInt":"1"},…} becomes the envelope decryptCredentials reads. For nlohmann::json
// and nlohmann::ordered_json (member order kept). Throws Error: ErrorCode::kExtendedJson for a
// wrapper that does not convert, kTooDeep for nesting deeper than kMaxJsonDepth; value is then
// still JSON, with the wrappers met before the failing one converted (wipe it if it holds secrets).
template <typename BasicJson>
detail::IfBasicJson<BasicJson, BasicJson&> convertExtendedJson(BasicJson& value) {
  CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson);
  static_assert(!std::is_const<BasicJson>::value,
                "convertExtendedJson converts in place: pass a non-const value");
  extended_json::convertIn(value, 0);
  return value;
}

}  // namespace connector_crypto
