#!/usr/bin/env bash
# Runs every libFuzzer target the `fuzz` preset builds (build-fuzz/fuzz/fuzz_*), each for
# FUZZ_SECONDS (default 30) from a temp copy of its committed seed corpus fuzz/corpus/<name>/ with
# its dictionary fuzz/dict/<name>.dict. Any crash, contract violation, leak or timeout fails the
# stage and prints the reproducer. The committed corpus is never modified.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-30}
command -v clang++ >/dev/null || { echo "50-fuzz: clang++ is missing (tools/install-deps.sh)"; exit 1; }

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shopt -s nullglob
targets=(build-fuzz/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then echo "50-fuzz: the build produced no fuzz targets"; exit 1; fi

# Two targets at a time (FUZZ_JOBS, default: the number of cores): each still gets FUZZ_SECONDS
# of a core to itself, and the stage takes half the wall time on the 2-core CI machine.
jobs=${FUZZ_JOBS:-$(nproc)}

# fuzz_one EXE NAME DICT: one target's run; its log and a summary go to $work/NAME/.
fuzz_one() {
  local exe=$1 name=$2 dict=$3 a
  # -timeout: one input taking longer than 10 s is a finding; -rss_limit_mb: so is 2 GiB of memory.
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
       -dict="$dict" -artifact_prefix="$work/$name/artifacts/" -print_final_stats=1 \
       "$work/$name/corpus" >"$work/$name/log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/$name/log" >"$work/$name/summary" || true
  else
    {
      tail -n 60 "$work/$name/log"
      for a in "$work/$name/artifacts"/*; do
        echo "reproducer $(basename "$a") (base64): $(base64 -w0 "$a")"
      done
      echo "--- fuzz_$name FAILED (reproduce: $exe <file>)"
    } >"$work/$name/summary"
    touch "$work/$name/failed"
  fi
}

failed=()
names=()
running=0
for exe in "${targets[@]}"; do
  [ -x "$exe" ] && [ -f "$exe" ] || continue
  name=$(basename "$exe"); name=${name#fuzz_}
  corpus=fuzz/corpus/$name dict=fuzz/dict/$name.dict
  if [ ! -d "$corpus" ] || [ ! -f "$dict" ]; then
    echo "50-fuzz: fuzz_$name needs a seed corpus $corpus/ and a dictionary $dict"
    failed+=("$name"); continue
  fi
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  cp -R "$corpus/." "$work/$name/corpus/"
  echo "--- fuzz_$name: ${seconds} s from $(ls "$corpus" | wc -l) seeds"
  names+=("$name")
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
  fuzz_one "$exe" "$name" "$dict" &
  running=$((running + 1))
done
wait
for name in "${names[@]}"; do
  echo "--- fuzz_$name"
  if [ -f "$work/$name/summary" ] && [ ! -e "$work/$name/failed" ]; then
    cat "$work/$name/summary"
  else
    cat "$work/$name/summary" 2>/dev/null || echo "fuzz_$name left no result"
    failed+=("$name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then echo "50-fuzz: failed: ${failed[*]}"; exit 1; fi
echo "50-fuzz: ${#targets[@]} targets clean"
