#!/usr/bin/env bash
# Runs every test stage in tools/ci/ (in name order): the -Werror build with the whole ctest suite,
# and each further suite. Every stage runs; exits non-zero if any stage failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh || exit 1
timing=$(mktemp)
trap 'rm -f "$timing" "$timing.rc"' EXIT

failed=()
passed=0
# Each stage's wall time and the CPU time (user + sys) of everything it ran: on a 2-core machine
# shared with other builds the CPU time is the figure to compare between runs.
TIMEFORMAT='%R %U %S'
for stage in tools/ci/[0-9]*.sh; do
  name=$(basename "$stage" .sh)
  echo "=== stage $name"
  { time { bash "$stage"; echo $? >"$timing.rc"; } 2>&3; } 3>&2 2>"$timing"
  read -r wall user sys <"$timing"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", u + s }')
  if [ "$(cat "$timing.rc")" -eq 0 ]; then
    passed=$((passed + 1))
    echo "=== stage $name passed (${wall%.*} s wall, ${cpu} s CPU)"
  else
    failed+=("$name")
    echo "=== stage $name FAILED (${wall%.*} s wall, ${cpu} s CPU)"
  fi
done
echo
if [ ${#failed[@]} -gt 0 ]; then echo "failed stages: ${failed[*]}"; fi
echo "stages: ${passed} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
