// Internal: what a KeyConfig holds. Not a public header.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "connector_crypto/key_config.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace detail {

struct KeyConfigState {
  // kid -> the 32 key bytes, sorted by kid (the order rotate writes them in).
  std::map<std::string, SecretData, std::less<>> keys;
  std::string activeKid;
  KeyringOptions options;
  // The variables the keys and the active kid came from (for messages), when read by fromEnv.
  std::string keysSource = "KeyConfig";
  std::string activeSource = "KeyConfig's active kid";
};

// A file read for a _FILE variable: its path, identity (as fstat saw it) and content.
struct FileStamp {
  std::string path;
  dev_t device = 0;
  ino_t inode = 0;
  SecretBuffer content;
};

// KeyConfig::fromEnv's rules; each file read is appended to files when it is not nullptr. The
// interval argument, when set, replaces CONNECTOR_CRED_RELOAD_SECONDS. Throws KeyringError.
std::unique_ptr<KeyConfigState> readKeyConfig(const EnvLookup& lookup,
                                              std::vector<FileStamp>* files,
                                              std::optional<std::chrono::milliseconds> interval);

// readKeyConfig, started over (a few times) while a file changes between the first and the last
// read: never a mix of two versions of the files. Throws KeyringError when they keep changing.
std::unique_ptr<KeyConfigState> readConsistentKeyConfig(
    const EnvLookup& lookup, std::optional<std::chrono::milliseconds> interval);

}  // namespace detail
}  // namespace connector_crypto
