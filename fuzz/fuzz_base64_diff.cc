// Differential fuzzer of the fast base64 codec: the input encoded by the fast encoder and by
// OpenSSL's EVP_EncodeBlock must match; the input read as text must get the same verdict and bytes
// from the fast and the oracle (tests/base64_oracle.hpp), and OpenSSL must decode to those bytes whenever they accept.
#include <openssl/evp.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base64_fast.hpp"
#include "../tests/base64_oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace d = connector_crypto::detail;
  if (size > 1 << 20) return 0;
  std::string expected(d::base64EncodedLength(size) + 1, '\0');
  expected.resize(static_cast<std::size_t>(EVP_EncodeBlock(
      reinterpret_cast<unsigned char*>(expected.data()), data, static_cast<int>(size))));
  if (d::base64EncodeFast(data, size) != expected) std::abort();

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::uint8_t> strict, fast;
  const bool strictOk = base64_oracle::base64Decode(text, strict);
  const std::size_t n = d::base64DecodedLength(text);
  bool fastOk = n != SIZE_MAX;
  if (fastOk) {
    fast.resize(n);
    fastOk = d::base64DecodeFastTo(text, fast.data());
  }
  if (fastOk != strictOk || (strictOk && fast != strict)) std::abort();
  if (strictOk) {
    std::vector<std::uint8_t> ossl(size / 4 * 3 + 3);
    const int got = EVP_DecodeBlock(ossl.data(), data, static_cast<int>(size));
    const std::size_t pad = (size >= 1 && text[size - 1] == '=') + (size >= 2 && text[size - 2] == '=');
    if (got < 0 || static_cast<std::size_t>(got) - pad != strict.size()) std::abort();
    ossl.resize(strict.size());
    if (ossl != strict) std::abort();
  }
  return 0;
}
