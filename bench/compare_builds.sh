#!/usr/bin/env bash
# Compares two builds of bench_cc (before, after) on the same machine: runs them in turn, ROUNDS
# times each, and prints per benchmark the fastest and the median CPU time of each side and their
# ratio (after / before). Taking turns lets both sample the same spells of load; the fastest run is
# the least disturbed one. A benchmark, not a test: it never fails on a timing.
# Usage: bench/compare_builds.sh BEFORE_BENCH_CC AFTER_BENCH_CC [FILTER (default ^decrypt/small$)]
#        [ROUNDS (default 8)] [SECONDS per figure and run (default 0.2)]
# Build the "before" side from a worktree, for example:
#   git worktree add /tmp/before a5fdb34 && cmake -S /tmp/before -B /tmp/before/b \
#     -DCMAKE_BUILD_TYPE=Release -DCONNECTOR_CRYPTO_BUILD_BENCH=ON && cmake --build /tmp/before/b \
#     --target bench_cc
# An A/A run (the same binary on both sides) shows the machine's noise.
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,11p' "$0" >&2
  exit 2
fi
before="$1"
after="$2"
filter="${3:-^decrypt/small\$}"
rounds="${4:-8}"
seconds="${5:-0.2}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

for round in $(seq 1 "$rounds"); do
  for side in before after; do
    binary="$before"
    [ "$side" = after ] && binary="$after"
    # CSV columns: name, iterations, real_time, cpu_time, ...
    "$binary" --benchmark_filter="$filter" --benchmark_min_time="$seconds" --benchmark_format=csv \
      2>/dev/null | awk -F, -v side="$side" 'NR > 1 && $4 != "" { gsub(/"/, "", $1); print side, $1, $4 }' \
      >>"$out/times"
  done
  echo "round $round/$rounds, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done

# Per side and benchmark: sorted times, then the fastest and the median.
sort -k1,1 -k2,2 -k3,3g "$out/times" | awk '
  { key = $1 " " $2; n[key]++; t[key, n[key]] = $3; if (!($2 in seen)) { seen[$2] = 1; order[++names] = $2 } }
  END {
    printf "%-32s %12s %12s %12s %12s %8s %8s\n", "benchmark (CPU ns)", "before min", "before med",
           "after min", "after med", "min a/b", "med a/b"
    for (i = 1; i <= names; i++) {
      b = "before " order[i]; a = "after " order[i]
      if (!(b in n) || !(a in n)) continue
      bmin = t[b, 1]; amin = t[a, 1]
      bmed = t[b, int((n[b] + 1) / 2)]; amed = t[a, int((n[a] + 1) / 2)]
      printf "%-32s %12.0f %12.0f %12.0f %12.0f %8.3f %8.3f\n", order[i], bmin, bmed, amin, amed,
             amin / bmin, amed / bmed
    }
  }'
