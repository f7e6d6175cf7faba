#!/usr/bin/env bash
# Measures `connector-crypto rewrap` in records/s on a generated mongoexport file (a benchmark, not a
# test). Usage: bench/rewrap_throughput.sh [BINARY] [RECORDS]   (defaults: build/tools/connector-crypto,
# 100000). The export mixes realistic documents: 60% under the old kid v1 (decrypt + re-encrypt),
# 25% plaintext (encrypt), 10% already under v2, 5% without credentials. Uses hyperfine when present.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/tools/connector-crypto}
records=${2:-100000}
[ -x "$bin" ] || { echo "rewrap_throughput: build $bin first (cmake --build build)" >&2; exit 2; }

work=$(mktemp -d)
[ -n "${KEEP_WORK:-}" ] && echo "work: $work" || trap 'rm -rf "$work"' EXIT
key1=$("$bin" keygen)
key2=$("$bin" keygen)
export CONNECTOR_CRED_KEYS="{\"v1\":\"$key1\",\"v2\":\"$key2\"}"

creds='{"accessToken":"ya29.a0AfH6SMBx3kq9Zq1-example-access-token-0123456789abcdef","refreshToken":"1//0gexample-refresh-token-abcdefghijklmnopqrstuvwxyz","expiresAt":{"$date":"2025-06-01T12:00:00Z"},"scope":"read write","tokenType":"Bearer"}'
plain_for_encrypt='{"accessToken":"ya29.a0AfH6SMBx3kq9Zq1-example-access-token-0123456789abcdef","refreshToken":"1//0gexample-refresh-token-abcdefghijklmnopqrstuvwxyz","expiresAt":"2025-06-01T12:00:00.000Z","scope":"read write","tokenType":"Bearer"}'
env_v1=$(CONNECTOR_CRED_ACTIVE_KID=v1 "$bin" encrypt <<<"$plain_for_encrypt")
env_v2=$(CONNECTOR_CRED_ACTIVE_KID=v2 "$bin" encrypt <<<"$plain_for_encrypt")

awk -v n="$records" -v creds="$creds" -v v1="$env_v1" -v v2="$env_v2" 'BEGIN {
  for (i = 0; i < n; i++) {
    id = sprintf("{\"$oid\":\"65a1b2c3d4e5f6%010x\"}", i)
    head = "{\"_id\":" id ",\"name\":\"connector-" i "\",\"type\":\"google-drive\",\"workspaceId\":\"ws-" (i % 97) "\",\"enabled\":true,\"createdAt\":{\"$date\":\"2024-03-0" (1 + i % 9) "T10:00:00Z\"},\"retries\":" (i % 5)
    r = i % 20
    if (r < 12) print head ",\"credentials\":" v1 "}"
    else if (r < 17) print head ",\"credentials\":" creds "}"
    else if (r < 19) print head ",\"credentials\":" v2 "}"
    else print head "}"
  }
}' >"$work/export.jsonl"
size=$(wc -c <"$work/export.jsonl")
echo "export: $records documents, $size bytes ($((size / records)) bytes/document); nproc $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"

export CONNECTOR_CRED_ACTIVE_KID=v2
cmd="$bin rewrap $work/export.jsonl -o $work/out.jsonl"
"$bin" rewrap "$work/export.jsonl" -o "$work/out.jsonl" 2>"$work/summary.txt"
cat "$work/summary.txt"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs 10 --export-json "$work/h.json" "$cmd 2>/dev/null" >&2
  mean=$(grep -m1 '"mean"' "$work/h.json" | tr -dc '0-9.')
  cpu=$(awk -F: '/"user"|"system"/ { gsub(/[ ,]/, "", $2); s += $2 } END { print s }' "$work/h.json")
  min=$(grep -m1 '"min"' "$work/h.json" | tr -dc '0-9.')
else
  start=$(date +%s.%N)
  for _ in 1 2 3 4 5; do $cmd 2>/dev/null; done
  mean=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print (b - a) / 5 }')
fi
awk -v n="$records" -v t="$mean" 'BEGIN { printf "rewrap: %.3f s mean for %d records = %.0f records/s\n", t, n, n / t }'
[ -n "${min:-}" ] && awk -v n="$records" -v t="$min" 'BEGIN { printf "fastest run: %.3f s = %.0f records/s\n", t, n / t }'
# Under load from other processes the wall clock understates the tool: CPU time tells what it needs.
if [ -n "${cpu:-}" ]; then
  awk -v n="$records" -v c="$cpu" -v p="$(nproc)" 'BEGIN { printf "cpu: %.3f s user+sys per run = %.0f records per CPU-second (x %d cores = %.0f records/s if idle)\n", c, n / c, p, n / c * p }'
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
