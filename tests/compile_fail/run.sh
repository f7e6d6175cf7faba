#!/usr/bin/env bash
# Compiles value_api.cpp (syntax only, -Werror) with Json = KIND and checks the verdict: json and
# ordered_json compile; unsupported (another basic_json specialisation) fails, with
# CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON's static_assert exactly once per "// value API" line, so
# that neither another compile error nor a function without the assertion can pass.
# Usage: run.sh CXX SOURCE json|ordered_json|unsupported INCLUDE_DIRS...  (each may be ;-separated)
set -euo pipefail
cxx=$1 source=$2 kind=$3
shift 3
case $kind in
  json) number=0 ;;
  ordered_json) number=1 ;;
  unsupported) number=2 ;;
  *) echo "compile_fail: unknown kind $kind"; exit 2 ;;
esac
flags=(-std=c++17 -fsyntax-only -Wall -Wextra -Wpedantic -Werror "-DCC_JSON_KIND=$number")
for dirs in "$@"; do
  IFS=';' read -ra list <<<"$dirs"
  for d in "${list[@]}"; do [ -z "$d" ] || flags+=("-I$d"); done
done
# clang stops after 20 errors by default; every refusal must be reported.
if "$cxx" --version | grep -qi clang; then flags+=(-ferror-limit=0); fi

status=0
out=$("$cxx" "${flags[@]}" "$source" 2>&1) || status=$?
if [ "$kind" != unsupported ]; then
  if [ "$status" -ne 0 ]; then
    echo "$out"
    echo "compile_fail: the value API with $kind does not compile"
    exit 1
  fi
  echo "compile_fail: the value API with $kind compiles"
  exit 0
fi
calls=$(grep -c '// value API$' "$source")
message='connector_crypto supports nlohmann::json and nlohmann::ordered_json only'
refusals=$(grep -cE "static.assert(ion)? failed.*$message" <<<"$out" || true)
if [ "$status" -eq 0 ] || [ "$refusals" -ne "$calls" ]; then
  echo "$out" | head -n 200
  echo "compile_fail: expected the compile to fail with $calls static assertions ($message);" \
       "exit status $status, $refusals such assertions"
  exit 1
fi
echo "compile_fail: another basic_json is refused by all $calls value-API functions"
