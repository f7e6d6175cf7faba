// Encryption contexts: what binds an envelope to its record (docs/FORMAT.md, "Bound envelopes").
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector_crypto/config.hpp"

namespace connector_crypto {

// 1 to kMaxContextPairs (name, value) pairs that a bound envelope is sealed under (as associated
// data). A name is 1-64 characters of [A-Za-z0-9_.-], unique; a value is 1-4096 bytes of valid
// UTF-8 without NUL. The order given does not matter. Construction throws Error
// (kInvalidContext) naming the rule and the name at fault, never quoting a value. Values are not
// secrets, but are not logged either.
class CONNECTOR_CRYPTO_API EncryptionContext {
 public:
  using Pair = std::pair<std::string, std::string>;

  // EncryptionContext{{"tenant", typedObjectId(t)}, {"id", typedObjectId(id)}}: a repeated name
  // throws (a std::map alone would drop it silently).
  EncryptionContext(std::initializer_list<Pair> pairs);
  EncryptionContext(const std::map<std::string, std::string>& pairs);  // NOLINT: implicit on purpose
  explicit EncryptionContext(std::vector<Pair> pairs);

  // The pairs, in ascending byte order of name.
  const std::vector<Pair>& pairs() const noexcept { return pairs_; }
  // The names, in ascending byte order (what a bound envelope's "ctx" holds).
  std::vector<std::string> names() const;

  friend bool operator==(const EncryptionContext& a, const EncryptionContext& b) {
    return a.pairs_ == b.pairs_;
  }
  friend bool operator!=(const EncryptionContext& a, const EncryptionContext& b) {
    return !(a == b);
  }

 private:
  std::vector<Pair> pairs_;
};

// A context value typed as every side types a document's ObjectId: "oid:" and its 24 hex digits
// in lowercase. Throws Error (kInvalidContext) when hex is not 24 hex digits.
CONNECTOR_CRYPTO_API std::string typedObjectId(std::string_view hex);

// A context value typed as every side types a document's string: "str:" and the string.
CONNECTOR_CRYPTO_API std::string typedString(std::string_view value);

}  // namespace connector_crypto
