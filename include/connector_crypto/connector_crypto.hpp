// Umbrella header: everything a service needs to protect connector credentials at rest. The core
// (core.hpp, no nlohmann) and the nlohmann::json / ordered_json value API (CMake
// connector_crypto::connector_crypto, pkg-config connector_crypto).
#pragma once

#include "connector_crypto/core.hpp"
#include "connector_crypto/envelope.hpp"
#include "connector_crypto/extended_json.hpp"
#include "connector_crypto/inspect.hpp"
#include "connector_crypto/json_reader.hpp"
