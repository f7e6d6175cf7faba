#!/usr/bin/env bash
# Wire compatibility with the TypeScript package: installs the Node peer's pinned dependencies
# (npm ci), then runs the ctest label "interop" (both directions, both peers, golden vectors; see
# docs/FORMAT.md). A missing node/npm or a failed npm ci fails the stage; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "30-interop: $tool is not installed (need Node.js >= 20.19)" >&2; exit 1; }
done
node -e 'const [a, b] = process.versions.node.split(".").map(Number);
  process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  { echo "30-interop: node $(node --version) is too old; @noble/ciphers 2.x needs >= 20.19" >&2; exit 1; }
(cd tests/interop && npm ci --no-audit --no-fund)
source tools/ci/gcc-options.sh
cmake -S . -B build "${cc_gcc_options[@]}" >/dev/null
cmake --build build -j"$(nproc)" --target interop_driver
ctest --test-dir build -L interop -j"$(nproc)" --output-on-failure --no-tests=error
