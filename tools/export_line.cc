#include "export_line.hpp"

#include <algorithm>
#include <new>

#if CONNECTOR_CRYPTO_HAVE_SIMDJSON
#include <simdjson.h>
#endif

#include "connector_crypto/envelope.hpp"
#include "connector_crypto/json_reader.hpp"
#include "connector_crypto/json_whitespace.hpp"
#include "connector_crypto/limits.hpp"
#include "connector_crypto/secret_data.hpp"
#include "json_scan.hpp"

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

// The index after the value starting at s[i] (valid JSON assumed).
std::size_t valueEnd(std::string_view s, std::size_t i) noexcept {
  const char c = s[i];
  if (c == '"') return scan::stringEnd(s, i);
  if (c == '{' || c == '[') {
    std::size_t depth = 0;
    while (i < s.size()) {
      const char d = s[i];
      if (d == '"') {
        i = scan::stringEnd(s, i);
        continue;
      }
      if (d == '{' || d == '[') ++depth;
      if (d == '}' || d == ']') --depth;
      ++i;
      if (depth == 0) return i;
    }
    return i;
  }
  while (i < s.size() && !isJsonWhitespace(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ']') ++i;
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
  std::size_t i = scan::skipWs(s, open + 1);
  if (i >= s.size() || s[i] == '}') return;
  while (i < s.size() && s[i] == '"') {
    const std::size_t keyEnd = scan::stringEnd(s, i);
    const std::string_view key = s.substr(i, keyEnd - i);
    i = scan::skipWs(s, keyEnd) + 1;  // ':'
    i = scan::skipWs(s, i);
    const std::size_t end = valueEnd(s, i);
    fn(key, Span{i, end});
    i = scan::skipWs(s, end);
    if (i >= s.size() || s[i] != ',') return;
    i = scan::skipWs(s, i + 1);
  }
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
bool isValidJson(std::string_view text) {
  std::optional<nlohmann::json> doc = parseJsonText(text);
  if (!doc) return false;
  wipeCredentials(*doc);
  return true;
}

#endif

// Read as decrypted plaintext is read (the library's parser), so that a field means what it would.
std::optional<nlohmann::json> parseValue(std::string_view text) { return parseJsonText(text); }

bool parseLine(std::string_view line, const FieldPath& path, std::optional<nlohmann::json>& field) {
  field.reset();
  if (!isValidJson(line)) return false;
  const Located where = locate(line, path);
  if (where.field) field = parseValue(where.field->of(line));
  return true;
}

bool isBlank(std::string_view text) noexcept { return scan::skipWs(text, 0) == text.size(); }

Located locate(std::string_view line, const FieldPath& path) {
  Located out;
  const std::size_t start = scan::skipWs(line, 0);
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

}  // namespace cli
}  // namespace connector_crypto
