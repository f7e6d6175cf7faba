#!/usr/bin/env bash
# The build stage 10 does not make: the library without simdjson (CONNECTOR_CRYPTO_WITH_SIMDJSON=OFF)
# with the whole ctest suite; then the benchmarks built and each run once, briefly, as a smoke test.
# Timings are never checked here (bench/side_by_side.sh and docs/PERFORMANCE.md are for that).
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs="$(nproc)"

# Configured as build/ is (tools/ci/gcc-options.sh): the tests' objects do not depend on
# simdjson, so with ccache only the parser sources, the benchmarks and the links are new work.
source tools/ci/gcc-options.sh
configure_log="$(cmake -S . -B build-nosimd "${cc_gcc_options[@]}" \
  -DCONNECTOR_CRYPTO_WITH_SIMDJSON=OFF -DCONNECTOR_CRYPTO_BUILD_BENCH=ON)"
if ! grep -q "simdjson plaintext parser OFF" <<<"$configure_log"; then
  echo "70-perf: build-nosimd was not configured without simdjson"; exit 1
fi
cmake --build build-nosimd -j"$jobs"
# The interop label needs the Node peer (stage 30 runs it against the default build).
ctest --test-dir build-nosimd -j"$jobs" --output-on-failure -LE interop

# Smoke run: every benchmark, a few iterations each; fails only if one errors or crashes.
out=build-nosimd/bench-smoke.json
build-nosimd/bench/bench_cc --benchmark_min_time=0.001 --benchmark_format=json \
  --benchmark_out="$out" --benchmark_out_format=json >/dev/null
if grep -q '"error_occurred": true' "$out"; then
  echo "70-perf: a benchmark reported an error"; exit 1
fi
echo "70-perf: $(grep -c '"name"' "$out") benchmarks ran"
