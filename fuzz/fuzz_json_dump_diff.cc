// Differential fuzzer: the fast serializer against nlohmann's dump() on values built from the input
// bytes (arbitrary strings, invalid UTF-8 included, every double, nesting). Both must write the
// same bytes, or both refuse (serializeJson with connector_crypto::Error, dump() with type_error
// 316); a NaN or infinite number, which dump() writes as null, serializeJson alone refuses.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "connector_crypto/error.hpp"
#include "fuzz_support.hpp"
#include "json_codec.hpp"

namespace {

// Reads the input as a little program that builds one value.
class Builder {
 public:
  Builder(const std::uint8_t* data, std::size_t size) : in_(data, size) {}

  nlohmann::json value(int depth) {
    switch (depth > 40 ? byte() % 7 : byte() % 9) {
      case 0: return nullptr;
      case 1: return (byte() & 1) != 0;
      case 2: return static_cast<std::int64_t>(word());
      case 3: return word();
      case 4: {
        const std::uint64_t bits = word();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
      }
      case 5:
      case 6: return string();
      case 7: {
        nlohmann::json a = nlohmann::json::array();
        for (unsigned n = byte() % 6; n > 0 && in_.more(); --n) a.push_back(value(depth + 1));
        return a;
      }
      default: {
        nlohmann::json o = nlohmann::json::object();
        for (unsigned n = byte() % 6; n > 0 && in_.more(); --n) o[string()] = value(depth + 1);
        return o;
      }
    }
  }

 private:
  unsigned byte() { return in_.byte(); }
  std::uint64_t word() { return in_.word(); }
  std::string string() { return in_.string(48); }

  fuzz_support::ByteReader in_;
};

// True when v holds a NaN or infinite number (iterative).
bool holdsNonFinite(const nlohmann::json& v) {
  std::vector<const nlohmann::json*> pending{&v};
  while (!pending.empty()) {
    const nlohmann::json* x = pending.back();
    pending.pop_back();
    if (x->is_number_float() && !std::isfinite(x->get<double>())) return true;
    if (x->is_structured()) {
      for (const auto& child : *x) pending.push_back(&child);
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json v = Builder(data, size).value(0);
  if (holdsNonFinite(v)) {
    try {
      (void)connector_crypto::detail::serializeJson(v);
    } catch (const connector_crypto::Error&) {
      return 0;
    }
    std::abort();
  }
  std::string expected;
  bool dumpRefused = false;
  try {
    expected = v.dump();
  } catch (const nlohmann::json::type_error&) {
    dumpRefused = true;
  }
  try {
    const connector_crypto::SecretBuffer out = connector_crypto::detail::serializeJson(v);
    if (dumpRefused || std::string(out.data(), out.size()) != expected) std::abort();
  } catch (const connector_crypto::Error&) {
    if (!dumpRefused) std::abort();
  }
  return 0;
}
