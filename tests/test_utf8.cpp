// The library's one UTF-8 rule (src/utf8.hpp) against the independent oracle of
// roundtrip_oracle.hpp, and the same verdicts from both of its users: the serializer's
// measureString and the CONNECTOR_CRED_KEYS reader.
#include <cstdint>
#include <string>
#include <vector>

#include "connector_crypto/detail/core.hpp"
#include "roundtrip_oracle.hpp"
#include "test_support.hpp"
#include "utf8.hpp"

namespace {

using connector_crypto::detail::utf8SequenceLength;
using roundtrip_oracle::wellFormedUtf8;

std::size_t sequenceLength(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  return utf8SequenceLength(p, p + s.size());
}

// The oracle's length of the first sequence of s: the shortest well-formed prefix, else 0.
std::size_t oracleLength(const std::string& s) {
  for (std::size_t k = 1; k <= s.size() && k <= 4; ++k) {
    if (wellFormedUtf8(s.substr(0, k))) return k;
  }
  return 0;
}

bool measures(const std::string& s) {
  std::size_t n = 0;
  return connector_crypto::detail::core::measureString(s, n);
}

// The UTF-8 form of cp in `bytes` bytes (1 to 4), overlong when cp needs fewer; no range check.
std::string encode(std::uint32_t cp, int bytes) {
  const auto byte = [](std::uint32_t v) { return static_cast<char>(v); };
  switch (bytes) {
    case 1:
      return std::string(1, byte(cp));
    case 2:
      return {byte(0xC0 | (cp >> 6)), byte(0x80 | (cp & 0x3F))};
    case 3:
      return {byte(0xE0 | (cp >> 12)), byte(0x80 | ((cp >> 6) & 0x3F)), byte(0x80 | (cp & 0x3F))};
    default:
      return {byte(0xF0 | (cp >> 18)), byte(0x80 | ((cp >> 12) & 0x3F)),
              byte(0x80 | ((cp >> 6) & 0x3F)), byte(0x80 | (cp & 0x3F))};
  }
}

int shortestForm(std::uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

struct Case {
  const char* what;
  std::string bytes;
  bool valid;
};

// The edges of the rule, each a single sequence (or what is left of one).
const std::vector<Case> kCases = {
    {"U+0080, the first two-byte", "\xc2\x80", true},
    {"U+07FF, the last two-byte", "\xdf\xbf", true},
    {"U+0800, the first three-byte", "\xe0\xa0\x80", true},
    {"U+D7FF, before the surrogates", "\xed\x9f\xbf", true},
    {"U+E000, after the surrogates", "\xee\x80\x80", true},
    {"U+FFFF, the last three-byte", "\xef\xbf\xbf", true},
    {"U+10000, the first four-byte", "\xf0\x90\x80\x80", true},
    {"U+10FFFF, the last code point", "\xf4\x8f\xbf\xbf", true},
    {"overlong NUL (C0 80)", "\xc0\x80", false},
    {"overlong '/' (C0 AF)", "\xc0\xaf", false},
    {"overlong U+007F (C1 BF)", "\xc1\xbf", false},
    {"overlong three-byte U+0000", "\xe0\x80\x80", false},
    {"overlong three-byte U+07FF", "\xe0\x9f\xbf", false},
    {"overlong four-byte U+0000", "\xf0\x80\x80\x80", false},
    {"overlong four-byte U+FFFF", "\xf0\x8f\xbf\xbf", false},
    {"surrogate U+D800", "\xed\xa0\x80", false},
    {"surrogate U+DBFF", "\xed\xaf\xbf", false},
    {"surrogate U+DC00", "\xed\xb0\x80", false},
    {"surrogate U+DFFF", "\xed\xbf\xbf", false},
    {"U+110000, past the last code point", "\xf4\x90\x80\x80", false},
    {"F5, a lead byte past U+10FFFF", "\xf5\x80\x80\x80", false},
    {"F7 BF BF BF, U+1FFFFF", "\xf7\xbf\xbf\xbf", false},
    {"FE", "\xfe", false},
    {"FF", "\xff", false},
    {"a lone continuation byte 80", "\x80", false},
    {"a lone continuation byte BF", "\xbf", false},
    {"two-byte cut after the lead", "\xc3", false},
    {"three-byte cut after one continuation", "\xe6\x9d", false},
    {"four-byte cut after two continuations", "\xf0\x9f\x99", false},
    {"two-byte lead then ASCII", "\xc3\x41", false},
    {"three-byte with an ASCII third byte", "\xe6\x9d\x41", false},
    {"four-byte with a lead byte as fourth", "\xf0\x9f\x99\xc3", false},
};

}  // namespace

TEST_CASE("utf8SequenceLength agrees with the oracle on every lead and second byte") {
  // Third and fourth bytes: ASCII, the continuation bounds, a lead byte.
  const unsigned char tails[] = {0x41, 0x80, 0xBF, 0xC3};
  std::size_t checked = 0, mismatches = 0;
  std::string first;
  for (unsigned a = 0; a < 256; ++a) {
    for (unsigned b = 0; b < 256; ++b) {
      for (unsigned char c : tails) {
        for (unsigned char d : tails) {
          const std::string bytes = {static_cast<char>(a), static_cast<char>(b),
                                     static_cast<char>(c), static_cast<char>(d)};
          for (std::size_t len = 1; len <= 4; ++len) {
            const std::string s = bytes.substr(0, len);
            ++checked;
            // The sequence at the front, and the whole text through the serializer's check.
            if (sequenceLength(s) != oracleLength(s) || measures(s) != wellFormedUtf8(s)) {
              if (mismatches++ == 0) {
                for (unsigned char x : s) first += std::to_string(x) + " ";
              }
            }
          }
        }
      }
    }
  }
  INFO("first mismatch (bytes): " << first);
  CHECK(checked == 256u * 256u * 16u * 4u);
  CHECK(mismatches == 0);
}

TEST_CASE("utf8SequenceLength over every code point, in shortest and overlong form") {
  std::size_t wrong = 0;
  std::uint32_t firstWrong = 0;
  const auto expect = [&](std::uint32_t cp, const std::string& s, std::size_t length) {
    if (sequenceLength(s) != length && wrong++ == 0) firstWrong = cp;
  };
  for (std::uint32_t cp = 0; cp <= 0x1FFFFF; ++cp) {
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    const int shortest = shortestForm(cp);
    if (cp <= 0x10FFFF) {
      const std::string s = encode(cp, shortest);
      expect(cp, s, surrogate ? 0 : s.size());
    } else {
      expect(cp, encode(cp, 4), 0);  // past U+10FFFF, in the only form that holds it
    }
    for (int longer = shortest + 1; longer <= 4; ++longer) expect(cp, encode(cp, longer), 0);
  }
  INFO("first wrong code point: " << firstWrong);
  CHECK(wrong == 0);
}

TEST_CASE("the edge cases: the rule, the serializer and the CONNECTOR_CRED_KEYS reader agree") {
  using test_support::envOf;
  using test_support::kKeyA;
  using test_support::messageOf;
  for (const Case& c : kCases) {
    INFO(c.what);
    REQUIRE(wellFormedUtf8(c.bytes) == c.valid);  // the table itself, by the oracle
    CHECK(sequenceLength(c.bytes) == (c.valid ? c.bytes.size() : 0));
    CHECK(measures(c.bytes) == c.valid);
    CHECK(measures("key: " + c.bytes + " (end)") == c.valid);
    CHECK(measures("cut at the end: " + c.bytes) == c.valid);
    // Through the value API: what encrypt refuses before sealing.
    if (!c.valid) {
      const auto keyring = test_support::keyringV1();
      const std::string msg = messageOf<connector_crypto::Error>([&] {
        connector_crypto::encryptCredentials({{"password", "x" + c.bytes}}, keyring);
      });
      CHECK(msg == "credentials: a string is not valid UTF-8; nothing was encrypted");
    }
    // In a kid of CONNECTOR_CRED_KEYS: a well-formed character reaches the kid rule (not ASCII), a
    // malformed one is a syntax error at its first byte.
    const std::string keys = "{\"v" + c.bytes + "\":\"" + kKeyA + "\"}";
    const std::string msg = messageOf<connector_crypto::KeyringError>([&] {
      connector_crypto::keyringFromEnv(envOf({{"CONNECTOR_CRED_KEYS", keys}}));
    });
    if (c.valid) {
      CHECK(msg ==
            "CONNECTOR_CRED_KEYS holds an invalid kid (kids are 1 to 64 printable ASCII characters "
            "without spaces)");
    } else {
      CHECK(msg.rfind("CONNECTOR_CRED_KEYS is not valid JSON (syntax error near byte 3)", 0) == 0);
    }
  }
  // A sequence that the end of the text itself cuts short.
  const std::string cut = "{\"v\xe6";
  CHECK(messageOf<connector_crypto::KeyringError>([&] {
          connector_crypto::keyringFromEnv(envOf({{"CONNECTOR_CRED_KEYS", cut}}));
        }).rfind("CONNECTOR_CRED_KEYS is not valid JSON (syntax error near byte 3)", 0) == 0);
}
