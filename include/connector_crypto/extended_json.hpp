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

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "connector_crypto/config.hpp"
#include "connector_crypto/detail/json_types.hpp"
#include "connector_crypto/extended_json_text.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace extended_json {

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

}  // namespace connector_crypto
