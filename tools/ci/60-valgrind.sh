#!/usr/bin/env bash
# Valgrind memcheck over a representative set of unit-test executables of the stage-10 `build/`
# tree (re-running its configure and build is a no-op when stage 10 built it): no invalid access,
# no use of uninitialised memory (which ASan does not detect), no definite or possible leak.
# LeakSanitizer covers every test in stage 20.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "60-valgrind: valgrind is missing (tools/install-deps.sh)"; exit 1; }
source tools/ci/gcc-options.sh
cmake -S . -B build "${cc_gcc_options[@]}" >/dev/null
cmake --build build -j"$(nproc)"

# The codec, the AEAD seam with its vectors, keyrings, env parsing, envelopes, tampering, the
# hostile matrix, secret hygiene, the thread tests and the CLI: every path that touches OpenSSL or
# key bytes.
tests=(test_base64 test_aead_kat test_keyring test_env test_envelope test_tamper test_hostile
       test_secret_hygiene test_threads test_cli)
# Catch test specs per binary (none: every test case). memcheck runs one thread at a time, so
# test_threads' reload cycle (300 swaps of the files, while workers spin) takes many minutes here;
# it runs in stage 10, under ASan and under TSan.
declare -A spec=([test_threads]='~a keyring reloading while threads encrypt and decrypt without pause')
failed=()
for t in "${tests[@]}"; do
  exe=build/tests/$t
  if [ ! -x "$exe" ]; then echo "60-valgrind: $exe was not built"; failed+=("$t"); continue; fi
  start=$SECONDS
  # nouserintercepts: test_secret_hygiene replaces operator new/delete (over malloc/free) to scan
  # freed blocks; memcheck must keep those and track the malloc/free underneath.
  if valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible \
       --soname-synonyms=somalloc=nouserintercepts "$exe" ${spec[$t]:+"${spec[$t]}"} >"build/valgrind-$t.log" 2>&1; then
    echo "--- $t clean ($((SECONDS - start)) s)"
  else
    tail -n 80 "build/valgrind-$t.log"
    echo "--- $t FAILED under valgrind"
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then echo "60-valgrind: failed: ${failed[*]}"; exit 1; fi
