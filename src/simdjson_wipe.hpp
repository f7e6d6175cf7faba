// Internal: wiping what simdjson's DOM parser kept of a text (json_codec.cc, json_text.cc).
#pragma once

#if defined(CONNECTOR_CRYPTO_HAVE_SIMDJSON)

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <openssl/crypto.h>
#include <simdjson.h>

namespace connector_crypto {
namespace detail {

// Documents up to this size reuse one parser per thread (its buffers stay allocated); larger ones
// get a parser of their own, freed afterwards.
inline constexpr std::size_t kReusedParserLimit = 256 * 1024;

// Wipes what parsing text of size bytes may have left in parser's document buffers: exactly the
// used part after a success (tapeUsed entries, strings up to stringsEnd), the bound after a
// failure.
inline void wipeParser(simdjson::dom::parser& parser, std::size_t size, std::size_t tapeUsed,
                       const std::uint8_t* stringsEnd) noexcept {
  simdjson::dom::document& doc = parser.doc;
  const std::size_t cap = doc.capacity();
  if (cap == 0) return;
  const std::size_t bound = size < cap ? size : cap;
  const std::size_t tapeCap = SIMDJSON_ROUNDUP_N(bound + 3, 64);
  const std::size_t stringCap = SIMDJSON_ROUNDUP_N(5 * bound / 3 + simdjson::SIMDJSON_PADDING, 64);
  std::size_t tapeWipe = tapeUsed == 0 || tapeUsed > tapeCap ? tapeCap : tapeUsed;
  std::size_t stringWipe = stringCap;
  if (stringsEnd != nullptr) {
    const auto used = static_cast<std::size_t>(stringsEnd - doc.string_buf.get());
    if (used < stringWipe) stringWipe = used;
  }
  OPENSSL_cleanse(doc.tape.get(), tapeWipe * sizeof(std::uint64_t));
  OPENSSL_cleanse(doc.string_buf.get(), stringWipe);
}

// Moves stringsEnd past s, a string of simdjson's string buffer (each is followed by a NUL): after a
// walk that saw every string, the bound of what wipeParser must wipe.
inline void noteString(const std::uint8_t*& stringsEnd, std::string_view s) noexcept {
  const auto* end = reinterpret_cast<const std::uint8_t*>(s.data()) + s.size() + 1;
  if (end > stringsEnd) stringsEnd = end;
}

// The tape entries a successful parse used (tape[0] is the root entry; its payload is the index of
// the closing root entry).
inline std::size_t tapeUsed(const simdjson::dom::parser& parser) noexcept {
  return static_cast<std::size_t>(parser.doc.tape[0] & simdjson::internal::JSON_VALUE_MASK) + 1;
}

}  // namespace detail
}  // namespace connector_crypto

#endif  // CONNECTOR_CRYPTO_HAVE_SIMDJSON
