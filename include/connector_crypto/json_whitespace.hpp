// JSON's insignificant whitespace (RFC 8259, section 2), named once: the rule the library's
// CONNECTOR_CRED_KEYS reader and the CLI's export-line scanner skip between tokens; and the byte
// order mark a text read as input may start with.
#pragma once

#include <string_view>

namespace connector_crypto {

// True for the four bytes JSON allows around its tokens: space, tab, line feed, carriage return.
constexpr bool isJsonWhitespace(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The UTF-8 byte order mark (U+FEFF). RFC 8259 (section 8.1): a writer must not add one, a parser
// may ignore one. The library drops one ahead of the text it reads as input (parseJsonText, the
// text API, convertExtendedJsonText, the CLI), never writes one, and refuses a decrypted plaintext
// that starts with one, as JSON.parse does (docs/FORMAT.md, "Byte order marks").
inline constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// text without the byte order mark it starts with, if any.
constexpr std::string_view withoutByteOrderMark(std::string_view text) noexcept {
  return text.substr(0, kByteOrderMark.size()) == kByteOrderMark
             ? text.substr(kByteOrderMark.size())
             : text;
}

}  // namespace connector_crypto
