#!/usr/bin/env bash
# Builds the consumer with nothing but pkg-config against an installed prefix, linking the static
# library as a Makefile would: g++ main.cpp $(pkg-config --cflags --libs --static connector_crypto).
# Usage: pkg_config_consumer.sh PREFIX CXX SOURCE OUTDIR
set -euo pipefail
prefix=$1 cxx=$2 source=$3 outdir=$4
pc=$(find "$prefix" -name connector_crypto.pc -print -quit)
[ -n "$pc" ] || { echo "pkg_config_consumer: no connector_crypto.pc under $prefix"; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
flags=$(pkg-config --cflags --libs --static connector_crypto)
echo "pkg-config --cflags --libs --static connector_crypto: $flags"
mkdir -p "$outdir"
# shellcheck disable=SC2086  # the flags are words
"$cxx" -std=c++17 -o "$outdir/pc_consumer" "$source" $flags
"$outdir/pc_consumer"
