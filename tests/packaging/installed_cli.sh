#!/usr/bin/env bash
# The CLI as `cmake --install` lays it out: PREFIX/BINDIR/connector-crypto prints the library's
# version (the project's, read from version.hpp by CMake), and the mongosh script docs/ROTATION.md
# runs is at PREFIX/DATADIR/connector_crypto/apply-rewrap-updates.js.
# Usage: installed_cli.sh PREFIX VERSION BINDIR DATADIR
set -euo pipefail
prefix=$1 version=$2 bindir=$3 datadir=$4
got=$("$prefix/$bindir/connector-crypto" --version)
[ "$got" = "connector-crypto $version" ] || { echo "--version printed '$got', not $version"; exit 1; }
script=$prefix/$datadir/connector_crypto/apply-rewrap-updates.js
[ -f "$script" ] || { echo "not installed: $script"; exit 1; }
cmp -s "$script" "$(dirname "$0")/../../tools/apply-rewrap-updates.js" || { echo "$script differs"; exit 1; }
echo "installed: $got, $script"
