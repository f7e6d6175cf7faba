// JSON's insignificant whitespace (RFC 8259, section 2), named once: the rule the library's
// CONNECTOR_CRED_KEYS reader and the CLI's export-line scanner skip between tokens.
#pragma once

namespace connector_crypto {

// True for the four bytes JSON allows around its tokens: space, tab, line feed, carriage return.
constexpr bool isJsonWhitespace(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace connector_crypto
