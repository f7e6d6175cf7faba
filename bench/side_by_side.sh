#!/usr/bin/env bash
# Runs the C++ benchmark, the TypeScript original's model (@noble/ciphers) and node:crypto on the
# same payload files in one run, then prints the ratio table (bench/results/report.md) and draws
# docs/performance.png. A benchmark, not a test: it never fails on a timing.
# Usage: bench/side_by_side.sh [seconds per figure and run (default 0.5)] [passes (default 3)]
#        [build dir (default build-bench)]. Each figure is the best of the passes, on both sides.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-0.5}"
reps="${2:-3}"
build="${3:-build-bench}"
results=bench/results

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCONNECTOR_CRYPTO_WITH_SIMDJSON=AUTO -DCONNECTOR_CRYPTO_BUILD_BENCH=ON \
  -DCONNECTOR_CRYPTO_BUILD_TESTS=OFF -DCONNECTOR_CRYPTO_BUILD_TOOLS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench_cc
if [ ! -d bench/node/node_modules/@noble/ciphers ]; then (cd bench/node && npm ci --no-audit --no-fund); fi

rm -rf "$results"
mkdir -p "$results/payloads"
"$build/bench/bench_cc" --write-payloads="$results/payloads"
# C++ and node take turns, one pass each per repetition, so both sample the same spells of load.
for rep in $(seq 1 "$reps"); do
  echo "pass $rep/$reps, load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$build/bench/bench_cc" --benchmark_filter='^(encrypt|decrypt|evp_seal|encrypt_text|decrypt_text|encrypt_bound|decrypt_bound)/|^round_trip|^rewrap_line|^is_encrypted|^keyring_(static|reloading)/' \
    --benchmark_min_time="$seconds" --benchmark_format=json --benchmark_out="$results/cc.$rep.json" \
    --benchmark_out_format=json >/dev/null
  node bench/node/bench.mjs "$results/payloads" "$seconds" >"$results/node.$rep.jsonl"
done
CC_BUILD_TYPE=Release node bench/node/report.mjs "$results"
if command -v gnuplot >/dev/null; then
  gnuplot -e "dat='$results/sweep.dat'; out='docs/performance.png'" bench/plot.gp
  echo "wrote $results/report.md and docs/performance.png"
else
  echo "wrote $results/report.md (install gnuplot to redraw docs/performance.png)"
fi
