// Internal: the library's own RFC 8259 reader, reporting SAX events as nlohmann's sax_parse does,
// with nlohmann's verdicts and values, in memory it wipes. The parser of the build without
// simdjson, and of the text simdjson refuses (json_codec.cc, json_text.cc).
#pragma once

#include <cstdint>
#include <string_view>

namespace connector_crypto {
namespace detail {

// What readJson reports, in document order (nlohmann's json_sax interface, without sizes). A false
// return stops the read, which then returns false. The views are valid during the call only.
class JsonSax {
 public:
  virtual bool null() = 0;
  virtual bool boolean(bool value) = 0;
  // A negative integer, or "-0" (nlohmann's number_integer).
  virtual bool number_integer(std::int64_t value) = 0;
  virtual bool number_unsigned(std::uint64_t value) = 0;
  virtual bool number_float(double value) = 0;
  virtual bool string(std::string_view value) = 0;
  virtual bool key(std::string_view name) = 0;
  virtual bool start_object() = 0;
  virtual bool end_object() = 0;
  virtual bool start_array() = 0;
  virtual bool end_array() = 0;

 protected:
  ~JsonSax() = default;
};

// Reads exactly one JSON value from text and reports it to sax: true when nlohmann::json::sax_parse
// (strict) would return true on text that has no NUL byte and no leading byte order mark, which
// this reader refuses. Numbers as nlohmann's lexer reads them: an integer as uint64 (or int64 when
// negative, "-0" included), else (a fraction, an exponent, or an integer beyond 64 bits) the double
// strtod gives, refused when not finite. Strings: UTF-8 (utf8.hpp), escapes and surrogate pairs
// decoded, "\u0000" kept. Nesting is the handler's to limit. Every buffer it used is wiped.
bool readJson(std::string_view text, JsonSax& sax);

}  // namespace detail
}  // namespace connector_crypto
