// Shared by the fuzz targets: fixed keys and a contract check that crashes (so libFuzzer reports
// it).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "connector_crypto/connector_crypto.hpp"
#include "connector_crypto/detail/base64.hpp"

namespace fuzz_support {

// The fuzzers' keys (bytes 0..31 and 32 x 0x42, as in tests/test_support.hpp).
inline const std::string kKeyA = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
inline const std::string kKeyB = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=";

// A broken contract: print what and crash, so libFuzzer saves the input.
[[noreturn]] inline void violation(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "CONTRACT VIOLATION: %s %s\n", what, detail.c_str());
  std::abort();
}

inline void check(bool ok, const char* what, const std::string& detail = {}) {
  if (!ok) violation(what, detail);
}

inline std::string rawKey(const std::string& base64) {
  std::string out;
  connector_crypto::detail::base64Decode(base64, out);
  return out;
}

// A message must not hold a key (base64 or raw) unless the fuzzer's own input already did.
inline void checkNoKeyInMessage(const std::string& message, std::string_view input,
                                const std::string& keyBase64) {
  const std::string raw = rawKey(keyBase64);
  for (const std::string& secret : {keyBase64, raw}) {
    if (input.find(secret) == std::string_view::npos && message.find(secret) != std::string::npos) {
      violation("an error message holds a key:", message);
    }
  }
}

}  // namespace fuzz_support
