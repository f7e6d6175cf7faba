// The core's JSON byte services (connector_crypto/detail/core.hpp): string escaping and number
// formatting byte-identical to nlohmann's dump() for the adapters' serializer, and the plaintext
// parser: (with CONNECTOR_CRYPTO_WITH_SIMDJSON) simdjson's DOM reported as events, falling back to
// the library's reader (json_sax.hpp, nlohmann's verdicts) wherever the two could differ.
// docs/PERFORMANCE.md.
#include "json_codec.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/crypto.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "connector_crypto/error.hpp"
#include "connector_crypto/limits.hpp"
#include "json_sax.hpp"
#include "utf8.hpp"

#if defined(CONNECTOR_CRYPTO_HAVE_SIMDJSON)
#include "simdjson_wipe.hpp"
#endif

namespace connector_crypto {
namespace detail {
namespace core {
namespace {

// ---- serializer -------------------------------------------------------------------------------

#if !defined(__SSE2__)
constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

// Non-zero when one of the 8 bytes of w is >= 0x80, < 0x20, '"' or '\\' (exact for "any").
inline std::uint64_t needsAttention(std::uint64_t w) noexcept {
  const std::uint64_t below20 = (w - kOnes * 0x20) & ~w;
  const std::uint64_t q = w ^ (kOnes * 0x22);
  const std::uint64_t b = w ^ (kOnes * 0x5C);
  return (below20 | ((q - kOnes) & ~q) | ((b - kOnes) & ~b) | w) & kHighs;
}

inline std::uint64_t load8(const unsigned char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
#endif

// Escaped length of each ASCII byte under dump(): short escapes, \u00XX for other controls.
constexpr std::array<std::uint8_t, 128> kEscapedLength = [] {
  std::array<std::uint8_t, 128> t{};
  for (std::size_t c = 0; c < 128; ++c) t[c] = c < 0x20 ? 6 : 1;
  for (char c : {'\b', '\t', '\n', '\f', '\r', '"', '\\'}) t[static_cast<std::size_t>(c)] = 2;
  return t;
}();

// Advances p over bytes that dump() copies unchanged: ASCII other than controls, '"' and '\\', and
// (when nonAsciiIsClean) every byte >= 0x80. 16 bytes per step with SSE2, else 8 (SWAR).
template <bool nonAsciiIsClean>
inline const unsigned char* skipClean(const unsigned char* p, const unsigned char* end) noexcept {
#if defined(__SSE2__)
  const __m128i ctl = _mm_set1_epi8(0x1F), quote = _mm_set1_epi8('"'), slash = _mm_set1_epi8('\\');
  // The bytes of the 16 at q that need attention, as a bit mask.
  const auto attention = [&](const unsigned char* q) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl),
                               _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)));
    if (!nonAsciiIsClean) bad = _mm_or_si128(bad, v);  // the high bit marks a byte >= 0x80
    return static_cast<unsigned>(_mm_movemask_epi8(bad));
  };
  while (end - p >= 32) {  // two vectors per step: long strings are the common case here
    const unsigned mask = attention(p) | (attention(p + 16) << 16);
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 32;
  }
  if (end - p >= 16) {
    const unsigned mask = attention(p);
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#else
  if (!nonAsciiIsClean) {
    while (end - p >= 8 && needsAttention(load8(p)) == 0) p += 8;
  }
#endif
  while (p < end && (*p >= 0x80 ? nonAsciiIsClean : kEscapedLength[*p] == 1)) ++p;
  return p;
}

}  // namespace

bool measureString(std::string_view s, std::size_t& n) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  std::size_t len = 2;
  while (p < end) {
    const auto* clean = skipClean<false>(p, end);
    len += static_cast<std::size_t>(clean - p);
    p = clean;
    if (p == end) break;
    if (*p < 0x80) {
      len += kEscapedLength[*p];
      ++p;
    } else {
      const std::size_t k = utf8SequenceLength(p, end);  // the one UTF-8 rule (utf8.hpp)
      if (k == 0) return false;
      p += k;
      len += k;
    }
  }
  n += len;
  return true;
}

char* writeString(std::string_view s, char* o) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  *o++ = '"';
  while (p < end) {
    const auto* run = p;
    p = skipClean<true>(p, end);
    if (p != run) {
      std::memcpy(o, run, static_cast<std::size_t>(p - run));
      o += p - run;
      if (p == end) break;
    }
    const unsigned char c = *p++;
    *o++ = '\\';
    switch (c) {
      case '\b': *o++ = 'b'; break;
      case '\t': *o++ = 't'; break;
      case '\n': *o++ = 'n'; break;
      case '\f': *o++ = 'f'; break;
      case '\r': *o++ = 'r'; break;
      case '"': *o++ = '"'; break;
      case '\\': *o++ = '\\'; break;
      default:
        *o++ = 'u';
        *o++ = '0';
        *o++ = '0';
        *o++ = kHex[c >> 4];
        *o++ = kHex[c & 0x0F];
        break;
    }
  }
  *o++ = '"';
  return o;
}

char* formatDouble(double value, char* buf) noexcept {
  return nlohmann::detail::to_chars(buf, buf + kNumberChars, value);
}

namespace {

// True when text holds a NUL byte, which no JSON text does outside a string (RFC 8259) and which
// nlohmann's lexer takes for the end of the input.
bool holdsNul(const char* text, std::size_t size) noexcept {
  return size != 0 && std::memchr(text, 0, size) != nullptr;
}

// ---- parser -----------------------------------------------------------------------------------

// Forwards the reader's events (json_sax.hpp) to the adapter's events, refusing nesting past the
// limit. Its verdicts are nlohmann::json::parse's: the parser of the build without simdjson, and of
// the text simdjson refuses or could read differently.
class SaxToEvents final : public JsonSax {
 public:
  explicit SaxToEvents(JsonEvents& events) noexcept : events_(events) {}
  SaxToEvents(const SaxToEvents&) = delete;
  SaxToEvents& operator=(const SaxToEvents&) = delete;
  ~SaxToEvents() { secureWipe(key_.data(), key_.capacity()); }  // a member name of the plaintext

  bool null() override { return events_.onNull(in(), key()), true; }
  bool boolean(bool v) override { return events_.onBool(in(), key(), v), true; }
  bool number_integer(std::int64_t v) override { return events_.onInt(in(), key(), v), true; }
  bool number_unsigned(std::uint64_t v) override { return events_.onUint(in(), key(), v), true; }
  bool number_float(double v) override { return events_.onDouble(in(), key(), v), true; }
  bool string(std::string_view s) override { return events_.onString(in(), key(), s), true; }
  // The reader reuses the name's buffer for the value that follows: the name is copied.
  bool key(std::string_view k) override { return key_.assign(k.data(), k.size()), true; }
  bool start_object() override {
    if (opensTooDeep(open_.size())) return false;
    open_.push_back({events_.onBeginObject(in(), key(), 0), true});
    return true;
  }
  bool end_object() override { return events_.onEndObject(close()), true; }
  bool start_array() override {
    if (opensTooDeep(open_.size())) return false;
    open_.push_back({events_.onBeginArray(in(), key(), 0), false});
    return true;
  }
  bool end_array() override { return events_.onEndArray(close()), true; }

 private:
  struct Open {
    JsonEvents::Container container;
    bool object;
  };

  JsonEvents::Container in() const noexcept {
    return open_.empty() ? nullptr : open_.back().container;
  }
  std::string_view key() const noexcept {
    return !open_.empty() && open_.back().object ? std::string_view(key_) : std::string_view();
  }
  JsonEvents::Container close() noexcept {
    const JsonEvents::Container c = open_.back().container;
    open_.pop_back();
    return c;
  }

  JsonEvents& events_;
  std::vector<Open> open_;  // the open arrays and objects, innermost last
  // The name of the member whose value comes next; a heap buffer it outgrows is wiped when freed.
  std::basic_string<char, std::char_traits<char>, WipingAllocator<char>> key_;
};

#if defined(CONNECTOR_CRYPTO_HAVE_SIMDJSON)

static_assert(kJsonParsePadding >= simdjson::SIMDJSON_PADDING, "padding too small for simdjson");

// Reports a simdjson DOM as events, in one walk, with nlohmann's values ("-0", which simdjson reads
// as -0.0 or 0, is found in the text). Nesting past the limit makes it decline, before reporting
// that element: the events restart and the library's reader (nlohmann's verdicts) decides.
class DomToEvents {
 public:
  DomToEvents(std::string_view text, const std::uint8_t* strings) noexcept
      : text_(text), stringsEnd_(strings) {}

  // e's value as a T (the type is e's, so get() succeeds).
  template <typename T>
  static T valueOf(simdjson::dom::element e) noexcept {
    T v{};
    const simdjson::error_code ignored = e.get(v);
    static_cast<void>(ignored);
    return v;
  }

  // Reports e, placed in `in` under `key` (JsonEvents) and nested in `enclosing` arrays/objects;
  // false when it declines.
  bool emit(simdjson::dom::element e, JsonEvents& events, JsonEvents::Container in,
            std::string_view key, std::size_t enclosing) {
    using simdjson::dom::element_type;
    switch (e.type()) {
      case element_type::OBJECT: {
        if (opensTooDeep(enclosing)) return false;
        const auto obj = valueOf<simdjson::dom::object>(e);
        const JsonEvents::Container object = events.onBeginObject(in, key, obj.size());
        for (simdjson::dom::key_value_pair kv : obj) {
          note(kv.key);
          if (!emit(kv.value, events, object, kv.key, enclosing + 1)) return false;
        }
        events.onEndObject(object);
        return true;
      }
      case element_type::ARRAY: {
        if (opensTooDeep(enclosing)) return false;
        const auto arr = valueOf<simdjson::dom::array>(e);
        const JsonEvents::Container array = events.onBeginArray(in, key, arr.size());
        for (simdjson::dom::element child : arr) {
          if (!emit(child, events, array, {}, enclosing + 1)) return false;
        }
        events.onEndArray(array);
        return true;
      }
      case element_type::STRING: {
        const auto s = valueOf<std::string_view>(e);
        note(s);
        events.onString(in, key, s);
        return true;
      }
      case element_type::INT64: {
        const auto i = valueOf<std::int64_t>(e);
        const std::size_t number = numbers_++;
        // nlohmann reads a non-negative integer as unsigned, and "-0" as the signed 0, which
        // simdjson does not tell from "0": the text tells.
        if (i > 0 || (i == 0 && !isMinusZero(number))) {
          events.onUint(in, key, static_cast<std::uint64_t>(i));
        } else {
          events.onInt(in, key, i);
        }
        return true;
      }
      case element_type::UINT64: {
        ++numbers_;
        events.onUint(in, key, valueOf<std::uint64_t>(e));
        return true;
      }
      case element_type::DOUBLE: {
        // "-0" is the integer 0 for nlohmann but -0.0 for simdjson; "-0.0" is -0.0 for both.
        const auto d = valueOf<double>(e);
        const std::size_t number = numbers_++;
        if (d == 0 && std::signbit(d) && isMinusZero(number)) {
          events.onInt(in, key, 0);
        } else {
          events.onDouble(in, key, d);
        }
        return true;
      }
      case element_type::BOOL: {
        events.onBool(in, key, valueOf<bool>(e));
        return true;
      }
      case element_type::NULL_VALUE:
        events.onNull(in, key);
        return true;
    }
    return false;  // not reached: every element_type is handled above
  }

  // End of the string bytes simdjson wrote (each string is followed by a NUL).
  const std::uint8_t* stringsEnd() const noexcept { return stringsEnd_; }

 private:
  void note(std::string_view s) noexcept { noteString(stringsEnd_, s); }

  // True when the number element `number` (0-based, in document order, which is the walk's) is
  // spelled "-0" in the text. The text is searched for "-0" once, at the first zero met.
  bool isMinusZero(std::size_t number) noexcept {
    if (minusZero_ < 0) minusZero_ = text_.find("-0") != std::string_view::npos ? 1 : 0;
    return minusZero_ == 1 && numberText(number) == "-0";
  }

  // The text of the number element `number`: a scan of the text (accepted by simdjson) that skips
  // strings, resumed where the last call stopped (the walk asks in increasing order).
  std::string_view numberText(std::size_t number) noexcept {
    const char* p = text_.data() + scanAt_;
    const char* const end = text_.data() + text_.size();
    const auto inNumber = [](char c) {
      return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
    };
    while (p < end) {
      if (*p == '"') {
        for (++p; p < end && *p != '"'; p += *p == '\\' ? 2 : 1) {
        }
        ++p;
      } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
        const char* const start = p;
        while (p < end && inNumber(*p)) ++p;
        if (scanned_++ == number) {
          scanAt_ = static_cast<std::size_t>(p - text_.data());
          return {start, static_cast<std::size_t>(p - start)};
        }
      } else {
        ++p;  // structure, whitespace, true, false, null
      }
    }
    scanAt_ = text_.size();
    return {};
  }

  std::string_view text_;
  const std::uint8_t* stringsEnd_;
  int minusZero_ = -1;       // unknown until a zero is met
  std::size_t numbers_ = 0;  // number elements reported so far
  std::size_t scanAt_ = 0;   // numberText's place in the text, and the numbers it passed
  std::size_t scanned_ = 0;
};

enum class FastParse { ok, fallback };

FastParse parseWithSimdjson(simdjson::dom::parser& parser, const char* text, std::size_t size,
                            JsonEvents& events) {
  simdjson::dom::element root;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text);
  if (parser.parse(bytes, size, false).get(root) != simdjson::SUCCESS) {
    wipeParser(parser, size, 0, nullptr);
    return FastParse::fallback;
  }
  DomToEvents walker({text, size}, parser.doc.string_buf.get());
  try {
    if (!walker.emit(root, events, nullptr, {}, 0)) {
      // A walk that declined has not seen every string: the bound is wiped.
      wipeParser(parser, size, tapeUsed(parser), nullptr);
      events.onRestart();
      return FastParse::fallback;
    }
  } catch (...) {
    wipeParser(parser, size, tapeUsed(parser), nullptr);
    throw;
  }
  wipeParser(parser, size, tapeUsed(parser), walker.stringsEnd());
  return FastParse::ok;
}

bool parsePaddedFast(const char* text, std::size_t size, JsonEvents& events) {
  FastParse result;
  if (size <= kReusedParserLimit) {
    thread_local simdjson::dom::parser parser;
    result = parseWithSimdjson(parser, text, size, events);
  } else {
    simdjson::dom::parser parser;
    result = parseWithSimdjson(parser, text, size, events);
  }
  if (result == FastParse::ok) return true;
  return parseWithReader({text, size}, events);
}

#endif  // CONNECTOR_CRYPTO_HAVE_SIMDJSON

}  // namespace

bool parseWithReader(std::string_view text, JsonEvents& events) {
  SaxToEvents sax(events);
  return readJson(text, sax);
}

bool fastParserEnabled() noexcept {
#if defined(CONNECTOR_CRYPTO_HAVE_SIMDJSON)
  return true;
#else
  return false;
#endif
}

bool parse(std::string_view text, bool padded, JsonEvents& events) {
  if (holdsNul(text.data(), text.size())) return false;
#if defined(CONNECTOR_CRYPTO_HAVE_SIMDJSON)
  if (padded) return parsePaddedFast(text.data(), text.size(), events);
  if (text.size() > SIZE_MAX / 2) return parseWithReader(text, events);
  SecretBuffer copy(text.size() + kJsonParsePadding);
  std::copy(text.begin(), text.end(), copy.data());
  return parsePaddedFast(copy.data(), text.size(), events);
#else
  (void)padded;
  return parseWithReader(text, events);
#endif
}

}  // namespace core
}  // namespace detail
}  // namespace connector_crypto
