#include "mongo_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

#if CONNECTOR_CRYPTO_HAVE_SIMDJSON
#include <simdjson.h>
#endif

#include "connector_crypto/limits.hpp"
#include "connector_crypto/secret_data.hpp"
#include "json_codec.hpp"

namespace connector_crypto {
namespace cli {
namespace {

#if CONNECTOR_CRYPTO_HAVE_SIMDJSON
// A simdjson DOM parser per thread, limited to kMaxJsonDepth, and a padded copy of its input
// (wiped after every parse: a line may hold plaintext credentials).
struct ThreadParser {
  simdjson::dom::parser parser;
  SecretBuffer padded;
  ThreadParser() {
    if (parser.allocate(std::size_t{1} << 16, kMaxJsonDepth) != simdjson::SUCCESS) {
      throw std::bad_alloc();
    }
  }
};
#endif

bool isWs(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skipWs(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && isWs(s[i])) ++i;
  return i;
}

// s[i] is '"'; returns the index after the closing quote (memchr to the next quote, then counts
// the backslashes before it).
std::size_t stringEnd(std::string_view s, std::size_t i) noexcept {
  ++i;
  for (;;) {
    const void* hit = i < s.size() ? std::memchr(s.data() + i, '"', s.size() - i) : nullptr;
    if (hit == nullptr) return s.size();
    const auto q = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
    std::size_t backslashes = 0;
    while (q - backslashes > i && s[q - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return q + 1;
    i = q + 1;
  }
}

// The index after the value starting at s[i] (valid JSON assumed).
std::size_t valueEnd(std::string_view s, std::size_t i) noexcept {
  const char c = s[i];
  if (c == '"') return stringEnd(s, i);
  if (c == '{' || c == '[') {
    std::size_t depth = 0;
    while (i < s.size()) {
      const char d = s[i];
      if (d == '"') {
        i = stringEnd(s, i);
        continue;
      }
      if (d == '{' || d == '[') ++depth;
      if (d == '}' || d == ']') --depth;
      ++i;
      if (depth == 0) return i;
    }
    return i;
  }
  while (i < s.size() && !isWs(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ']') ++i;
  return i;
}

// True when the quoted key token equals name (escapes decoded).
bool keyEquals(std::string_view token, std::string_view name) {
  const std::string_view raw = token.substr(1, token.size() - 2);
  if (raw.find('\\') == std::string_view::npos) return raw == name;
  try {
    return nlohmann::json::parse(token).get_ref<const std::string&>() == name;
  } catch (...) {
    return false;
  }
}

// Calls fn(keyToken, valueSpan) for each member of the object starting at s[open].
template <typename Fn>
void forEachMember(std::string_view s, std::size_t open, Fn&& fn) {
  std::size_t i = skipWs(s, open + 1);
  if (i >= s.size() || s[i] == '}') return;
  while (i < s.size() && s[i] == '"') {
    const std::size_t keyEnd = stringEnd(s, i);
    const std::string_view key = s.substr(i, keyEnd - i);
    i = skipWs(s, keyEnd) + 1;  // ':'
    i = skipWs(s, i);
    const std::size_t end = valueEnd(s, i);
    fn(key, Span{i, end});
    i = skipWs(s, end);
    if (i >= s.size() || s[i] != ',') return;
    i = skipWs(s, i + 1);
  }
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long long daysFromCivil(long long y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

void civilFromDays(long long z, long long& y, unsigned& m, unsigned& d) noexcept {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<long long>(yoe) + era * 400 + (m <= 2);
}

bool digitsAt(std::string_view s, std::size_t at, std::size_t n, unsigned& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

std::optional<long long> parseInt64(const nlohmann::json& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  long long out = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

bool isKnownWrapper(const std::string& key) {
  static const char* const kNames[] = {"$binary",
                                       "$code",
                                       "$scope",
                                       "$timestamp",
                                       "$regularExpression",
                                       "$dbPointer",
                                       "$numberDecimal",
                                       "$symbol",
                                       "$minKey",
                                       "$maxKey",
                                       "$undefined",
                                       "$uuid",
                                       "$regex",
                                       "$options",
                                       "$ref",
                                       "$id",
                                       "$db"};
  for (const char* n : kNames) {
    if (key == n) return true;
  }
  return false;
}

// value is an object with the '$'-prefixed member key.
std::string convertWrapper(nlohmann::json& value, std::string key) {  // a copy: value is replaced
  const nlohmann::json& inner = value.at(key);
  if (value.size() != 1) {
    return isKnownWrapper(key) || key == "$date" || key == "$oid" || key == "$numberLong" ||
                   key == "$numberInt" || key == "$numberDouble"
               ? "the Extended JSON wrapper \"" + key + "\" has extra members"
               : "an object with a '$'-prefixed key (not a supported Extended JSON wrapper)";
  }
  if (key == "$date") {
    std::optional<long long> ms;
    if (inner.is_string()) {
      ms = millisOfIsoString(inner.get_ref<const std::string&>());
    } else if (inner.is_object() && inner.size() == 1 && inner.contains("$numberLong")) {
      ms = parseInt64(inner.at("$numberLong"));
    }
    std::optional<std::string> iso = ms ? isoStringOfMillis(*ms) : std::nullopt;
    if (!iso) return "a malformed or out-of-range Extended JSON \"$date\"";
    value = std::move(*iso);
    return {};
  }
  if (key == "$numberLong" || key == "$numberInt") {
    const std::optional<long long> n = parseInt64(inner);
    if (!n || (key == "$numberInt" && (*n < std::numeric_limits<std::int32_t>::min() ||
                                       *n > std::numeric_limits<std::int32_t>::max()))) {
      return "a malformed Extended JSON \"" + key + "\"";
    }
    value = static_cast<std::int64_t>(*n);
    return {};
  }
  if (key == "$numberDouble") {
    if (!inner.is_string()) return "a malformed Extended JSON \"$numberDouble\"";
    const std::string& s = inner.get_ref<const std::string&>();
    if (s == "Infinity" || s == "-Infinity" || s == "NaN") {
      value = nullptr;  // JSON.stringify of a non-finite number
      return {};
    }
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(d) ||
        s.find_first_not_of("0123456789+-.eE") != std::string::npos) {
      return "a malformed Extended JSON \"$numberDouble\"";
    }
    value = d == 0.0 ? 0.0 : d;  // JSON.stringify(-0) is "0"
    return {};
  }
  if (key == "$oid") {
    if (!inner.is_string() || inner.get_ref<const std::string&>().size() != 24 ||
        inner.get_ref<const std::string&>().find_first_not_of("0123456789abcdefABCDEF") !=
            std::string::npos) {
      return "a malformed Extended JSON \"$oid\"";
    }
    std::string hex = inner.get<std::string>();
    for (char& c : hex) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    value = std::move(hex);
    return {};
  }
  if (isKnownWrapper(key)) {
    return "the Extended JSON wrapper \"" + key + "\" has no JSON.stringify equivalent";
  }
  return "an object with a '$'-prefixed key (not a supported Extended JSON wrapper)";
}

}  // namespace

std::optional<FieldPath> parseFieldPath(std::string_view text) {
  FieldPath out;
  out.text = std::string(text);
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = text.find('.', start);
    const std::string_view seg =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (seg.empty() || seg.front() == '$') return std::nullopt;
    out.segments.emplace_back(seg);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

#if CONNECTOR_CRYPTO_HAVE_SIMDJSON
namespace {

// Parses text with this thread's simdjson parser; the element lives until the next parse.
simdjson::simdjson_result<simdjson::dom::element> parseOnThread(std::string_view text) {
  // simdjson: full RFC 8259 and UTF-8 validation at GB/s; nlohmann's lexer was the bottleneck.
  thread_local ThreadParser tp;
  tp.padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
  std::copy(text.begin(), text.end(), tp.padded.begin());
  auto result = tp.parser.parse(tp.padded.data(), text.size(), false);
  detail::secureWipe(tp.padded.data(), text.size());  // the parsed document does not point into it
  return result;
}

}  // namespace

bool isValidJson(std::string_view text) { return parseOnThread(text).error() == simdjson::SUCCESS; }

#else

// Without simdjson: the library's own parser (the same depth limit and UTF-8 rules; it refuses a
// NUL byte itself, as simdjson does).
namespace {

bool parseDocument(std::string_view text, nlohmann::json& out) {
  return detail::parseJson(text.data(), text.size(), out);
}

}  // namespace

bool isValidJson(std::string_view text) {
  nlohmann::json doc;
  const bool ok = parseDocument(text, doc);
  detail::wipeJsonValues(doc);
  return ok;
}

#endif

std::optional<nlohmann::json> parseValue(std::string_view text) {
  nlohmann::json value;
  if (!detail::parseJson(text.data(), text.size(), value)) return std::nullopt;
  return value;
}

bool parseLine(std::string_view line, const FieldPath& path, std::optional<nlohmann::json>& field) {
  field.reset();
  if (!isValidJson(line)) return false;
  const Located where = locate(line, path);
  if (where.field) field = parseValue(where.field->of(line));
  return true;
}

bool isBlank(std::string_view text) noexcept { return skipWs(text, 0) == text.size(); }

std::string withExactInt64(std::string_view json) {
  constexpr std::uint64_t kMaxSafe = (std::uint64_t{1} << 53) - 1;
  constexpr std::uint64_t kMaxInt64 =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::string out;
  out.reserve(json.size());
  std::size_t i = 0;
  while (i < json.size()) {
    const char c = json[i];
    if (c == '"') {
      const std::size_t end = stringEnd(json, i);
      out.append(json.substr(i, end - i));
      i = end;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) {
      out.push_back(c);
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < json.size() &&
           ((json[end] >= '0' && json[end] <= '9') || json[end] == '-' || json[end] == '+' ||
            json[end] == '.' || json[end] == 'e' || json[end] == 'E'))
      ++end;
    const std::string_view number = json.substr(i, end - i);
    i = end;
    const bool negative = number[0] == '-';
    const std::string_view digits = number.substr(negative ? 1 : 0);
    std::uint64_t magnitude = 0;
    const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
    const bool integer = parsed.ec == std::errc() && parsed.ptr == digits.data() + digits.size();
    if (integer && magnitude > kMaxSafe && magnitude <= kMaxInt64 + (negative ? 1 : 0)) {
      out.append("{\"$numberLong\":\"").append(number).append("\"}");
    } else {
      out.append(number);
    }
  }
  return out;
}

Located locate(std::string_view line, const FieldPath& path) {
  Located out;
  const std::size_t start = skipWs(line, 0);
  if (start >= line.size() || line[start] != '{') return out;
  out.isObject = true;
  std::optional<Span> current;
  bool twice = false;
  forEachMember(line, start, [&](std::string_view key, Span value) {
    if (keyEquals(key, "_id")) {
      if (out.id) out.duplicate = "_id";
      out.id = value;
    }
    if (keyEquals(key, path.segments[0])) {
      if (current) twice = true;
      current = value;
    }
  });
  if (twice) {
    out.duplicate = path.segments[0];
    return out;
  }
  std::string walked = path.segments[0];
  for (std::size_t level = 1; level < path.segments.size() && current; ++level) {
    if (line[current->begin] != '{') {
      current.reset();
      break;
    }
    std::optional<Span> next;
    forEachMember(line, current->begin, [&](std::string_view key, Span value) {
      if (keyEquals(key, path.segments[level])) {
        if (next) twice = true;
        next = value;
      }
    });
    walked += "." + path.segments[level];
    if (twice) {
      out.duplicate = walked;
      return out;
    }
    current = next;
  }
  out.field = current;
  return out;
}

std::string convertExtendedJson(nlohmann::json& value) {
  if (value.is_array()) {
    for (auto& item : value) {
      std::string error = convertExtendedJson(item);
      if (!error.empty()) return error;
    }
    return {};
  }
  if (!value.is_object()) return {};
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!it.key().empty() && it.key().front() == '$') return convertWrapper(value, it.key());
  }
  for (auto& item : value) {
    std::string error = convertExtendedJson(item);
    if (!error.empty()) return error;
  }
  return {};
}

std::optional<std::string> isoStringOfMillis(long long ms) {
  constexpr long long kMaxMillis = 8640000000000000LL;
  if (ms > kMaxMillis || ms < -kMaxMillis) return std::nullopt;
  constexpr long long kDay = 86400000LL;
  long long days = ms / kDay;
  long long rem = ms % kDay;
  if (rem < 0) {
    rem += kDay;
    --days;
  }
  long long y = 0;
  unsigned m = 0, d = 0;
  civilFromDays(days, y, m, d);
  const auto hh = static_cast<int>(rem / 3600000), mi = static_cast<int>(rem / 60000 % 60),
             ss = static_cast<int>(rem / 1000 % 60), mss = static_cast<int>(rem % 1000);
  char buf[64];
  if (y >= 0 && y <= 9999) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d, hh, mi, ss,
                  mss);
  } else {
    std::snprintf(buf, sizeof buf, "%c%06lld-%02u-%02uT%02d:%02d:%02d.%03dZ", y < 0 ? '-' : '+',
                  y < 0 ? -y : y, m, d, hh, mi, ss, mss);
  }
  return std::string(buf);
}

std::optional<long long> millisOfIsoString(std::string_view s) {
  unsigned year = 0, mon = 0, day = 0, hh = 0, mi = 0, ss = 0;
  if (!digitsAt(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !digitsAt(s, 5, 2, mon) ||
      s[7] != '-' || !digitsAt(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !digitsAt(s, 11, 2, hh) || s[13] != ':' || !digitsAt(s, 14, 2, mi) || s[16] != ':' ||
      !digitsAt(s, 17, 2, ss)) {
    return std::nullopt;
  }
  static const unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mon < 1 || mon > 12 || day < 1 || day > kDays[mon - 1] || hh > 23 || mi > 59 || ss > 59) {
    return std::nullopt;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (mon == 2 && day == 29 && !leap) return std::nullopt;
  std::size_t i = 19;
  long long millis = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t first = i;
    long long scale = 100;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      millis += (s[i] - '0') * scale;  // JavaScript keeps milliseconds and drops the rest
      scale /= 10;
      ++i;
    }
    if (i == first) return std::nullopt;
  }
  long long offsetMinutes = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int sign = s[i] == '-' ? -1 : 1;
    unsigned oh = 0, om = 0;
    if (!digitsAt(s, i + 1, 2, oh)) return std::nullopt;
    std::size_t j = i + 3;
    if (j < s.size() && s[j] == ':') ++j;
    if (!digitsAt(s, j, 2, om) || oh > 23 || om > 59) return std::nullopt;
    offsetMinutes = sign * static_cast<long long>(oh * 60 + om);
    i = j + 2;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const long long days = daysFromCivil(year, mon, day);
  return ((days * 24 + hh) * 60 + mi - offsetMinutes) * 60000LL + ss * 1000LL + millis;
}

}  // namespace cli
}  // namespace connector_crypto
