// MongoDB Extended JSON v2 -> what JSON.stringify of the Node driver's objects gives: each
// wrapper's rule, the calendar arithmetic of $date, and the text form (extended_json.hpp).
#include "connector_crypto/extended_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include <nlohmann/json.hpp>

#include "connector_crypto/json_whitespace.hpp"
#include "connector_crypto/limits.hpp"
#include "json_codec.hpp"

namespace connector_crypto {
namespace extended_json {
namespace {

// JavaScript's Date range: +-8.64e15 ms around the epoch (ECMA-262, "Time Values and Time Range").
constexpr std::int64_t kMaxMillis = 8640000000000000LL;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civilFromDays(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

bool digitsAt(std::string_view s, std::size_t at, std::size_t n, unsigned& out) noexcept {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

// A decimal int64 (optional '-', digits only), as the $numberLong/$numberInt strings hold.
std::optional<std::int64_t> parseInt64(std::string_view s) noexcept {
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return out;
}

// The wrappers this conversion replaces.
bool isConvertible(std::string_view key) noexcept {
  return key == "$date" || key == "$oid" || key == "$numberLong" || key == "$numberInt" ||
         key == "$numberDouble";
}

// The other wrappers (and legacy keys) of Extended JSON: named in messages, never converted.
bool isKnownWrapper(std::string_view key) noexcept {
  static constexpr std::string_view kNames[] = {"$binary",
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
  for (const std::string_view n : kNames) {
    if (key == n) return true;
  }
  return false;
}

[[noreturn]] void fail(const std::string& message) {
  throw Error(ErrorCode::kExtendedJson, message);
}

[[noreturn]] void failMalformed(std::string_view key) {
  fail("a malformed Extended JSON \"" + std::string(key) + "\"");
}

Replacement ofString(std::string s) {
  Replacement r;
  r.kind = Replacement::Kind::kString;
  r.string = std::move(s);
  return r;
}

Replacement convertDate(const Operand& operand) {
  std::optional<std::int64_t> ms;
  if (operand.kind == Operand::Kind::kString) {
    ms = millisOfIsoString(operand.text);
  } else if (operand.kind == Operand::Kind::kStringMember && operand.name == "$numberLong") {
    ms = parseInt64(operand.text);
  }
  std::optional<std::string> iso = ms ? isoStringOfMillis(*ms) : std::nullopt;
  if (!iso) fail("a malformed or out-of-range Extended JSON \"$date\"");
  return ofString(std::move(*iso));
}

Replacement convertInteger(std::string_view key, const Operand& operand) {
  const std::optional<std::int64_t> n =
      operand.kind == Operand::Kind::kString ? parseInt64(operand.text) : std::nullopt;
  if (!n || (key == "$numberInt" && (*n < std::numeric_limits<std::int32_t>::min() ||
                                     *n > std::numeric_limits<std::int32_t>::max()))) {
    failMalformed(key);
  }
  Replacement r;
  r.kind = Replacement::Kind::kInteger;
  r.integer = *n;
  return r;
}

Replacement convertDouble(const Operand& operand) {
  if (operand.kind != Operand::Kind::kString) failMalformed("$numberDouble");
  const std::string_view s = operand.text;
  Replacement r;
  if (s == "Infinity" || s == "-Infinity" || s == "NaN") return r;  // JSON.stringify writes null
  // strtod needs a terminated string; the characters are checked first, so this copy holds digits.
  if (s.empty() || s.find_first_not_of("0123456789+-.eE") != std::string_view::npos) {
    failMalformed("$numberDouble");
  }
  const std::string copy(s);
  char* end = nullptr;
  const double d = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(d)) failMalformed("$numberDouble");
  r.kind = Replacement::Kind::kDouble;
  r.number = d == 0.0 ? 0.0 : d;  // JSON.stringify(-0) is "0"
  return r;
}

Replacement convertOid(const Operand& operand) {
  if (operand.kind != Operand::Kind::kString || operand.text.size() != 24 ||
      operand.text.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
    failMalformed("$oid");
  }
  std::string hex(operand.text);
  for (char& c : hex) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  return ofString(std::move(hex));
}

}  // namespace

bool isWrapperKey(std::string_view name) noexcept { return !name.empty() && name.front() == '$'; }

std::optional<std::uint32_t> arrayIndexOf(std::string_view name) noexcept {
  // At most 10 digits, no leading zero but "0" itself, below 2^32 - 1.
  if (name.empty() || name.size() > 10 || (name.size() > 1 && name.front() == '0')) {
    return std::nullopt;
  }
  std::uint64_t n = 0;
  for (const char c : name) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (n >= 0xFFFFFFFFULL) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

Replacement convertWrapper(std::string_view key, std::size_t members, const Operand& operand) {
  const bool named = isConvertible(key) || isKnownWrapper(key);
  if (!named) {
    // Not quoted: such a key may be data ("$where", "$2b$10$…").
    fail("an object with a '$'-prefixed key (not a supported Extended JSON wrapper)");
  }
  if (members != 1)
    fail("the Extended JSON wrapper \"" + std::string(key) + "\" has extra members");
  if (key == "$date") return convertDate(operand);
  if (key == "$numberLong" || key == "$numberInt") return convertInteger(key, operand);
  if (key == "$numberDouble") return convertDouble(operand);
  if (key == "$oid") return convertOid(operand);
  fail("the Extended JSON wrapper \"" + std::string(key) + "\" has no JSON.stringify equivalent");
}

void checkDepth(std::size_t enclosing) {
  if (detail::opensTooDeep(enclosing)) detail::throwTooDeep();
}

std::optional<std::string> isoStringOfMillis(std::int64_t ms) {
  if (ms > kMaxMillis || ms < -kMaxMillis) return std::nullopt;
  constexpr std::int64_t kDay = 86400000LL;
  std::int64_t days = ms / kDay;
  std::int64_t rem = ms % kDay;
  if (rem < 0) {
    rem += kDay;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civilFromDays(days, y, m, d);
  const auto hh = static_cast<int>(rem / 3600000), mi = static_cast<int>(rem / 60000 % 60),
             ss = static_cast<int>(rem / 1000 % 60), mss = static_cast<int>(rem % 1000);
  const auto year = static_cast<long long>(y);
  char buf[64];
  if (year >= 0 && year <= 9999) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", year, m, d, hh, mi, ss,
                  mss);
  } else {  // toISOString's expanded years: a sign and six digits
    std::snprintf(buf, sizeof buf, "%c%06lld-%02u-%02uT%02d:%02d:%02d.%03dZ", year < 0 ? '-' : '+',
                  year < 0 ? -year : year, m, d, hh, mi, ss, mss);
  }
  return std::string(buf);
}

std::optional<std::int64_t> millisOfIsoString(std::string_view s) noexcept {
  unsigned year = 0, mon = 0, day = 0, hh = 0, mi = 0, ss = 0;
  if (s.size() < 19 || !digitsAt(s, 0, 4, year) || s[4] != '-' || !digitsAt(s, 5, 2, mon) ||
      s[7] != '-' || !digitsAt(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !digitsAt(s, 11, 2, hh) || s[13] != ':' || !digitsAt(s, 14, 2, mi) || s[16] != ':' ||
      !digitsAt(s, 17, 2, ss)) {
    return std::nullopt;
  }
  static constexpr unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mon < 1 || mon > 12 || day < 1 || day > kDays[mon - 1] || hh > 23 || mi > 59 || ss > 59) {
    return std::nullopt;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (mon == 2 && day == 29 && !leap) return std::nullopt;
  std::size_t i = 19;
  std::int64_t millis = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t first = i;
    std::int64_t scale = 100;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      millis += (s[i] - '0') * scale;  // JavaScript keeps milliseconds and drops the rest
      scale /= 10;
      ++i;
    }
    if (i == first) return std::nullopt;
  }
  std::int64_t offsetMinutes = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int sign = s[i] == '-' ? -1 : 1;
    unsigned oh = 0, om = 0;
    if (!digitsAt(s, i + 1, 2, oh)) return std::nullopt;
    std::size_t j = i + 3;
    if (j < s.size() && s[j] == ':') ++j;
    if (!digitsAt(s, j, 2, om) || oh > 23 || om > 59) return std::nullopt;
    offsetMinutes = sign * static_cast<std::int64_t>(oh * 60 + om);
    i = j + 2;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const std::int64_t days = daysFromCivil(year, mon, day);
  return ((days * 24 + hh) * 60 + mi - offsetMinutes) * 60000LL + ss * 1000LL + millis;
}

}  // namespace extended_json

SecretBuffer convertExtendedJsonText(std::string_view json) {
  // In the document's order (ordered_json, whose walk lists members as JavaScript does). The value
  // holds plaintext: every string and number in it is wiped however this returns.
  struct Wiped {
    nlohmann::ordered_json value;
    Wiped() = default;
    Wiped(const Wiped&) = delete;
    Wiped& operator=(const Wiped&) = delete;
    ~Wiped() { detail::adapter::wipeValues(value); }
  } parsed;
  json = withoutByteOrderMark(json);  // input text (docs/FORMAT.md, "Byte order marks")
  if (!detail::adapter::parseText(json, false, parsed.value)) {
    throw Error(ErrorCode::kInvalidText,
                "convertExtendedJsonText: the text is not JSON text (exactly one value, valid "
                "UTF-8, no NUL byte, at most 512 levels of nesting)");
  }
  convertExtendedJson(parsed.value);
  return detail::adapter::Serializer<nlohmann::ordered_json>::serialize(parsed.value);
}

}  // namespace connector_crypto
