// The library's RFC 8259 reader (json_sax.hpp): nlohmann's lexer and parser rules, rewritten so
// that every byte of the text it copies (strings, member names, number tokens) is in memory it
// wipes. tests/test_json_codec.cpp and fuzz/fuzz_json_parse_diff.cc hold it to parseJsonReference.
#include "json_sax.hpp"

#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "connector_crypto/json_whitespace.hpp"
#include "connector_crypto/secret_data.hpp"
#include "utf8.hpp"

namespace connector_crypto {
namespace detail {
namespace {

using WipingString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

// The digit value of a hexadecimal character, or -1.
int hexValue(unsigned char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends code point cp (at most U+10FFFF, not a surrogate) as UTF-8.
void appendUtf8(WipingString& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Reader {
 public:
  Reader(std::string_view text, JsonSax& sax) noexcept
      : p_(reinterpret_cast<const unsigned char*>(text.data())),
        end_(p_ + text.size()),
        sax_(sax) {}
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  // A small string stays inside the object, out of the allocator's reach: wiped here.
  ~Reader() {
    secureWipe(string_.data(), string_.capacity());
    secureWipe(number_.data(), number_.capacity());
  }

  bool read() {
    std::vector<bool> open;  // the open containers, innermost last: true for an object
    for (;;) {
      // A value is expected.
      skipWhitespace();
      if (p_ == end_) return false;
      bool done = false;  // the value just read is complete (a scalar or an empty container)
      switch (*p_) {
        case '{':
          ++p_;
          if (!sax_.start_object()) return false;
          skipWhitespace();
          if (p_ != end_ && *p_ == '}') {
            ++p_;
            if (!sax_.end_object()) return false;
            done = true;
          } else {
            open.push_back(true);
            if (!member()) return false;
          }
          break;
        case '[':
          ++p_;
          if (!sax_.start_array()) return false;
          skipWhitespace();
          if (p_ != end_ && *p_ == ']') {
            ++p_;
            if (!sax_.end_array()) return false;
            done = true;
          } else {
            open.push_back(false);
          }
          break;
        default:
          if (!scalar()) return false;
          done = true;
          break;
      }
      if (!done) continue;
      // After a complete value: a separator, the end of containers, or the end of the text.
      for (;;) {
        skipWhitespace();
        if (open.empty()) return p_ == end_;
        if (p_ == end_) return false;
        const unsigned char c = *p_++;
        const bool object = open.back();
        if (c == ',') {
          if (object && !member()) return false;
          break;
        }
        if (c != (object ? '}' : ']')) return false;
        open.pop_back();
        if (!(object ? sax_.end_object() : sax_.end_array())) return false;
      }
    }
  }

 private:
  void skipWhitespace() noexcept {
    while (p_ != end_ && isJsonWhitespace(static_cast<char>(*p_))) ++p_;
  }

  // A member name and its colon (the value follows).
  bool member() {
    skipWhitespace();
    if (p_ == end_ || *p_ != '"' || !string()) return false;
    if (!sax_.key(std::string_view(string_.data(), string_.size()))) return false;
    skipWhitespace();
    if (p_ == end_ || *p_ != ':') return false;
    ++p_;
    return true;
  }

  bool literal(const char* word, std::size_t size) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < size || std::memcmp(p_, word, size) != 0)
      return false;
    p_ += size;
    return true;
  }

  bool scalar() {
    switch (*p_) {
      case '"':
        return string() && sax_.string(std::string_view(string_.data(), string_.size()));
      case 't':
        return literal("true", 4) && sax_.boolean(true);
      case 'f':
        return literal("false", 5) && sax_.boolean(false);
      case 'n':
        return literal("null", 4) && sax_.null();
      default:
        return number();
    }
  }

  // Four hex digits at p_ as a code unit, or -1.
  long codeUnit() noexcept {
    if (end_ - p_ < 4) return -1;
    long v = 0;
    for (int i = 0; i < 4; ++i) {
      const int d = hexValue(p_[i]);
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    p_ += 4;
    return v;
  }

  // The string at p_ (its opening quote), unescaped into string_.
  bool string() {
    string_.clear();
    ++p_;
    for (;;) {
      const unsigned char* run = p_;
      while (p_ != end_ && *p_ >= 0x20 && *p_ < 0x80 && *p_ != '"' && *p_ != '\\') ++p_;
      string_.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return false;
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;  // a control character must be escaped
      if (c >= 0x80) {
        const std::size_t k = utf8SequenceLength(p_, end_);
        if (k == 0) return false;
        string_.append(reinterpret_cast<const char*>(p_), k);
        p_ += k;
        continue;
      }
      if (++p_ == end_) return false;  // a backslash
      switch (*p_++) {
        case '"':
          string_.push_back('"');
          break;
        case '\\':
          string_.push_back('\\');
          break;
        case '/':
          string_.push_back('/');
          break;
        case 'b':
          string_.push_back('\b');
          break;
        case 'f':
          string_.push_back('\f');
          break;
        case 'n':
          string_.push_back('\n');
          break;
        case 'r':
          string_.push_back('\r');
          break;
        case 't':
          string_.push_back('\t');
          break;
        case 'u': {
          const long unit = codeUnit();
          if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF)) return false;
          std::uint32_t cp = static_cast<std::uint32_t>(unit);
          if (unit >= 0xD800 && unit <= 0xDBFF) {
            // A high surrogate: a low one must follow, escaped.
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            const long low = codeUnit();
            if (low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + static_cast<std::uint32_t>(low - 0xDC00);
          }
          appendUtf8(string_, cp);
          break;
        }
        default:
          return false;
      }
    }
  }

  static bool isDigit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
  void skipDigits() noexcept {
    while (p_ != end_ && isDigit(*p_)) ++p_;
  }

  // The number at p_: its grammar (RFC 8259), then nlohmann's conversion of the token.
  bool number() {
    const unsigned char* const start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      skipDigits();
    } else {
      return false;
    }
    bool integer = true;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !isDigit(*p_)) return false;
      skipDigits();
      integer = false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !isDigit(*p_)) return false;
      skipDigits();
      integer = false;
    }
    // The token, NUL-terminated for strtoull/strtoll/strtod, with the locale's decimal point as
    // nlohmann's lexer writes it.
    const auto size = static_cast<std::size_t>(p_ - start);
    number_.assign(reinterpret_cast<const char*>(start), size);
    if (!integer) {
      const std::lconv* loc = std::localeconv();
      const char point = loc->decimal_point == nullptr ? '.' : *loc->decimal_point;
      if (point != '.') {
        for (char& c : number_) {
          if (c == '.') c = point;
        }
      }
    }
    const char* token = number_.c_str();
    char* stop = nullptr;
    if (integer) {
      errno = 0;
      if (negative) {
        const long long v = std::strtoll(token, &stop, 10);
        if (errno == 0) return sax_.number_integer(static_cast<std::int64_t>(v));
      } else {
        const unsigned long long v = std::strtoull(token, &stop, 10);
        if (errno == 0) return sax_.number_unsigned(static_cast<std::uint64_t>(v));
      }
    }
    // A fraction, an exponent, or an integer beyond 64 bits: a double, refused past its range
    // (nlohmann's parser: "number overflow").
    const double d = std::strtod(token, &stop);
    if (!std::isfinite(d)) return false;
    return sax_.number_float(d);
  }

  const unsigned char* p_;
  const unsigned char* const end_;
  JsonSax& sax_;
  WipingString string_;  // the string or member name being read
  WipingString number_;  // the number token being converted
};

}  // namespace

bool readJson(std::string_view text, JsonSax& sax) {
  Reader reader(text, sax);
  return reader.read();
}

}  // namespace detail
}  // namespace connector_crypto
