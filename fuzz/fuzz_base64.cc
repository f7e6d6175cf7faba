// Target (c): the library's one base64 codec (src/base64_fast.hpp). Contract: decoding succeeds only on the canonical padded
// encoding (so re-encoding gives back the input exactly), base64DecodedLength agrees with the
// decoder, a failed decode leaves the container empty, and encode -> decode is the identity.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "base64_fast.hpp"
#include "fuzz_support.hpp"

namespace cc = connector_crypto;
using fuzz_support::check;

namespace {

// Decodes through the library's codec into a container; false (container cleared) when not strict.
template <typename Container>
bool decode(std::string_view in, Container& out) {
  const std::size_t len = cc::detail::base64DecodedLength(in);
  if (len == SIZE_MAX) {
    out.clear();
    return false;
  }
  out.resize(len);
  if (!cc::detail::base64DecodeTo(in, reinterpret_cast<std::uint8_t*>(out.data()))) {
    out.clear();
    return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  std::string decoded = "not empty";
  if (decode(input, decoded)) {
    check(cc::detail::base64DecodedLength(input) == decoded.size(), "decoded length disagrees");
    check(cc::detail::base64Encode(reinterpret_cast<const std::uint8_t*>(decoded.data()),
                                   decoded.size()) == input,
          "accepted a non-canonical encoding");
  } else {
    check(decoded.empty(), "a failed decode left bytes behind");
  }

  const std::string encoded = cc::detail::base64Encode(data, size);
  check(encoded.size() == cc::detail::base64EncodedLength(size), "encoded length disagrees");
  cc::SecretData back;
  check(decode(encoded, back), "refused its own encoding");
  check(back.size() == size && std::equal(back.begin(), back.end(), data),
        "encode -> decode is not the identity");
  return 0;
}
