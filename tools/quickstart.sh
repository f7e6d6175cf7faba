#!/usr/bin/env bash
# The main job: install what is missing, build, and run the demo (mint a key, encrypt a sample
# credential, print the envelope, decrypt it back).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target connector-crypto-demo connector-crypto
./build/tools/connector-crypto-demo
