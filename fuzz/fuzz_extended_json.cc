// libFuzzer target: the Extended JSON conversion's value form (json and ordered_json) against its
// text form on the same text (connector_crypto/extended_json.hpp).
// Contract checked: nothing but connector_crypto::Error (and std::bad_alloc) escapes; for text the
// library's parser accepts, the text form and the ordered_json value form give the same verdict
// (the same code and message on failure, the same bytes on success: text == dump()), every object
// of the text's members in JavaScript's order (array-index names first, ascending), the json form
// (which walks sorted members, so may meet another failing wrapper first) the same code and, on
// success, the same value; a converted value holds no '$'-key and converts to itself; no message
// quotes the input's strings (checked with a marker).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connector_crypto/connector_crypto.hpp"
#include "fuzz_support.hpp"
#include "json_codec.hpp"

namespace {

namespace cc = connector_crypto;
using fuzz_support::violation;
using json = nlohmann::json;

struct Verdict {
  std::optional<cc::ErrorCode> code;  // nullopt: converted
  std::string message;
  std::string text;  // the converted value's text
};

template <typename Fn>
Verdict run(Fn&& fn) {
  Verdict v;
  try {
    v.text = fn();
  } catch (const cc::Error& e) {
    v.code = e.code();
    v.message = e.what();
  }
  return v;
}

// True when every object in v lists its array-index names first, ascending (JSON.stringify's
// order).
bool inJavaScriptOrder(const nlohmann::ordered_json& v) {
  if (v.is_array()) {
    for (const auto& item : v) {
      if (!inJavaScriptOrder(item)) return false;
    }
  }
  if (!v.is_object()) return true;
  bool other = false;
  std::optional<std::uint32_t> last;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::optional<std::uint32_t> index = cc::extended_json::arrayIndexOf(it.key());
    if (index && (other || (last && *last >= *index))) return false;
    if (index) last = index;
    other = other || !index;
    if (!inJavaScriptOrder(it.value())) return false;
  }
  return true;
}

bool holdsWrapperKey(const json& v) {
  if (v.is_array()) {
    for (const json& item : v) {
      if (holdsWrapperKey(item)) return true;
    }
  }
  if (!v.is_object()) return false;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (cc::extended_json::isWrapperKey(it.key()) || holdsWrapperKey(it.value())) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The text form drops one leading byte order mark (docs/FORMAT.md); the value forms compared with
  // it parse what follows.
  const std::string_view text = cc::withoutByteOrderMark(input);
  try {
    const Verdict fromText = run([&] {
      const cc::SecretBuffer out = cc::convertExtendedJsonText(input);
      return std::string(out.data(), out.size());
    });
    if (fromText.message.find("FUZZ-SECRET") != std::string::npos) {
      violation("a message quotes the input", fromText.message);
    }
    json value;
    if (!cc::detail::parseJson(text.data(), text.size(), value)) {
      if (fromText.code != cc::ErrorCode::kInvalidText) {
        violation("text the parser refuses was not kInvalidText");
      }
      return 0;
    }
    if (fromText.code == cc::ErrorCode::kInvalidText) violation("accepted text called invalid");
    // The library's parse in the text's own member order: the text form's twin.
    nlohmann::ordered_json ordered;
    if (!cc::detail::adapter::parseText(text, false, ordered)) violation("ordered parse refused");
    const Verdict fromOrdered = run([&] { return cc::convertExtendedJson(ordered).dump(); });
    if (fromOrdered.code != fromText.code || fromOrdered.message != fromText.message ||
        fromOrdered.text != fromText.text) {
      violation("the ordered_json form and the text form disagree",
                fromOrdered.message + " | " + fromText.message);
    }
    // Sorted members: the verdict's code is the same (a wrapper's does not depend on the order).
    const Verdict fromValue = run([&] { return cc::convertExtendedJson(value).dump(); });
    if (fromValue.code != fromText.code) violation("json's verdict differs");
    if (fromText.code) return 0;
    if (json::parse(fromText.text) != value) violation("json's value differs");
    if (!inJavaScriptOrder(nlohmann::ordered_json::parse(fromText.text))) {
      violation("members not in JavaScript's order");
    }
    if (holdsWrapperKey(value)) violation("a converted value holds a '$'-key");
    const cc::SecretBuffer again = cc::convertExtendedJsonText(fromText.text);
    if (std::string_view(again.data(), again.size()) != fromText.text) {
      violation("converting a converted value changed it");
    }
  } catch (const std::bad_alloc&) {
  } catch (const cc::Error& e) {
    violation("an Error escaped where none was expected", e.what());
  } catch (...) {
    violation("a non-connector_crypto exception escaped");
  }
  return 0;
}
