// Umbrella header: everything a service needs to protect connector credentials at rest.
#pragma once

#include "connector_crypto/context.hpp"
#include "connector_crypto/envelope.hpp"
#include "connector_crypto/error.hpp"
#include "connector_crypto/extended_json.hpp"
#include "connector_crypto/inspect.hpp"
#include "connector_crypto/json_reader.hpp"
#include "connector_crypto/json_whitespace.hpp"
#include "connector_crypto/key_config.hpp"
#include "connector_crypto/keygen.hpp"
#include "connector_crypto/keyring.hpp"
#include "connector_crypto/limits.hpp"
#include "connector_crypto/secret_data.hpp"
#include "connector_crypto/text.hpp"
#include "connector_crypto/version.hpp"
#include "connector_crypto/wipe.hpp"
