#!/usr/bin/env bash
# The shared-library build exports the public API only: the AEAD seam and every other detail stays
# hidden, but for what the header templates call (detail::core, detail/core.hpp, and secureWipe).
# And the ABI holds no nlohmann type: no exported connector_crypto function has nlohmann in its
# signature, so a service built with another nlohmann 3.x or JSON_DIAGNOSTICS=1 links.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/ci/gcc-options.sh
cmake -S . -B build-shared "${cc_gcc_options[@]}" -DBUILD_SHARED_LIBS=ON \
  -DCONNECTOR_CRYPTO_BUILD_TESTS=OFF -DCONNECTOR_CRYPTO_BUILD_TOOLS=ON >/dev/null
cmake --build build-shared -j"$(nproc)" --target connector_crypto connector-crypto-demo connector-crypto
lib=build-shared/libconnector_crypto.so
# Symbol names without their parameter lists (a public constructor may take a detail type).
exported=$(nm -DC --defined-only "$lib" | cut -d' ' -f3- | sed 's/(.*//' | grep 'connector_crypto::' | sort -u || true)
echo "$exported"
leaked=$(echo "$exported" | grep 'connector_crypto::detail::' |
  grep -v -e 'detail::secureWipe$' -e 'detail::core::[A-Za-z]*$' || true)
if [ -n "$leaked" ]; then
  echo "internal symbols exported from $lib:"
  echo "$leaked"
  exit 1
fi
# Full signatures this time: any strong symbol of the library that names nlohmann (weak ones, W,
# are header-template instances, the same code a consumer instantiates from its own nlohmann).
for f in "$lib" build-shared/libconnector_crypto.a; do
  [ -f "$f" ] || continue
  withJson=$(nm -C --defined-only --extern-only "$f" 2>/dev/null | grep -E ' [TDBR] ' |
    grep 'connector_crypto::' | grep 'nlohmann' || true)
  if [ -n "$withJson" ]; then
    echo "exported functions of $f with nlohmann in their signature:"
    echo "$withJson"
    exit 1
  fi
done
# Here-strings, not pipes: under pipefail, grep -q leaving early can fail a writer with SIGPIPE.
grep -q 'connector_crypto::encryptCredentialsText' <<<"$exported" || { echo "public API missing"; exit 1; }
grep -q 'connector_crypto::detail::core::seal' <<<"$exported" || { echo "core missing"; exit 1; }
# The public wipe (wipe.hpp) a text-API caller uses on its own buffers.
grep -qx 'connector_crypto::wipe' <<<"$exported" || { echo "connector_crypto::wipe not exported"; exit 1; }
# The demo links the shared library and must still do its round trip.
./build-shared/tools/connector-crypto-demo | tail -n 1 | grep -qx 'round trip OK'
# The CLI is a client of the public API: it links the shared library (no internal archive) and
# round-trips a credential through it.
cli=./build-shared/tools/connector-crypto
deps=$(ldd "$cli")
grep -q 'libconnector_crypto\.so' <<<"$deps" || { echo "CLI does not link the shared library"; exit 1; }
CONNECTOR_CRED_KEY=$("$cli" keygen)
export CONNECTOR_CRED_KEY
printf '{"token":"shared-smoke"}' | "$cli" encrypt | "$cli" decrypt | grep -qx '{"token":"shared-smoke"}'
echo "shared library exports only the public API; demo and CLI round trips OK"
