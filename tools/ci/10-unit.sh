#!/usr/bin/env bash
# The -Werror build and the whole ctest suite (unit tests, CLI, find_package consumer).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/ci/gcc-options.sh
cmake -S . -B build "${cc_gcc_options[@]}" >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build -j"$(nproc)" --output-on-failure -LE interop
