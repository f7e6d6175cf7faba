// Differential fuzzer: the plaintext parser (simdjson into nlohmann, when built with
// CONNECTOR_CRYPTO_HAVE_SIMDJSON), and the library's own reader alone (json_sax.hpp: the parser
// without simdjson and of the text simdjson refuses), against nlohmann::json::parse with the depth
// limit. Any input on which they disagree (accepted by one only, or a different value or number
// type) aborts.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "connector_crypto/secret_data.hpp"
#include "json_codec.hpp"

namespace {

// Same types everywhere and the same values (floats bit for bit).
bool identical(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case nlohmann::json::value_t::object: {
      if (a.size() != b.size()) return false;
      auto ib = b.begin();
      for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
        if (ia.key() != ib.key() || !identical(ia.value(), ib.value())) return false;
      }
      return true;
    }
    case nlohmann::json::value_t::array:
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!identical(a[i], b[i])) return false;
      }
      return true;
    case nlohmann::json::value_t::number_float: {
      const double x = a.get<double>(), y = b.get<double>();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    default:
      return a == b;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace d = connector_crypto::detail;
  const char* text = reinterpret_cast<const char*>(data);
  nlohmann::json reference, fast, padded;
  const bool refOk = d::parseJsonReference(text, size, reference);
  const bool fastOk = d::parseJson(text, size, fast);
  connector_crypto::SecretBuffer buffer(size + d::kJsonParsePadding, '\x5a');
  if (size > 0) std::memcpy(buffer.data(), data, size);
  const bool paddedOk = d::parseJsonPadded(buffer.data(), size, padded);
  nlohmann::json read;
  const bool readOk = d::parseJsonWithReader(text, size, read);
  if (refOk != fastOk || refOk != paddedOk || refOk != readOk) std::abort();
  if (refOk && (!identical(reference, fast) || !identical(reference, padded) ||
                !identical(reference, read))) {
    std::abort();
  }
  if (!refOk && (!fast.is_null() || !padded.is_null() || !read.is_null())) std::abort();
  return 0;
}
