// The oracle of the round-trip property (tests/test_roundtrip_property.cpp,
// fuzz/fuzz_roundtrip.cc): what decrypt can return, and value identity, both by iterative walks
// written independently of the library's serializer, so neither shares its bugs nor recurses on a
// deep value.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector_crypto/limits.hpp"

namespace roundtrip_oracle {

using json = nlohmann::json;

// True when s is well-formed UTF-8 (RFC 3629: shortest form, no surrogates, at most U+10FFFF).
inline bool wellFormedUtf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned c = *p;
    std::size_t more = 0;
    std::uint32_t cp = 0, min = 0;
    if (c < 0x80) {
      ++p;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      more = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      more = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      more = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) <= more) return false;
    for (std::size_t i = 1; i <= more; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += more + 1;
  }
  return true;
}

// True when decrypt can return v: nesting at most kMaxJsonDepth, nothing discarded or binary, every
// number finite, every string and key well-formed UTF-8. Iterative.
inline bool decryptCouldReturn(const json& v) {
  std::vector<std::pair<const json*, std::size_t>> pending{{&v, 0}};  // value, enclosing levels
  while (!pending.empty()) {
    const auto [x, enclosing] = pending.back();
    pending.pop_back();
    switch (x->type()) {
      case json::value_t::discarded:
      case json::value_t::binary:
        return false;
      case json::value_t::number_float:
        if (!std::isfinite(x->get<double>())) return false;
        break;
      case json::value_t::string:
        if (!wellFormedUtf8(x->get_ref<const std::string&>())) return false;
        break;
      case json::value_t::array:
        if (enclosing + 1 > connector_crypto::kMaxJsonDepth) return false;
        for (const json& e : *x) pending.push_back({&e, enclosing + 1});
        break;
      case json::value_t::object:
        if (enclosing + 1 > connector_crypto::kMaxJsonDepth) return false;
        for (auto it = x->begin(); it != x->end(); ++it) {
          if (!wellFormedUtf8(it.key())) return false;
          pending.push_back({&it.value(), enclosing + 1});
        }
        break;
      default:
        break;
    }
  }
  return true;
}

// a and b are the same value: same types (but a non-negative integer may be signed in one and
// unsigned in the other), same keys in the same order, floats bit for bit. Iterative.
inline bool identical(const json& a, const json& b) {
  std::vector<std::pair<const json*, const json*>> pending{{&a, &b}};
  while (!pending.empty()) {
    const auto [x, y] = pending.back();
    pending.pop_back();
    const bool xInt = x->is_number_integer(), yInt = y->is_number_integer();  // signed or not
    if (xInt && yInt) {
      const bool xNeg = !x->is_number_unsigned() && x->get<std::int64_t>() < 0;
      const bool yNeg = !y->is_number_unsigned() && y->get<std::int64_t>() < 0;
      if (xNeg != yNeg) return false;
      if (xNeg ? x->get<std::int64_t>() != y->get<std::int64_t>()
               : x->get<std::uint64_t>() != y->get<std::uint64_t>()) {
        return false;
      }
      continue;
    }
    if (x->type() != y->type()) return false;
    switch (x->type()) {
      case json::value_t::null:
        break;
      case json::value_t::boolean:
        if (x->get<bool>() != y->get<bool>()) return false;
        break;
      case json::value_t::number_float: {
        const double dx = x->get<double>(), dy = y->get<double>();
        if (std::memcmp(&dx, &dy, sizeof dx) != 0) return false;
        break;
      }
      case json::value_t::string:
        if (x->get_ref<const std::string&>() != y->get_ref<const std::string&>()) return false;
        break;
      case json::value_t::array:
      case json::value_t::object: {
        if (x->size() != y->size()) return false;
        auto iy = y->begin();
        for (auto ix = x->begin(); ix != x->end(); ++ix, ++iy) {
          if (x->is_object() && ix.key() != iy.key()) return false;
          pending.push_back({&ix.value(), &iy.value()});
        }
        break;
      }
      case json::value_t::binary:  // never out of decrypt; an envelope's extra member may be one
        if (x->get_binary() != y->get_binary()) return false;
        break;
      default:
        return false;  // discarded never comes out of decrypt
    }
  }
  return true;
}

}  // namespace roundtrip_oracle
