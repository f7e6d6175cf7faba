// The round-trip property's corpus (tests/test_roundtrip_property.cpp), shared with the
// freed-memory property (tests/test_no_plaintext_survives.cpp): nlohmann::json values generated
// from a fixed seed, mostly small trees, some around the nesting limit, a few very deep.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace roundtrip_corpus {

using json = nlohmann::json;
using test_support::Gen;

inline constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
inline constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

inline json signedEdge(Gen& g) {
  static const std::int64_t edges[] = {kI64Min,     kI64Min + 1, -(std::int64_t{1} << 53) - 1,
                                       -4294967296, -2147483649, -2147483648,
                                       -65536,      -256,        -1,
                                       0,           1,           255,
                                       2147483647,  4294967295,  (std::int64_t{1} << 53) + 1,
                                       kI64Max - 1, kI64Max};
  return g.oneIn(4) ? json(static_cast<std::int64_t>(g.next()))
                    : json(edges[g.below(std::size(edges))]);
}

inline json unsignedEdge(Gen& g) {
  static const std::uint64_t edges[] = {0,
                                        1,
                                        std::uint64_t{1} << 53,
                                        (std::uint64_t{1} << 53) + 1,
                                        static_cast<std::uint64_t>(kI64Max),
                                        static_cast<std::uint64_t>(kI64Max) + 1,
                                        kU64Max - 1,
                                        kU64Max};
  return g.oneIn(4) ? json(g.next()) : json(edges[g.below(std::size(edges))]);
}

inline json doubleValue(Gen& g) {
  static const double edges[] = {0.0,
                                 -0.0,
                                 1.0,
                                 -1.0,
                                 0.1,
                                 1e21,
                                 1e-7,
                                 9007199254740993.0,
                                 std::numeric_limits<double>::max(),
                                 -std::numeric_limits<double>::max(),
                                 std::numeric_limits<double>::min(),
                                 std::numeric_limits<double>::denorm_min(),
                                 -std::numeric_limits<double>::denorm_min(),
                                 std::numeric_limits<double>::epsilon()};
  switch (g.below(8)) {
    case 0:
      return std::numeric_limits<double>::quiet_NaN();
    case 1:
      return g.oneIn(2) ? HUGE_VAL : -HUGE_VAL;
    case 2:
    case 3: {
      const std::uint64_t bits = g.next();  // any double, NaN payloads included
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d;
    }
    default:
      return edges[g.below(std::size(edges))];
  }
}

inline std::string stringValue(Gen& g) {
  static const char* const pieces[] = {"a",
                                       "Z",
                                       "0",
                                       " ",
                                       "\"",
                                       "\\",
                                       "/",
                                       "\b",
                                       "\f",
                                       "\n",
                                       "\r",
                                       "\t",
                                       "\x01",
                                       "\x1f",
                                       "\x7f",
                                       "é",
                                       "東",
                                       "🙂",
                                       "\xed\x9f\xbf",
                                       "\xee\x80\x80",
                                       "\xf4\x8f\xbf\xbf",
                                       "__enc",
                                       "kid",
                                       "xxxxxxxxxxxxxxxxxxxx"};
  static const char* const invalid[] = {
      "\x80",         "\xc0\x80",         "\xc1\xbf",         "\xe0\x80\x80",
      "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff",
      "\xc3",         "\xe6\x9d",         "\xf0\x9f\x99"};
  std::string out;
  for (std::size_t n = g.below(8); n > 0; --n) {
    if (g.oneIn(6)) {
      out.push_back('\0');
    } else if (g.oneIn(150)) {
      out += invalid[g.below(std::size(invalid))];
    } else {
      out += pieces[g.below(std::size(pieces))];
    }
  }
  return out;
}

inline json scalar(Gen& g) {
  switch (g.below(12)) {
    case 0:
      return nullptr;
    case 1:
      return g.oneIn(2);
    case 2:
    case 3:
      return signedEdge(g);
    case 4:
      return unsignedEdge(g);
    case 5:
    case 6:
      return doubleValue(g);
    case 7:
      if (g.oneIn(8))
        return json::binary({0x00, 0xff, 0x7b}, static_cast<std::uint8_t>(g.below(3)));
      if (g.oneIn(8)) return json(json::value_t::discarded);
      return stringValue(g);
    default:
      return stringValue(g);
  }
}

// A bushy tree of at most `levels` levels of arrays/objects (recursion bounded by levels).
inline json tree(Gen& g, int levels) {
  if (levels == 0 || g.oneIn(3)) return scalar(g);
  if (g.oneIn(2)) {
    json a = json::array();
    for (std::size_t n = g.below(5); n > 0; --n) a.push_back(tree(g, levels - 1));
    return a;
  }
  json o = json::object();
  for (std::size_t n = g.below(5); n > 0; --n) o[stringValue(g)] = tree(g, levels - 1);
  return o;
}

// inner wrapped in `levels` arrays/objects (with scalar siblings), built in a loop.
inline json wrapped(Gen& g, json inner, std::size_t levels) {
  for (std::size_t i = 0; i < levels; ++i) {
    json outer;
    if (g.oneIn(2)) {
      outer = json::array();
      if (g.oneIn(8)) outer.push_back(scalar(g));
      outer.push_back(std::move(inner));
    } else {
      outer = json::object();
      if (g.oneIn(8)) outer[stringValue(g)] = scalar(g);
      outer[stringValue(g)] = std::move(inner);
    }
    inner = std::move(outer);
  }
  return inner;
}

// The generated values: mostly small trees, some around the nesting limit, a few very deep.
inline std::vector<json> generatedValues() {
  Gen g{0x5DEECE66DULL};
  std::vector<json> out;
  for (int i = 0; i < 2500; ++i) out.push_back(tree(g, static_cast<int>(g.below(7))));
  for (const std::size_t levels : {509, 510, 511, 512, 513, 514, 1000}) {
    for (int i = 0; i < 6; ++i) out.push_back(wrapped(g, tree(g, 2), levels));
  }
  for (const std::size_t levels : {20000, 100000}) out.push_back(wrapped(g, scalar(g), levels));
  for (json& v : out) {
    if (v.is_object()) v.erase("__enc");  // the property is about plaintext at the top
  }
  return out;
}

}  // namespace roundtrip_corpus
