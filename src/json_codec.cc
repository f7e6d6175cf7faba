// JSON for plaintext: a serializer byte-identical to nlohmann's dump() without its per-character
// output calls, and (with CONNECTOR_CRYPTO_WITH_SIMDJSON) simdjson's DOM parser feeding the nlohmann
// result, falling back to nlohmann's parser wherever the two could differ. docs/PERFORMANCE.md.
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

#if defined(CONNECTOR_CRYPTO_HAVE_SIMDJSON)
#include "simdjson_wipe.hpp"
#endif

namespace connector_crypto {
namespace detail {
namespace {

struct TooDeep {};

[[noreturn]] void throwInvalidUtf8() {
  throw Error(ErrorCode::kNotSerializable,
              "credentials: a string is not valid UTF-8; nothing was encrypted");
}

// True when text holds a NUL byte, which no JSON text does outside a string (RFC 8259) and which
// nlohmann's lexer takes for the end of the input.
bool holdsNul(const char* text, std::size_t size) noexcept {
  return size != 0 && std::memchr(text, 0, size) != nullptr;
}

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

// Length of the well-formed UTF-8 sequence starting with the byte >= 0x80 at p (Unicode table 3-7,
// the sequences nlohmann's decoder accepts), or 0 when it is not well formed.
inline std::size_t utf8Sequence(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned c = p[0];
  const std::size_t left = static_cast<std::size_t>(end - p);
  const auto cont = [](unsigned x) { return (x & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(p[1]) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(p[2])) return 0;
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return p[1] >= lo && p[1] <= hi ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(p[2]) || !cont(p[3])) return 0;
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return p[1] >= lo && p[1] <= hi ? 4 : 0;
  }
  return 0;
}

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
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl),
                               _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)));
    if (!nonAsciiIsClean) bad = _mm_or_si128(bad, v);  // the high bit marks a byte >= 0x80
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(bad));
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

// Characters of the quoted, escaped string; false when it is not valid UTF-8.
bool measureString(const std::string& s, std::size_t& n) noexcept {
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
      const std::size_t k = utf8Sequence(p, end);
      if (k == 0) return false;
      p += k;
      len += k;
    }
  }
  n += len;
  return true;
}

// Writes the quoted, escaped string (already validated by measureString).
char* writeString(const std::string& s, char* o) noexcept {
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

// Formats a number as dump() does into buf (at least 64 chars); returns the end. A float must be
// finite (measure() refuses the others).
char* formatNumber(const nlohmann::json& v, char* buf) noexcept {
  switch (v.type()) {
    case nlohmann::json::value_t::number_integer:
      return std::to_chars(buf, buf + 64, v.get_ref<const nlohmann::json::number_integer_t&>()).ptr;
    case nlohmann::json::value_t::number_unsigned:
      return std::to_chars(buf, buf + 64, v.get_ref<const nlohmann::json::number_unsigned_t&>()).ptr;
    default:
      return nlohmann::detail::to_chars(buf, buf + 64,
                                        v.get_ref<const nlohmann::json::number_float_t&>());
  }
}

// Why measure() refused a value (ok: it did not).
enum class Fit { ok, tooDeep, badUtf8, discarded, binary, nonFinite };

// Adds the compact text length of v to n; v sits inside `enclosing` arrays/objects. Refuses what
// write() cannot write as JSON, and nesting past opensTooDeep, so neither recurses past the limit.
Fit measure(const nlohmann::json& v, std::size_t& n, std::size_t enclosing) noexcept {
  using T = nlohmann::json::value_t;
  switch (v.type()) {
    case T::null: n += 4; return Fit::ok;
    case T::boolean: n += v.get_ref<const bool&>() ? 4 : 5; return Fit::ok;
    case T::string:
      return measureString(v.get_ref<const std::string&>(), n) ? Fit::ok : Fit::badUtf8;
    case T::number_float:
      if (!std::isfinite(v.get_ref<const nlohmann::json::number_float_t&>())) return Fit::nonFinite;
      [[fallthrough]];
    case T::number_integer:
    case T::number_unsigned: {
      char buf[64];
      n += static_cast<std::size_t>(formatNumber(v, buf) - buf);
      return Fit::ok;
    }
    case T::array: {
      if (opensTooDeep(enclosing)) return Fit::tooDeep;
      const auto& a = v.get_ref<const nlohmann::json::array_t&>();
      n += 2 + (a.empty() ? 0 : a.size() - 1);
      for (const auto& e : a) {
        const Fit f = measure(e, n, enclosing + 1);
        if (f != Fit::ok) return f;
      }
      return Fit::ok;
    }
    case T::object: {
      if (opensTooDeep(enclosing)) return Fit::tooDeep;
      const auto& o = v.get_ref<const nlohmann::json::object_t&>();
      n += 2 + (o.empty() ? 0 : o.size() - 1) + o.size();  // commas and colons
      for (const auto& [key, e] : o) {
        if (!measureString(key, n)) return Fit::badUtf8;
        const Fit f = measure(e, n, enclosing + 1);
        if (f != Fit::ok) return f;
      }
      return Fit::ok;
    }
    case T::binary:
      return Fit::binary;
    case T::discarded:
      return Fit::discarded;
  }
  return Fit::discarded;  // not reached: every value_t is handled above
}

char* write(const nlohmann::json& v, char* o) noexcept {
  using T = nlohmann::json::value_t;
  switch (v.type()) {
    case T::null: std::memcpy(o, "null", 4); return o + 4;
    case T::boolean:
      if (v.get_ref<const bool&>()) {
        std::memcpy(o, "true", 4);
        return o + 4;
      }
      std::memcpy(o, "false", 5);
      return o + 5;
    case T::string: return writeString(v.get_ref<const std::string&>(), o);
    case T::array: {
      *o++ = '[';
      bool first = true;
      for (const auto& e : v.get_ref<const nlohmann::json::array_t&>()) {
        if (!first) *o++ = ',';
        first = false;
        o = write(e, o);
      }
      *o++ = ']';
      return o;
    }
    case T::object: {
      *o++ = '{';
      bool first = true;
      for (const auto& [key, e] : v.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) *o++ = ',';
        first = false;
        o = writeString(key, o);
        *o++ = ':';
        o = write(e, o);
      }
      *o++ = '}';
      return o;
    }
    default: {  // numbers (measure() refused every other type)
      char buf[64];
      const char* end = formatNumber(v, buf);
      std::memcpy(o, buf, static_cast<std::size_t>(end - buf));
      return o + (end - buf);
    }
  }
}

// ---- parser -----------------------------------------------------------------------------------

#if defined(CONNECTOR_CRYPTO_HAVE_SIMDJSON)

static_assert(kJsonParsePadding >= simdjson::SIMDJSON_PADDING, "padding too small for simdjson");

// Documents up to this size reuse one parser per thread (its buffers stay allocated); larger ones
// get a parser of their own, freed afterwards.
constexpr std::size_t kReusedParserLimit = 256 * 1024;

// Copies a simdjson DOM into nlohmann values. Anything simdjson and nlohmann::json::parse could
// read differently (-0, nesting past the limit) makes it give up, and nlohmann's parser decides.
class DomToJson {
 public:
  DomToJson(const char* text, std::size_t size, const std::uint8_t* strings) noexcept
      : text_(text), size_(size), stringsEnd_(strings) {}

  bool build(simdjson::dom::element e, nlohmann::json& out, std::size_t depth) {
    using simdjson::dom::element_type;
    switch (e.type()) {
      case element_type::OBJECT: {
        if (opensTooDeep(depth)) return false;
        simdjson::dom::object obj;
        if (e.get(obj) != simdjson::SUCCESS) return false;
        out = nlohmann::json::object();
        auto& members = out.get_ref<nlohmann::json::object_t&>();
        for (simdjson::dom::key_value_pair kv : obj) {
          note(kv.key);
          const std::size_t before = members.size();
          auto it = members.emplace_hint(members.end(), std::piecewise_construct,
                                         std::forward_as_tuple(kv.key), std::forward_as_tuple());
          if (members.size() == before) it->second = nlohmann::json();  // duplicate: last wins
          if (!build(kv.value, it->second, depth + 1)) return false;
        }
        return true;
      }
      case element_type::ARRAY: {
        if (opensTooDeep(depth)) return false;
        simdjson::dom::array arr;
        if (e.get(arr) != simdjson::SUCCESS) return false;
        out = nlohmann::json::array();
        auto& items = out.get_ref<nlohmann::json::array_t&>();
        items.reserve(arr.size());
        for (simdjson::dom::element child : arr) {
          items.emplace_back();
          if (!build(child, items.back(), depth + 1)) return false;
        }
        return true;
      }
      case element_type::STRING: {
        std::string_view s;
        if (e.get(s) != simdjson::SUCCESS) return false;
        note(s);
        out = nlohmann::json(std::string(s));
        return true;
      }
      case element_type::INT64: {
        std::int64_t i = 0;
        if (e.get(i) != simdjson::SUCCESS) return false;
        // nlohmann reads a non-negative integer as unsigned, and "-0" as the signed 0, which
        // simdjson does not tell from "0": a zero in a text holding "-0" goes to nlohmann.
        if (i == 0 && hasMinusZero()) return false;
        if (i >= 0) {
          out = static_cast<std::uint64_t>(i);
        } else {
          out = i;
        }
        return true;
      }
      case element_type::UINT64: {
        std::uint64_t u = 0;
        if (e.get(u) != simdjson::SUCCESS) return false;
        out = u;
        return true;
      }
      case element_type::DOUBLE: {
        double d = 0;
        if (e.get(d) != simdjson::SUCCESS) return false;
        // "-0" is the integer 0 for nlohmann but -0.0 for simdjson; "-0.0" is -0.0 for both.
        if (d == 0 && std::signbit(d)) return false;
        out = d;
        return true;
      }
      case element_type::BOOL: {
        bool b = false;
        if (e.get(b) != simdjson::SUCCESS) return false;
        out = b;
        return true;
      }
      case element_type::NULL_VALUE:
        out = nullptr;
        return true;
    }
    return false;
  }

  // End of the string bytes simdjson wrote (each string is followed by a NUL).
  const std::uint8_t* stringsEnd() const noexcept { return stringsEnd_; }

 private:
  void note(std::string_view s) noexcept { noteString(stringsEnd_, s); }

  bool hasMinusZero() noexcept {
    if (minusZero_ < 0) {
      minusZero_ = std::string_view(text_, size_).find("-0") != std::string_view::npos ? 1 : 0;
    }
    return minusZero_ == 1;
  }

  const char* text_;
  std::size_t size_;
  const std::uint8_t* stringsEnd_;
  int minusZero_ = -1;  // unknown until a zero is met
};

enum class FastParse { ok, fallback };

FastParse parseWithSimdjson(simdjson::dom::parser& parser, const char* text, std::size_t size,
                            nlohmann::json& out) {
  simdjson::dom::element root;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text);
  if (parser.parse(bytes, size, false).get(root) != simdjson::SUCCESS) {
    wipeParser(parser, size, 0, nullptr);
    return FastParse::fallback;
  }
  DomToJson walker(text, size, parser.doc.string_buf.get());
  bool ok = false;
  try {
    ok = walker.build(root, out, 0);
  } catch (...) {
    wipeParser(parser, size, 0, nullptr);
    wipeJsonValues(out);
    throw;
  }
  // A walk that gave up early has not seen every string: wipe the bound then.
  wipeParser(parser, size, tapeUsed(parser), ok ? walker.stringsEnd() : nullptr);
  if (!ok) {
    wipeJsonValues(out);
    out = nullptr;
    return FastParse::fallback;
  }
  return FastParse::ok;
}

bool parseReferenceUnchecked(const char* text, std::size_t size, nlohmann::json& out);

bool parsePaddedFast(const char* text, std::size_t size, nlohmann::json& out) {
  FastParse result;
  if (size <= kReusedParserLimit) {
    thread_local simdjson::dom::parser parser;
    result = parseWithSimdjson(parser, text, size, out);
  } else {
    simdjson::dom::parser parser;
    result = parseWithSimdjson(parser, text, size, out);
  }
  if (result == FastParse::ok) return true;
  return parseReferenceUnchecked(text, size, out);
}

#endif  // CONNECTOR_CRYPTO_HAVE_SIMDJSON

// parseJsonReference once the NUL refusal is done.
bool parseReferenceUnchecked(const char* text, std::size_t size, nlohmann::json& out) {
  const auto limitDepth = [](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    // depth counts the containers already open around the one starting now.
    if ((event == nlohmann::json::parse_event_t::object_start ||
         event == nlohmann::json::parse_event_t::array_start) &&
        opensTooDeep(static_cast<std::size_t>(depth))) {
      throw TooDeep{};
    }
    return true;
  };
  try {
    out = nlohmann::json::parse(text, text + size, limitDepth, true, false);
    return true;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    out = nullptr;
    return false;
  }
}

bool nestsWithin(const nlohmann::json& v, std::size_t enclosing) noexcept {
  if (v.is_array()) {
    if (opensTooDeep(enclosing)) return false;
    for (const auto& e : v.get_ref<const nlohmann::json::array_t&>()) {
      if (!nestsWithin(e, enclosing + 1)) return false;
    }
  } else if (v.is_object()) {
    if (opensTooDeep(enclosing)) return false;
    for (const auto& member : v.get_ref<const nlohmann::json::object_t&>()) {
      if (!nestsWithin(member.second, enclosing + 1)) return false;
    }
  }
  return true;
}

}  // namespace

bool jsonFastParserEnabled() noexcept {
#if defined(CONNECTOR_CRYPTO_HAVE_SIMDJSON)
  return true;
#else
  return false;
#endif
}

bool nestsWithinLimit(const nlohmann::json& value) noexcept { return nestsWithin(value, 0); }

void throwTooDeep() {
  throw Error(ErrorCode::kTooDeep, "credentials: the value nests arrays/objects deeper than " +
              std::to_string(kMaxJsonDepth) + " levels, the most decrypt reads");
}

SecretBuffer serializeJson(const nlohmann::json& value) {
  std::size_t size = 0;
  switch (measure(value, size, 0)) {
    case Fit::ok: break;
    case Fit::tooDeep:
      throwTooDeep();
    case Fit::badUtf8:
      throwInvalidUtf8();
    case Fit::discarded:
      throw Error(
          ErrorCode::kNotSerializable,
          "credentials: a discarded value (what a failed nlohmann::json::parse returns) is not "
          "JSON; nothing was encrypted");
    case Fit::binary:
      throw Error(
          ErrorCode::kNotSerializable,
          "credentials: a binary value (nlohmann::json::binary) is not JSON; nothing was "
          "encrypted");
    case Fit::nonFinite:
      throw Error(
          ErrorCode::kNotSerializable,
          "credentials: a number is NaN or infinite, which JSON cannot hold; nothing was "
          "encrypted");
  }
  SecretBuffer out(size);
  char* end = write(value, out.data());
  if (static_cast<std::size_t>(end - out.data()) != size) {
    throw Error("credentials: internal error while serializing");
  }
  return out;
}

SecretBuffer serializeJsonReference(const nlohmann::json& value) {
  SecretBuffer out;
  try {
    nlohmann::detail::serializer<nlohmann::json> serializer(
        std::make_shared<nlohmann::detail::output_vector_adapter<char, WipingAllocator<char>>>(out),
        ' ', nlohmann::json::error_handler_t::strict);
    serializer.dump(value, false, false, 0);
  } catch (const nlohmann::json::exception&) {
    // type_error 316 quotes the offending bytes: replace it.
    throwInvalidUtf8();
  }
  return out;
}

bool parseJson(const char* text, std::size_t size, nlohmann::json& out) {
  if (holdsNul(text, size)) {
    out = nullptr;
    return false;
  }
#if defined(CONNECTOR_CRYPTO_HAVE_SIMDJSON)
  if (size > SIZE_MAX / 2) return parseReferenceUnchecked(text, size, out);
  SecretBuffer padded(size + kJsonParsePadding);
  std::copy(text, text + size, padded.data());
  return parsePaddedFast(padded.data(), size, out);
#else
  return parseReferenceUnchecked(text, size, out);
#endif
}

bool parseJsonPadded(const char* text, std::size_t size, nlohmann::json& out) {
  if (holdsNul(text, size)) {
    out = nullptr;
    return false;
  }
#if defined(CONNECTOR_CRYPTO_HAVE_SIMDJSON)
  return parsePaddedFast(text, size, out);
#else
  return parseReferenceUnchecked(text, size, out);
#endif
}

bool parseJsonReference(const char* text, std::size_t size, nlohmann::json& out) {
  if (holdsNul(text, size)) {
    out = nullptr;
    return false;
  }
  return parseReferenceUnchecked(text, size, out);
}

void wipeJsonValues(nlohmann::json& value) noexcept {
  std::vector<nlohmann::json*> pending{&value};
  while (!pending.empty()) {
    nlohmann::json* v = pending.back();
    pending.pop_back();
    switch (v->type()) {
      case nlohmann::json::value_t::string: {
        auto& s = v->get_ref<std::string&>();
        OPENSSL_cleanse(s.data(), s.capacity());
        break;
      }
      case nlohmann::json::value_t::object:
      case nlohmann::json::value_t::array:
        for (auto& child : *v) pending.push_back(&child);
        break;
      case nlohmann::json::value_t::number_integer:
      case nlohmann::json::value_t::number_unsigned:
      case nlohmann::json::value_t::number_float:
      case nlohmann::json::value_t::boolean:
        *v = false;
        break;
      default:
        break;
    }
  }
}

}  // namespace detail
}  // namespace connector_crypto
