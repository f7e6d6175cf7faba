// Differential tests of the plaintext JSON codec: the fast parser (simdjson when built with it) and
// the fast serializer against nlohmann's parse() and dump(), on chosen edge cases and generated input.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "json_codec.hpp"
#include "test_support.hpp"

namespace {

using connector_crypto::SecretBuffer;
using connector_crypto::detail::parseJson;
using connector_crypto::detail::parseJsonPadded;
using connector_crypto::detail::parseJsonReference;
using connector_crypto::detail::parseJsonWithReader;
using connector_crypto::detail::serializeJson;
using connector_crypto::detail::serializeJsonReference;
using nlohmann::json;

// Same types everywhere and the same values (floats bit for bit: -0.0 is not 0.0).
bool identical(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::object: {
      if (a.size() != b.size()) return false;
      auto ib = b.begin();
      for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
        if (ia.key() != ib.key() || !identical(ia.value(), ib.value())) return false;
      }
      return true;
    }
    case json::value_t::array:
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!identical(a[i], b[i])) return false;
      }
      return true;
    case json::value_t::number_float: {
      const double x = a.get<double>(), y = b.get<double>();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    default:
      return a == b;
  }
}

struct Parsed {
  bool ok;
  json value;
};

Parsed parseFast(const std::string& text) {
  Parsed p{false, nullptr};
  p.ok = parseJson(text.data(), text.size(), p.value);
  return p;
}

Parsed parsePadded(const std::string& text) {
  SecretBuffer padded(text.size() + connector_crypto::detail::kJsonParsePadding, '\x7f');
  std::memcpy(padded.data(), text.data(), text.size());
  Parsed p{false, nullptr};
  p.ok = parseJsonPadded(padded.data(), text.size(), p.value);
  return p;
}

Parsed parseReader(const std::string& text) {
  Parsed p{false, nullptr};
  p.ok = parseJsonWithReader(text.data(), text.size(), p.value);
  return p;
}

Parsed parseRef(const std::string& text) {
  Parsed p{false, nullptr};
  p.ok = parseJsonReference(text.data(), text.size(), p.value);
  return p;
}

// The fast parser, and the library's reader on its own (the parser without simdjson and of the
// text simdjson refuses), agree with the reference on text: all reject, or all accept the same
// value.
void requireSameParse(const std::string& text) {
  INFO("input of " << text.size() << " bytes: " << json(text).dump(-1, ' ', true,
                                                              json::error_handler_t::replace));
  const Parsed ref = parseRef(text);
  for (const Parsed& fast : {parseFast(text), parsePadded(text), parseReader(text)}) {
    REQUIRE(fast.ok == ref.ok);
    if (ref.ok) {
      REQUIRE(identical(fast.value, ref.value));
    } else {
      REQUIRE(fast.value.is_null());
    }
  }
}

std::string str(const SecretBuffer& b) { return std::string(b.data(), b.size()); }

const std::string kTooDeep =
    "credentials: the value nests arrays/objects deeper than 512 levels, the most decrypt reads";
const std::string kDiscarded =
    "credentials: a discarded value (what a failed nlohmann::json::parse returns) is not JSON; "
    "nothing was encrypted";
const std::string kBinary =
    "credentials: a binary value (nlohmann::json::binary) is not JSON; nothing was encrypted";
const std::string kNonFinite =
    "credentials: a number is NaN or infinite, which JSON cannot hold; nothing was encrypted";

// True when v holds a value JSON has no text for: discarded, binary, a NaN or infinite number.
bool holdsNonJson(const json& v) {
  std::vector<const json*> pending{&v};
  while (!pending.empty()) {
    const json* x = pending.back();
    pending.pop_back();
    if (x->is_discarded() || x->is_binary()) return true;
    if (x->is_number_float() && !std::isfinite(x->get<double>())) return true;
    if (x->is_structured()) {
      for (const json& child : *x) pending.push_back(&child);
    }
  }
  return false;
}

// serializeJson agrees with dump() and with the reference serializer, or all three refuse; a
// value that is not JSON is refused by serializeJson whatever dump() makes of it.
void requireSameDump(const json& v) {
  if (holdsNonJson(v)) {
    const std::string message =
        test_support::messageOf<connector_crypto::Error>([&] { serializeJson(v); });
    REQUIRE((message == kDiscarded || message == kBinary || message == kNonFinite ||
             message == "credentials: a string is not valid UTF-8; nothing was encrypted"));
    return;
  }
  std::string expected;
  bool dumpThrew = false;
  try {
    expected = v.dump();
  } catch (const json::type_error&) {
    dumpThrew = true;
  }
  if (dumpThrew) {
    const std::string message = "credentials: a string is not valid UTF-8; nothing was encrypted";
    REQUIRE(test_support::messageOf<connector_crypto::Error>([&] { serializeJson(v); }) == message);
    REQUIRE(test_support::messageOf<connector_crypto::Error>([&] { serializeJsonReference(v); }) ==
            message);
    return;
  }
  REQUIRE(str(serializeJson(v)) == expected);
  REQUIRE(str(serializeJsonReference(v)) == expected);
}

using test_support::Gen;

std::string randomString(Gen& g, bool allowInvalid) {
  static const std::vector<std::string> pieces = {
      "a", "Z", "0", " ", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", std::string(1, '\0'),
      "\x01", "\x1f", "\x7f", "é", "東", "🙂", "\xc3\xa9", "\xed\x9f\xbf", "\xee\x80\x80",
      "\xf4\x8f\xbf\xbf", "\xf0\x90\x80\x80", "xxxxxxxxxxxxxxxx"};
  static const std::vector<std::string> invalid = {
      "\x80", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
      "\xf5\x80\x80\x80", "\xff", "\xc3", "\xe6\x9d", "\xf0\x9f\x99"};
  std::string out;
  const std::size_t n = g.below(12);
  for (std::size_t i = 0; i < n; ++i) {
    if (allowInvalid && g.below(40) == 0) {
      out += invalid[g.below(invalid.size())];
    } else {
      out += pieces[g.below(pieces.size())];
    }
  }
  return out;
}

json randomValue(Gen& g, int depth, bool allowInvalid) {
  switch (g.below(depth > 4 ? 8 : 10)) {
    case 0: return nullptr;
    case 1: return g.below(2) == 0;
    case 2: return static_cast<std::int64_t>(g.next());
    case 3: return g.next();
    case 4: {
      double d;
      const std::uint64_t bits = g.next();
      std::memcpy(&d, &bits, sizeof d);
      return d;  // any double, NaN and infinities included
    }
    case 5: return static_cast<double>(static_cast<std::int64_t>(g.next() % 2000001) - 1000000) /
                   static_cast<double>(1 + g.below(1000));
    case 6:
    case 7: return randomString(g, allowInvalid);
    case 8: {
      json a = json::array();
      for (std::size_t i = g.below(5); i > 0; --i) a.push_back(randomValue(g, depth + 1, allowInvalid));
      return a;
    }
    default: {
      json o = json::object();
      for (std::size_t i = g.below(5); i > 0; --i) {
        o[randomString(g, allowInvalid)] = randomValue(g, depth + 1, allowInvalid);
      }
      return o;
    }
  }
}

std::string nested(std::size_t depth, const char* open, const char* close, const char* leaf) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += open;
  s += leaf;
  for (std::size_t i = 0; i < depth; ++i) s += close;
  return s;
}

}  // namespace

TEST_CASE("the fast parser reads exactly what nlohmann::json::parse reads") {
  SECTION("plain documents") {
    for (const char* text :
         {"{}", "[]", "null", "true", "false", "0", "\"\"", " {\"a\" : [1, 2.5, \"x\", null]} ",
          "{\"type\":\"oauth2\",\"expires_at\":1764345600000,\"scope\":\"a b\"}", "\t\r\n[ ]\n"}) {
      requireSameParse(text);
    }
  }
  SECTION("duplicate keys: the last one wins") {
    requireSameParse(R"({"a":1,"a":2})");
    requireSameParse(R"({"b":{"x":1},"a":0,"b":[2]})");
    const Parsed p = parseFast(R"({"a":1,"a":"two"})");
    REQUIRE(p.ok);
    REQUIRE(p.value == json{{"a", "two"}});
  }
  SECTION("integers: unsigned when non-negative, signed when negative, double beyond 64 bits") {
    for (const char* text :
         {"0", "-0", "1", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
          "-9223372036854775809", "18446744073709551615", "18446744073709551616",
          "123456789012345678901234567890", "-123456789012345678901234567890", "[-0,0,-0]",
          "{\"n\":-0}"}) {
      requireSameParse(text);
    }
    REQUIRE(parseFast("7").value.is_number_unsigned());
    REQUIRE(parseFast("-7").value.is_number_integer());
    REQUIRE(parseFast("18446744073709551616").value.is_number_float());
  }
  SECTION("floats, rounding and range") {
    for (const char* text :
         {"-0.0", "0.0", "0.1", "1e5", "1E5", "1e+5", "1e-5", "1.5e308", "1.7976931348623157e308",
          "1e309", "-1e400", "1e-400", "4.9e-324", "2.2250738585072011e-308", "3.14159265358979323846",
          "0.30000000000000004", "1.00000000000000011102230246251565404236316680908203125",
          "9007199254740993", "9007199254740993.0", "[1.0,-0.0,1e2]"}) {
      requireSameParse(text);
    }
  }
  SECTION("malformed numbers and tokens") {
    for (const char* text : {"01", "-", "1.", ".5", "+1", "1e", "1e+", "NaN", "Infinity", "-Infinity",
                             "0x10", "tru", "nul", "falsey", "[1,]", "{\"a\":1,}", "[1 2]",
                             "{\"a\" 1}", "{1:2}", "'a'", "[", "]", "{", "}", ""}) {
      requireSameParse(text);
    }
  }
  SECTION("strings: escapes, surrogates, control characters") {
    for (const char* text :
         {R"("\u0000")", R"("\b\f\n\r\t\"\\\/")", R"("\u00e9\u6771\ud83d\ude42")", R"("\ud800")",
          R"("\udc00")", R"("\ud800\u0041")", R"("\ud800\ud800")", R"("\udbff\udfff")",
          R"("\uDC00\uD800")", R"("\u12")", R"("\u12G4")", R"("\x41")", R"("\a")", "\"a\tb\"",
          "\"a\nb\"", "\"\x1f\"", "\"\x7f\"", "\"unterminated", R"("\")"}) {
      requireSameParse(text);
    }
  }
  SECTION("invalid UTF-8 inside and outside strings") {
    for (const std::string& text :
         {std::string("\"\x80\""), std::string("\"\xc0\x80\""), std::string("\"\xed\xa0\x80\""),
          std::string("\"\xf4\x90\x80\x80\""), std::string("\"\xff\""), std::string("\"\xc3\""),
          std::string("\"\xe6\x9d\""), std::string("[1]\x80"), std::string("\x80[1]"),
          std::string("\"\xf0\x9f\x99\x82\""), std::string("\"\xef\xbf\xbf\"")}) {
      requireSameParse(text);
    }
  }
  SECTION("a leading byte order mark is no part of a value: every parser refuses it") {
    for (const std::string& text : {std::string("\xef\xbb\xbf{}"), std::string("\xef\xbb\xbf 1"),
                                    std::string("\xef\xbb\xbf\"a\"")}) {
      CHECK_FALSE(parseFast(text).ok);
      CHECK_FALSE(parsePadded(text).ok);
      CHECK_FALSE(parseReader(text).ok);
      CHECK_FALSE(parseRef(text).ok);
      CHECK(parseRef(text.substr(3)).ok);
    }
  }
  SECTION("byte order mark, trailing content, embedded NUL") {
    for (const std::string& text :
         {std::string("\xef\xbb\xbf{}"), std::string("\xef\xbb{}"), std::string("{} x"),
          std::string("{}{}"), std::string("1 2"), std::string("{}\0", 3), std::string("[\0]", 3),
          std::string("\"a\0b\"", 5)}) {
      requireSameParse(text);
    }
  }
  SECTION("nesting up to the limit is read, one level more is refused") {
    for (std::size_t depth : {std::size_t{511}, std::size_t{512}, std::size_t{513}, std::size_t{1024},
                              std::size_t{1025}, std::size_t{5000}}) {
      requireSameParse(nested(depth, "[", "]", "1"));
      requireSameParse(nested(depth, "{\"a\":", "}", "{}"));
    }
    REQUIRE(parseFast(nested(512, "[", "]", "")).ok);
    REQUIRE_FALSE(parseFast(nested(513, "[", "]", "")).ok);
  }
  SECTION("a decline after values were reported starts over: nothing reported before it remains") {
    // -0 and too-deep nesting come after strings, objects and a repeated name.
    const std::string head = R"({"s":"secret","o":{"x":[1,"y"]},"s":"again","n":)";
    for (const std::string& text :
         {head + "-0}", head + "[true,{\"z\":-0}]}", head + "-0.0,\"m\":-0}",
          head + nested(512, "[", "]", "1") + "}", head + nested(511, "[", "]", "1") + "}",
          "[\"a\",{\"b\":\"c\"}," + nested(520, "{\"a\":", "}", "{}") + "]"}) {
      requireSameParse(text);
    }
  }
  SECTION("generated documents and their one-byte mutations") {
    Gen g{0x9E3779B97F4A7C15ULL};
    for (int i = 0; i < 3000; ++i) {
      const std::string text = randomValue(g, 0, false).dump();
      requireSameParse(text);
      std::string mutated = text;
      if (!mutated.empty()) {
        mutated[g.below(mutated.size())] = static_cast<char>(g.below(256));
        requireSameParse(mutated);
        mutated.erase(g.below(mutated.size()), 1);
        requireSameParse(mutated);
      }
    }
  }
}

TEST_CASE("the fast serializer writes exactly what dump() writes") {
  SECTION("scalars") {
    for (const json& v :
         {json(nullptr),     json(true),      json(false),      json(0),       json(-1),
          json(INT64_MIN),   json(INT64_MAX), json(UINT64_MAX), json(0.0),     json(-0.0),
          json(1.0),         json(0.1),       json(1e300),      json(-1e-300), json(5e-324),
          json(123456789.0), json(1e21),      json(1e-7),       json(""),      json("plain")}) {
      requireSameDump(v);
    }
  }
  SECTION("escapes: short forms, \\u00XX for other controls, everything else raw") {
    std::string all;
    for (int c = 0; c < 128; ++c) all.push_back(static_cast<char>(c));
    requireSameDump(all);
    requireSameDump(json{{all, all}});
    requireSameDump("Grüße, 東京 🙂 \x7f \xef\xbf\xbf");
    REQUIRE(str(serializeJson("\x01\x1f\"\\\n")) == R"("\u0001\u001f\"\\\n")");
  }
  SECTION("a special byte at every offset of the 8-, 16- and 32-byte fast paths") {
    for (std::size_t n = 0; n < 72; ++n) {
      for (std::size_t at = 0; at <= n; ++at) {
        for (const char* special : {"\"", "\\", "\n", "\x01", "é", "🙂"}) {
          std::string s(n, 'x');
          s.insert(at, special);
          requireSameDump(s);
        }
      }
    }
  }
  SECTION("invalid UTF-8 in a value or a key is refused with the fixed message") {
    for (const std::string& bad :
         {std::string("\x80"), std::string("ok\xc0\x80"), std::string("\xed\xa0\x80"),
          std::string("\xf4\x90\x80\x80"), std::string("abcdefgh\xc3"), std::string("\xe6\x9d"),
          std::string("\xf0\x9f\x99"), std::string("\xf5\x80\x80\x80"), std::string("\xff")}) {
      requireSameDump(bad);
      requireSameDump(json{{"k", json::array({1, bad})}});
      requireSameDump(json{{bad, 1}});
    }
  }
  SECTION("containers") {
    requireSameDump(json::object());
    requireSameDump(json::array());
    requireSameDump(json{{"a", json::array()}, {"b", json::object()}, {"c", {1, {2, {3}}}}});
  }
  SECTION("generated values, with and without invalid UTF-8") {
    Gen g{0xD1B54A32D192ED03ULL};
    for (int i = 0; i < 5000; ++i) requireSameDump(randomValue(g, 0, i % 2 == 0));
  }
}

TEST_CASE("the serializer refuses what is not JSON, naming it") {
  const auto refusal = [](const json& v) {
    return test_support::messageOf<connector_crypto::Error>([&] { serializeJson(v); });
  };
  SECTION("a discarded value, at the top or inside an array or object") {
    const json discarded = json::parse("{bad", nullptr, false);
    REQUIRE(discarded.is_discarded());
    CHECK(refusal(discarded) == kDiscarded);
    json inArray = json::array({1, 2});
    inArray.push_back(discarded);
    CHECK(refusal(inArray) == kDiscarded);
    json inObject = {{"a", {{"b", 1}}}};
    inObject["a"]["c"] = discarded;
    CHECK(refusal(inObject) == kDiscarded);
  }
  SECTION("a binary value, at the top or inside") {
    CHECK(refusal(json::binary({1, 2, 3}, 7)) == kBinary);
    CHECK(refusal(json{{"bin", json::binary({0xff})}}) == kBinary);
    CHECK(refusal(json::array({"x", json::binary({})})) == kBinary);
  }
  SECTION("NaN and the infinities, at the top or inside") {
    for (const double d : {std::nan(""), -std::nan(""), HUGE_VAL, -HUGE_VAL}) {
      CHECK(refusal(json(d)) == kNonFinite);
      CHECK(refusal(json{{"n", {1.5, d}}}) == kNonFinite);
    }
  }
}

TEST_CASE("the serializer and the parser share one nesting limit") {
  SECTION("what parseJson reads at 511 and 512 levels is written back; 513 is refused by both") {
    for (const std::size_t depth : {std::size_t{1}, std::size_t{511}, std::size_t{512}}) {
      for (const std::string& text :
           {nested(depth, "[", "]", ""), nested(depth, "[", "]", "1"),
            nested(depth - 1, "{\"a\":", "}", "{}"), nested(depth - 1, "[", "]", "{\"k\":1}")}) {
        INFO("depth " << depth << ", " << text.size() << " bytes");
        json v;
        REQUIRE(parseJson(text.data(), text.size(), v));
        REQUIRE(str(serializeJson(v)) == text);
      }
    }
    for (const std::string& text : {nested(513, "[", "]", ""), nested(512, "{\"a\":", "}", "{}")}) {
      json v;
      REQUIRE_FALSE(parseJson(text.data(), text.size(), v));
      REQUIRE_FALSE(parseJsonReference(text.data(), text.size(), v));
      // Built directly, the same nesting is refused by the serializer.
      v = json::parse(text);
      CHECK(test_support::messageOf<connector_crypto::Error>([&] { serializeJson(v); }) ==
            kTooDeep);
    }
  }
  SECTION("a scalar inside 512 arrays is at the limit, not past it") {
    CHECK(str(serializeJson(test_support::nestedArrays(512, json("s")))) ==
          nested(512, "[", "]", "\"s\""));
  }
  SECTION("200,000 levels are refused without recursing (no stack overflow)") {
    const json deep = test_support::nestedArrays(200000);
    CHECK(test_support::messageOf<connector_crypto::Error>([&] { serializeJson(deep); }) ==
          kTooDeep);
    CHECK_FALSE(connector_crypto::detail::nestsWithinLimit(deep));
    json deepObject = json::object();
    for (int i = 0; i < 200000; ++i) {
      json outer = json::object();
      outer["a"] = std::move(deepObject);
      deepObject = std::move(outer);
    }
    CHECK(test_support::messageOf<connector_crypto::Error>([&] { serializeJson(deepObject); }) ==
          kTooDeep);
    CHECK_FALSE(connector_crypto::detail::nestsWithinLimit(deepObject));
    CHECK(connector_crypto::detail::nestsWithinLimit(test_support::nestedArrays(512)));
    CHECK_FALSE(connector_crypto::detail::nestsWithinLimit(test_support::nestedArrays(513)));
  }
}

TEST_CASE("the parsers read exactly one JSON value: a NUL byte anywhere refuses the text") {
  const std::vector<std::string> inputs = {std::string("{\"a\":1}\0{\"b\":2}", 15),
                                           std::string("{\"a\":1}\0", 8),
                                           std::string("1\0", 2),
                                           std::string("\0", 1),
                                           std::string("\"a\0b\"", 5),
                                           std::string("[1,\0 2]", 7),
                                           std::string("{} \0", 4)};
  SECTION("parseJson") {
    for (const std::string& text : inputs) {
      INFO("input of " << text.size() << " bytes");
      json v = 5;
      CHECK_FALSE(parseJson(text.data(), text.size(), v));
      CHECK(v.is_null());
    }
  }
  SECTION("parseJsonPadded") {
    for (const std::string& text : inputs) {
      INFO("input of " << text.size() << " bytes");
      const Parsed p = parsePadded(text);
      CHECK_FALSE(p.ok);
      CHECK(p.value.is_null());
    }
  }
  SECTION("parseJsonReference") {
    for (const std::string& text : inputs) {
      INFO("input of " << text.size() << " bytes");
      json v = 5;
      CHECK_FALSE(parseJsonReference(text.data(), text.size(), v));
      CHECK(v.is_null());
    }
  }
  SECTION("the text before the NUL alone is read") {
    json v;
    CHECK(parseJson("{\"a\":1}", 7, v));
    CHECK(v == json{{"a", 1}});
  }
}
