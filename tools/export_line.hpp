// mongoexport lines (JSON Lines, relaxed Extended JSON v2): validating a line and locating a
// document's _id and a field's bytes in it, without building the document.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace connector_crypto {
namespace cli {

// A dotted field path ("credentials", "config.auth").
struct FieldPath {
  std::string text;
  std::vector<std::string> segments;
};

// Splits text on '.'; nullopt for an empty path, an empty segment or a segment starting with '$'.
std::optional<FieldPath> parseFieldPath(std::string_view text);

// True when text is one JSON value (UTF-8, at most kMaxJsonDepth levels, whitespace around it).
bool isValidJson(std::string_view text);

// The value of one JSON text (a field's bytes from locate) through the library's parser, so a field
// reads exactly as decrypted plaintext does; nullopt when it is not valid JSON.
std::optional<nlohmann::json> parseValue(std::string_view text);

// Validates line like isValidJson and, when it is an object with a value at path, sets field to
// that value (nullopt when a level is missing or not an object). False when line is not valid JSON.
bool parseLine(std::string_view line, const FieldPath& path, std::optional<nlohmann::json>& field);

// True when text holds only JSON whitespace.
bool isBlank(std::string_view text) noexcept;

// A byte range [begin, end) of a line.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string_view of(std::string_view text) const noexcept {
    return text.substr(begin, end - begin);
  }
};

// Where a document's _id and the field at a path are in a line that isValidJson accepted.
struct Located {
  bool isObject = false;   // the line is a JSON object (a document)
  std::optional<Span> id;  // the top-level "_id" value
  std::optional<Span>
      field;              // the value at the path; nullopt when a level is missing/not an object
  std::string duplicate;  // non-empty: a member on the way appears twice (its path)
};

// Locates _id and the field at path in line; line must be valid JSON (isValidJson).
Located locate(std::string_view line, const FieldPath& path);

}  // namespace cli
}  // namespace connector_crypto
