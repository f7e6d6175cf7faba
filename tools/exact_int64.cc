#include "exact_int64.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

#include "json_scan.hpp"

namespace connector_crypto {
namespace cli {

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
      const std::size_t end = scan::stringEnd(json, i);
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

}  // namespace cli
}  // namespace connector_crypto
