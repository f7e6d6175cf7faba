#!/usr/bin/env bash
# Installs the Debian 12 packages the build and every test need; a no-op when all are present.
set -euo pipefail

packages=(
  g++ make cmake pkg-config git     # toolchain (git: the FetchContent consumer test)
  ccache                            # stages 10, 15, 70 compile shared objects once (tools/ci/gcc-options.sh)
  libssl-dev nlohmann-json3-dev     # the library
  catch2                            # unit tests
  nodejs                            # interop tests' Node peer (needs >= 20.19, checked by tools/ci/30-interop.sh)
  clang libclang-rt-14-dev          # sanitizer builds and libFuzzer (tools/ci/20, 50)
  valgrind                          # memcheck stage (tools/ci/60)
  libsimdjson-dev                   # CLI: validating mongoexport lines (rewrap, audit); library's optional parser
  libbenchmark-dev                  # the benchmarks (tools/ci/70-perf.sh)
  libbson-dev rapidjson-dev         # examples/ (ctest example_*): required by the top-level build with tests
  dash                              # tests/cli/outputs.sh sources env lines in a POSIX sh
  lintian                           # checks the Debian packages (tools/ci/80-deb.sh)
  jq                                # tests/rotation: retiring a kid as docs/ROTATION.md shows, applying updates
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The interop tests' Node peer: its pinned packages, whenever the lockfile is newer than the install.
interop="$(dirname "$0")/../tests/interop"
if [ ! -f "$interop/node_modules/.package-lock.json" ] ||
   [ "$interop/package-lock.json" -nt "$interop/node_modules/.package-lock.json" ]; then
  (cd "$interop" && npm ci --no-audit --no-fund)
fi
