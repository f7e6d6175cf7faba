#!/usr/bin/env bash
# ctest: tools/apply-rewrap-updates.js on a stand-in mongosh (node, EJSON from tests/interop's bson),
# fed by the real binary's rewrap --format updates. usage: apply_rewrap_updates.sh CONNECTOR_CRYPTO_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec node "$here/apply_rewrap_updates_test.js" "$here/../../tools/apply-rewrap-updates.js" "$1"
