#!/usr/bin/env bash
# ctest: rewrap --format updates with the real binary, then tools/apply-rewrap-updates.js on a mock
# mongosh (node). usage: apply_rewrap_updates.sh CONNECTOR_CRYPTO_BINARY
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CONNECTOR_CRED_KEYS="{\"v1\":\"$("$bin" keygen)\",\"v2\":\"$("$bin" keygen)\"}"
v1=$(CONNECTOR_CRED_ACTIVE_KID=v1 "$bin" encrypt <<<'{"token":"t-old"}')
{
  echo "{\"_id\":{\"\$oid\":\"65a1b2c3d4e5f60000000001\"},\"credentials\":{\"token\":\"t-plain\"}}"
  echo "{\"_id\":{\"\$oid\":\"65a1b2c3d4e5f60000000002\"},\"credentials\":$v1}"
  echo "{\"_id\":{\"\$oid\":\"65a1b2c3d4e5f60000000003\"},\"credentials\":null}"
  echo "{\"_id\":{\"\$oid\":\"65a1b2c3d4e5f60000000004\"},\"credentials\":$v1}"
  echo "{\"_id\":{\"\$oid\":\"65a1b2c3d4e5f60000000005\"},\"credentials\":\"s\"}"
} >"$work/export.jsonl"
CONNECTOR_CRED_ACTIVE_KID=v2 "$bin" rewrap --format updates "$work/export.jsonl" -o "$work/updates.jsonl" 2>/dev/null
[ "$(wc -l <"$work/updates.jsonl")" -eq 4 ]
node "$here/apply_rewrap_updates_test.js" "$here/../../tools/apply-rewrap-updates.js" "$work/updates.jsonl"
