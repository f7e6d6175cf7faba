#!/usr/bin/env bash
# ctest: the activation race of issue 22 (item 6), across processes. Services A and B read the same
# secret volume with a long interval (CONNECTOR_CRED_RELOAD_SECONDS=3600: neither reloads on its
# own during the test). The volume moves from v1 straight to "v1 and v2, v2 active"; A takes it
# (SIGHUP -> Keyring::reload(), the README's recipe) and writes under v2. B meets A's v2 envelopes
# without having reloaded: it must decrypt them on first sight (an unknown kid reloads once, then
# retries), with zero failed requests. C, the same service with reload off, fails on them
# (UnknownKidError): the control that shows this test sees a failure when there is one.
# usage: activation_race.sh CONNECTOR_CRYPTO_BINARY ROTATION_SERVICE_BINARY
set -euo pipefail
cli=$1
svc=$2
# shellcheck source=tests/rotation/lib.sh
. "$(dirname "$0")/lib.sh"
rotation_setup
umask 077
slots=8

mkdir "$op/v1" "$op/v2"
CONNECTOR_CRED_KEY=$("$cli" keygen) CONNECTOR_CRED_KID=v1 \
  "$cli" rotate --activate v1 --format keys-file -o "$op/v1" 2>/dev/null
publish "$op/v1"
fp1=$(fingerprint_of "$op/v1")
with_secret "$op/v1" "$cli" rotate --kid v2 --format keys-file -o "$op/v2" 2>/dev/null
echo v2 >"$op/v2/active-kid"
fp2=$(fingerprint_of "$op/v2")

start_service A 1 3 "$slots" 0 CONNECTOR_CRED_RELOAD_SECONDS=3600
start_service B 2 3 "$slots" 0 CONNECTOR_CRED_RELOAD_SECONDS=3600
start_service C 3 3 "$slots" 0
wait_until 60 "A, B and C up on v1" reports_fingerprint "$fp1" A B C
keep_serving A B C

publish "$op/v2"
keep_serving A B
reports_fingerprint "$fp1" A B || fail "a service reloaded before its interval"
pid=pid_A
kill -HUP "${!pid}"
wait_until 60 "A on v2 after SIGHUP" reports_fingerprint "$fp2" A
[ "$(field A active)" = v2 ] || fail "A's active kid after SIGHUP"

# B reads A's v2 records as they come: the first one reloads it.
has_read_v2() { [ "$(field "$1" decrypted_v2)" -gt 0 ] 2>/dev/null; }
wait_until 60 "B reads a v2 record" has_read_v2 B
keep_serving B
[ "$(field B failed)" = 0 ] || fail "B: $(field B failed) failed requests (the race is open)"
reports_fingerprint "$fp2" B || fail "B did not take the new configuration"
[ "$(field B reloads_changed)" = 1 ] || fail "B: $(field B reloads_changed) configuration changes"
[ "$(field A failed)" = 0 ] || fail "A: $(field A failed) failed requests"

# The control: without reload, C fails on v2 envelopes, as every service did before the change.
has_failed() { [ "$(field "$1" failed)" -gt 0 ] 2>/dev/null; }
wait_until 60 "C (reload off) fails on a v2 record" has_failed C
grep -qF 'envelope: "kid" "v2" is not in the keyring' "$db/C.log" || fail "C's failure: $(head -n 3 "$db/C.log")"
reports_fingerprint "$fp1" C || fail "C (reload off) changed its configuration"
still_running A B C
echo "activation_race: ok (B: $(field B reads) reads, 0 failed; C: $(field C failed) failed, as expected)"
