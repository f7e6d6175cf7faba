#!/usr/bin/env bash
# Fails when a core header's preprocessed output mentions nlohmann: connector_crypto/core.hpp and
# every header it lists (the core's headers, one list) must pull in no nlohmann header, so that a
# text-only service (connector_crypto::core, connector_crypto-core.pc) compiles without it.
# Usage: core_headers.sh CXX INCLUDE_DIR
set -euo pipefail
cxx=$1 include=$2
umbrella=$include/connector_crypto/core.hpp
[ -f "$umbrella" ] || { echo "core_headers: no $umbrella"; exit 1; }
mapfile -t headers < <(sed -n 's|^#include "\(connector_crypto/[a-z_]*\.hpp\)"$|\1|p' "$umbrella")
[ ${#headers[@]} -ge 10 ] || { echo "core_headers: core.hpp lists ${#headers[@]} headers"; exit 1; }
failed=0
for h in connector_crypto/core.hpp "${headers[@]}"; do
  n=$(printf '#include <%s>\n' "$h" | "$cxx" -std=c++17 -E -P -I"$include" -x c++ - | grep -c nlohmann || true)
  if [ "$n" -ne 0 ]; then
    echo "core_headers: $h: its preprocessed output mentions nlohmann $n times"
    failed=1
  fi
done
[ "$failed" -eq 0 ] || exit 1
echo "core_headers: ${#headers[@]} core headers and core.hpp include no nlohmann"
