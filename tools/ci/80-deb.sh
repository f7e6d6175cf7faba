#!/usr/bin/env bash
# The Debian packages: `cpack -G DEB` builds libconnector-crypto-dev, libconnector-crypto0.4 (the
# shared library) and connector-crypto (cmake/ConnectorCryptoPackage.cmake), lintian checks them
# (errors fail the stage), apt-get installs them, and a pkg-config consumer, the core consumer (no nlohmann) and the CLI run against
# /usr. The packages are removed on exit, failed or not.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/ci/gcc-options.sh
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
out=$PWD/build-deb

cmake -S . -B build-deb "${cc_gcc_options[@]}" -DCMAKE_INSTALL_PREFIX=/usr \
  -DCONNECTOR_CRYPTO_INSTALL_SHARED_TOO=ON -DCONNECTOR_CRYPTO_BUILD_TESTS=OFF >/dev/null
cmake --build build-deb -j"$(nproc)" --target connector_crypto connector_crypto_shared connector-crypto
rm -f build-deb/*.deb
(cd build-deb && cpack -G DEB >/dev/null)
debs=(build-deb/*.deb)
[ ${#debs[@]} -eq 3 ] || { echo "expected 3 packages, got: ${debs[*]}"; exit 1; }
packages=()
for deb in "${debs[@]}"; do
  echo "== $(basename "$deb")"
  dpkg-deb --field "$deb" Package Version Depends Recommends
  packages+=("$(dpkg-deb --field "$deb" Package)")
done

# Errors fail; the warnings that remain are explained in README ("Debian packages").
lintian --fail-on error "${debs[@]}"


cleanup() {
  DEBIAN_FRONTEND=noninteractive $sudo apt-get purge -y -qq "${packages[@]}" >/dev/null 2>&1 || true
}
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
  "${debs[@]/#/./}" >/dev/null

# Against /usr: the core through pkg-config and through CMake with nlohmann's package disabled,
# and the full package through pkg-config.
bash tests/packaging/pkg_config_consumer.sh system c++ tests/core_import/main.cpp "$out/pc-core" \
  connector_crypto-core
bash tests/packaging/pkg_config_consumer.sh system c++ tests/cmake_import/main.cpp "$out/pc-full"
cmake -S tests/core_import -B "$out/core-consumer" -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON \
  >/dev/null
cmake --build "$out/core-consumer" >/dev/null
"$out/core-consumer/core_consumer"

# The CLI from the package: its version is the library's, and check reads a key from the env.
v() { sed -n "s/^#define CONNECTOR_CRYPTO_VERSION_$1 //p" include/connector_crypto/version.hpp; }
version=$(v MAJOR).$(v MINOR).$(v PATCH)
[ "$(command -v connector-crypto)" = /usr/bin/connector-crypto ] || { echo "CLI not in /usr/bin"; exit 1; }
got=$(connector-crypto --version)
[ "$got" = "connector-crypto $version" ] || { echo "--version: '$got', expected $version"; exit 1; }
echo "$got"
CONNECTOR_CRED_KEY=$(connector-crypto keygen) connector-crypto check
[ -f /usr/share/connector_crypto/apply-rewrap-updates.js ] || { echo "script not installed"; exit 1; }
echo "Debian packages: built, lintian clean of errors, installed, consumers and CLI OK"
