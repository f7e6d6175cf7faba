// Umbrella header of the core (CMake connector_crypto::core, pkg-config connector_crypto-core):
// everything a service that holds JSON as text needs (the text API, keyring, key configuration,
// encryption contexts, errors, Extended JSON text conversion, inspection, wipe). Includes no
// nlohmann header (ctest core_headers_without_nlohmann checks every header listed here).
#pragma once

#include "connector_crypto/context.hpp"
#include "connector_crypto/credentials_info.hpp"
#include "connector_crypto/error.hpp"
#include "connector_crypto/extended_json_text.hpp"
#include "connector_crypto/inspect_text.hpp"
#include "connector_crypto/json_whitespace.hpp"
#include "connector_crypto/key_config.hpp"
#include "connector_crypto/keygen.hpp"
#include "connector_crypto/keyring.hpp"
#include "connector_crypto/limits.hpp"
#include "connector_crypto/secret_data.hpp"
#include "connector_crypto/text.hpp"
#include "connector_crypto/version.hpp"
#include "connector_crypto/wipe.hpp"
