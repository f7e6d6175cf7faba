// Internal: what a KeyConfig holds. Not a public header.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "connector_crypto/key_config.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace detail {

struct KeyConfigState {
  // kid -> the 32 key bytes, sorted by kid (the order rotate writes them in).
  std::map<std::string, SecretData, std::less<>> keys;
  std::string activeKid;
  KeyringOptions options;
};

}  // namespace detail
}  // namespace connector_crypto
