#include "random.hpp"

#include <cerrno>
#include <climits>

#include <openssl/rand.h>

#if defined(__linux__)
#include <sys/random.h>
#endif

#include "connector_crypto/error.hpp"

namespace connector_crypto {
namespace detail {

void fillRandom(std::uint8_t* out, std::size_t n) {
#if defined(__linux__)
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::getrandom(out + done, n - done, 0);
    if (got > 0) {
      done += static_cast<std::size_t>(got);
    } else if (got < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // ENOSYS or similar: fall back to OpenSSL below
    }
  }
  if (done == n) return;
#endif
  if (n > static_cast<std::size_t>(INT_MAX) || RAND_bytes(out, static_cast<int>(n)) != 1) {
    throw Error("random: no secure random bytes available (getrandom and RAND_bytes failed)");
  }
}

}  // namespace detail
}  // namespace connector_crypto
