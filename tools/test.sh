#!/usr/bin/env bash
# Runs every test: the warnings-as-errors build and the whole ctest suite (unit tests, CLI, the
# find_package consumer). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
jobs="$(nproc)"

echo "== build (-Werror) and unit tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONNECTOR_CRYPTO_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build -j"$jobs" --output-on-failure

echo "== all test stages passed"
