#!/usr/bin/env bash
# The -Werror build and the whole ctest suite (unit tests, CLI, find_package consumer).
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONNECTOR_CRYPTO_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build -j"$(nproc)" --output-on-failure -LE interop
