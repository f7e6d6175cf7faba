// Shared by the fuzz targets: fixed keys and a contract check that crashes (so libFuzzer reports
// it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "connector_crypto/connector_crypto.hpp"
#include "../tests/base64_oracle.hpp"

namespace fuzz_support {

// The fuzzers' keys (bytes 0..31 and 32 x 0x42, as in tests/test_support.hpp).
inline const std::string kKeyA = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
inline const std::string kKeyB = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=";

// The fuzzers' keyring: kKeyA under v1 and kKeyB under v2, v2 active.
inline const connector_crypto::Keyring& keyringV1V2() {
  static const connector_crypto::Keyring k =
      connector_crypto::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, "v2");
  return k;
}

// A broken contract: print what and crash, so libFuzzer saves the input.
[[noreturn]] inline void violation(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "CONTRACT VIOLATION: %s %s\n", what, detail.c_str());
  std::abort();
}

// Reads a fuzzer's input as the choices of a value builder; zeros once the input is used up.
class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  bool more() const noexcept { return p_ < end_; }
  unsigned byte() noexcept { return p_ < end_ ? *p_++ : 0; }
  std::uint64_t word() noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | byte();
    return v;
  }
  // Up to maxLength - 1 bytes, any values (invalid UTF-8 included).
  std::string string(std::size_t maxLength) {
    const std::size_t n = byte() % maxLength;
    std::string s;
    for (std::size_t i = 0; i < n && more(); ++i) s.push_back(static_cast<char>(byte()));
    return s;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

inline void check(bool ok, const char* what, const std::string& detail = {}) {
  if (!ok) violation(what, detail);
}

inline std::string rawKey(const std::string& base64) {
  std::string out;
  base64_oracle::base64Decode(base64, out);
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
