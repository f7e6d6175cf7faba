#!/usr/bin/env bash
# Builds a consumer with nothing but pkg-config against an installed prefix, linking the static
# library as a Makefile would: g++ main.cpp $(pkg-config --cflags --libs --static MODULE).
# MODULE is connector_crypto (core + nlohmann, the default) or connector_crypto-core (no nlohmann:
# neither its Requires nor its Requires.private may name nlohmann). PREFIX "system" uses the
# system's pkg-config path (the Debian packages, tools/ci/80-deb.sh).
# Usage: pkg_config_consumer.sh PREFIX CXX SOURCE OUTDIR [MODULE]
set -euo pipefail
prefix=$1 cxx=$2 source=$3 outdir=$4 module=${5:-connector_crypto}
if [ "$prefix" != system ]; then
  pc=$(find "$prefix" -name "$module.pc" -print -quit)
  [ -n "$pc" ] || { echo "pkg_config_consumer: no $module.pc under $prefix"; exit 1; }
  export PKG_CONFIG_PATH="$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
fi
if [ "$module" = connector_crypto-core ]; then
  requires=$(pkg-config --print-requires --print-requires-private "$module")
  if grep -qi nlohmann <<<"$requires"; then
    echo "pkg_config_consumer: $module requires nlohmann: $requires"
    exit 1
  fi
fi
flags=$(pkg-config --cflags --libs --static "$module")
echo "pkg-config --cflags --libs --static $module: $flags"
mkdir -p "$outdir"
# shellcheck disable=SC2086  # the flags are words
"$cxx" -std=c++17 -o "$outdir/pc_consumer" "$source" $flags
"$outdir/pc_consumer"
