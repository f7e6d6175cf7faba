#!/usr/bin/env bash
# The shared-library build exports the public API only: the AEAD seam and every other detail stays
# hidden (secureWipe is the one detail symbol inline templates in public headers need).
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake -S . -B build-shared -DBUILD_SHARED_LIBS=ON -DCONNECTOR_CRYPTO_BUILD_TESTS=OFF \
  -DCONNECTOR_CRYPTO_BUILD_TOOLS=ON -DCONNECTOR_CRYPTO_WERROR=ON >/dev/null
cmake --build build-shared -j"$(nproc)" --target connector_crypto connector-crypto-demo
lib=build-shared/libconnector_crypto.so
# Symbol names without their parameter lists (a public constructor may take a detail type).
exported=$(nm -DC --defined-only "$lib" | cut -d' ' -f3- | sed 's/(.*//' | grep 'connector_crypto::' | sort -u || true)
echo "$exported"
leaked=$(echo "$exported" | grep 'connector_crypto::detail::' | grep -v 'detail::secureWipe$' || true)
if [ -n "$leaked" ]; then
  echo "internal symbols exported from $lib:"
  echo "$leaked"
  exit 1
fi
echo "$exported" | grep -q 'connector_crypto::encryptCredentials' || { echo "public API missing"; exit 1; }
# The demo links the shared library and must still do its round trip.
./build-shared/tools/connector-crypto-demo | tail -n 1 | grep -qx 'round trip OK'
echo "shared library exports only the public API; demo round trip OK"
