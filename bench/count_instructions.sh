#!/usr/bin/env bash
# Instructions per call of the value API, before and after, counted by callgrind: unlike time, no
# load and no code placement moves them (docs/PERFORMANCE.md). Compiles bench/instructions_main.cc
# against each side's headers and static library (connector_crypto_internal, built with
# -DCONNECTOR_CRYPTO_BUILD_BENCH=ON), runs each case N and 3N times and divides the difference
# by 2N, so setup cancels out. A benchmark, not a test: it never fails on a count.
# Usage: bench/count_instructions.sh BEFORE_SRC BEFORE_BUILD AFTER_SRC AFTER_BUILD [N (default 500)]
# Example, against a5fdb34 (built as bench/compare_builds.sh shows):
#   bash bench/count_instructions.sh /tmp/before /tmp/before/b . build-bench
set -euo pipefail
if [ $# -lt 4 ]; then
  sed -n '2,9p' "$0" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
n="${5:-500}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# OPERATION PAYLOAD CALLS-PER-N: the runs differ by some 10^5 instructions outside the calls (the
# same binary, the same arguments), so a call of a few hundred instructions is counted 100 times
# as often.
cases=("decrypt small 1" "decrypt ascii/64 1" "decrypt manykeys/4096 1" "decrypt 64k 1"
  "encrypt small 1" "encrypt ascii/64 1" "encrypt manykeys/4096 1" "encrypt 64k 1"
  "is_encrypted small 100")

simdjson=()
if [ -e "$(c++ -print-file-name=libsimdjson.so)" ]; then simdjson=(-lsimdjson); fi
build_side() {  # SIDE SRC BUILD
  c++ -O3 -DNDEBUG -std=c++17 -I"$2/include" -I"$here" "$here/instructions_main.cc" \
    -o "$work/$1" "$3/libconnector_crypto_internal.a" -lcrypto "${simdjson[@]}"
}
build_side before "$1" "$2"
build_side after "$3" "$4"

count() {  # BINARY OPERATION PAYLOAD CALLS -> total instructions of the run
  valgrind --tool=callgrind --callgrind-out-file="$work/out" "$1" "$2" "$3" "$4" >/dev/null 2>&1
  sed -n 's/^summary: //p' "$work/out"
}
printf '%-24s %12s %12s %8s\n' "case (instructions/call)" before after "a/b"
for c in "${cases[@]}"; do
  read -r operation payload scale <<<"$c"
  calls=$((n * scale))
  for side in before after; do
    low=$(count "$work/$side" "$operation" "$payload" "$calls")
    high=$(count "$work/$side" "$operation" "$payload" $((3 * calls)))
    echo "$side $(((high - low) / (2 * calls)))"
  done | awk -v name="$operation/$payload" '{ v[$1] = $2 }
    END { printf "%-24s %12d %12d %8.3f\n", name, v["before"], v["after"], v["after"] / v["before"] }'
done
