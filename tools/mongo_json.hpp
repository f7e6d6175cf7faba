// The CLI's mongoexport handling, by concern: export_line.hpp (validating a line, locating _id and
// a field), exact_int64.hpp (int64 kept exact for mongosh). The Extended JSON conversion is the
// library's (connector_crypto/extended_json.hpp).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "exact_int64.hpp"
#include "export_line.hpp"

namespace connector_crypto {
namespace cli {

// connector_crypto::convertExtendedJson(value), its Error's message returned instead of thrown
// (empty on success): the call site tools/rewrap.cc has today.
// forwarder: removed at merge
std::string convertExtendedJson(nlohmann::json& value);

}  // namespace cli
}  // namespace connector_crypto
