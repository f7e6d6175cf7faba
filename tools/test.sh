#!/usr/bin/env bash
# Runs every test stage in tools/ci/ (in name order): the -Werror build with the whole ctest suite,
# and each further suite. Every stage runs; exits non-zero if any stage failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh || exit 1

failed=()
passed=0
for stage in tools/ci/[0-9]*.sh; do
  echo "=== stage $(basename "$stage" .sh)"
  start=$SECONDS
  if bash "$stage"; then
    passed=$((passed + 1))
    echo "=== stage $(basename "$stage" .sh) passed ($((SECONDS - start)) s)"
  else
    failed+=("$(basename "$stage" .sh)")
    echo "=== stage $(basename "$stage" .sh) FAILED ($((SECONDS - start)) s)"
  fi
done
echo
if [ ${#failed[@]} -gt 0 ]; then echo "failed stages: ${failed[*]}"; fi
echo "stages: ${passed} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
