// Exported values written back for mongosh (rewrap's update filters): integers that a double cannot
// hold exactly, wrapped so that EJSON.parse reads them as int64.
#pragma once

#include <string>
#include <string_view>

namespace connector_crypto {
namespace cli {

// Valid JSON text as it is, but with each bare integer beyond +-(2^53 - 1) that fits an int64
// written as {"$numberLong":"N"}: in relaxed Extended JSON only integer types are written without
// a fraction or exponent, and mongosh's EJSON.parse would read such a number as a double.
std::string withExactInt64(std::string_view json);

}  // namespace cli
}  // namespace connector_crypto
