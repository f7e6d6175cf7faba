// Target (c): the strict base64 codec. Contract: decoding succeeds only on the canonical padded
// encoding (so re-encoding gives back the input exactly), base64DecodedLength agrees with the
// decoder, a failed decode leaves the container empty, and encode -> decode is the identity.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"

namespace cc = connector_crypto;
using fuzz_support::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  std::string decoded = "not empty";
  if (cc::detail::base64Decode(input, decoded)) {
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
  check(cc::detail::base64Decode(encoded, back), "refused its own encoding");
  check(back.size() == size && std::equal(back.begin(), back.end(), data),
        "encode -> decode is not the identity");
  return 0;
}
