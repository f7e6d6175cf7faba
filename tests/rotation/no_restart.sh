#!/usr/bin/env bash
# ctest: docs/ROTATION.md's "Rotation without restarts", end to end (issue 22). Two service
# processes (tests/rotation/service.cc, the public API only, CONNECTOR_CRED_RELOAD_SECONDS=1) read
# a Kubernetes-style secret volume (keys.json and active-kid through a ..data link) and serve
# encrypt and decrypt requests on a shared folder of records without pause, while this script
# applies the runbook with the real CLI: stage v2, wait until both report the new fingerprint,
# activate v2, rewrap an export (the updates path), audit --expect-only v2, retire v1. Zero failed
# requests, every record under v2 at the end, neither process restarted.
# usage: no_restart.sh CONNECTOR_CRYPTO_BINARY ROTATION_SERVICE_BINARY
set -euo pipefail
cli=$1
svc=$2
# shellcheck source=tests/rotation/lib.sh
. "$(dirname "$0")/lib.sh"
rotation_setup
umask 077
cold=30   # records only rewrap rewrites
slots=8   # records each service rewrites in turn

# Version 1 of the Secret: v1 only. rotate -o DIR writes both entries.
mkdir "$op/v1" "$op/stage1" "$op/stage2" "$op/stage3"
CONNECTOR_CRED_KEY=$("$cli" keygen) CONNECTOR_CRED_KID=v1 \
  "$cli" rotate --activate v1 --format keys-file -o "$op/v1" 2>/dev/null
publish "$op/v1"
cold_records "$cold"
fp1=$(fingerprint_of "$op/v1")

start_service A 1 2 "$slots" "$cold" CONNECTOR_CRED_RELOAD_SECONDS=1
start_service B 2 2 "$slots" "$cold" CONNECTOR_CRED_RELOAD_SECONDS=1
wait_until 60 "both services up on v1" reports_fingerprint "$fp1" A B
keep_serving A B

# Stage 1: a new key, not yet active. Deploy (one Secret update), then the gate: every instance
# reports the new fingerprint.
with_secret "$mount" "$cli" rotate --kid v2 --format keys-file -o "$op/stage1" 2>/dev/null
[ "$(cat "$op/stage1/active-kid")" = v1 ] || fail "stage 1 changed the active kid"
fp2=$(fingerprint_of "$op/stage1")
[ "$fp2" != "$fp1" ] || fail "stage 1 did not change the fingerprint"
publish "$op/stage1"
wait_until 60 "both services on stage 1" reports_fingerprint "$fp2" A B
keep_serving A B

# Stage 2: activate v2 (the same keys.json, a new active-kid); gate again.
with_secret "$mount" "$cli" rotate --activate v2 --format keys-file -o "$op/stage2" 2>/dev/null
cmp -s "$op/stage1/keys.json" "$op/stage2/keys.json" || fail "stage 2 changed the keys"
fp3=$(fingerprint_of "$op/stage2")
publish "$op/stage2"
wait_until 60 "both services on stage 2" reports_fingerprint "$fp3" A B
[ "$(field A active)" = v2 ] && [ "$(field B active)" = v2 ] || fail "active kid after stage 2"
keep_serving A B

# Rewrap (the updates path), then audit, until only v2 remains (steps 4-5 of the runbook).
done_rewrap=
for round in 1 2 3; do
  export_db "$work/export.jsonl"
  with_secret "$op/stage2" "$cli" rewrap --format updates "$work/export.jsonl" \
    -o "$work/updates.jsonl" 2>"$work/rewrap.err" || fail "rewrap: $(cat "$work/rewrap.err")"
  read -r applied missed < <(apply_updates "$work/updates.jsonl")
  echo "round $round: $applied updates applied, $missed no longer matched"
  [ "$round" -gt 1 ] || [ "$applied" -ge "$cold" ] || fail "round 1 applied $applied updates"
  export_db "$work/audit.jsonl"
  if with_secret "$op/stage2" "$cli" audit --verify --expect-only v2 "$work/audit.jsonl" \
    >"$work/audit.out" 2>&1; then
    done_rewrap=1
    break
  fi
done
[ -n "$done_rewrap" ] || fail "audit --expect-only v2 after 3 rounds: $(cat "$work/audit.out")"
keep_serving A B

# Retire v1 (rotate --retire, as the runbook shows), deploy, gate; both keep serving with v2 alone.
with_secret "$op/stage2" "$cli" rotate --retire v1 --format keys-file -o "$op/stage3" 2>/dev/null
fp4=$(fingerprint_of "$op/stage3")
publish "$op/stage3"
wait_until 60 "both services on stage 3" reports_fingerprint "$fp4" A B
keep_serving A B

# Every record is under v2 and opens with v2 alone; no request failed; neither process restarted.
export_db "$work/final.jsonl"
with_secret "$op/stage3" "$cli" audit --verify --expect-only v2 "$work/final.jsonl" \
  >"$work/final.out" 2>&1 || fail "final audit: $(cat "$work/final.out")"
still_running A B
touch "$db/stop"
for name in A B; do
  pid=pid_$name
  wait "${!pid}" || fail "$name exited with status $?"
  [ "$(field "$name" failed)" = 0 ] || fail "$name: $(field "$name" failed) failed requests"
  [ "$(field "$name" reloads_changed)" = 3 ] ||
    fail "$name: $(field "$name" reloads_changed) configuration changes, expected 3"
  [ "$(field "$name" reload_failures)" = 0 ] || fail "$name: reload failures"
  [ "$(field "$name" decrypted_v2)" -gt 0 ] 2>/dev/null || fail "$name never read a v2 record"
  echo "$name (pid ${!pid}): $(field "$name" writes) writes, $(field "$name" reads) reads," \
    "0 failed, $(field "$name" reloads) reloads ($(field "$name" reloads_changed) changes)"
done
echo "no_restart: ok"
