#!/usr/bin/env bash
# ctest: the real connector-crypto binary end to end: a staged rotation, rewrap through files and
# pipes, exit codes, and no key or plaintext in any output but keygen/rotate/decrypt.
# usage: e2e.sh CONNECTOR_CRYPTO_BINARY
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "e2e: FAILED: $*" >&2; exit 1; }
expect_code() {  # expect_code CODE command...
  local want=$1; shift
  set +e; "$@"; local got=$?; set -e
  [ "$got" -eq "$want" ] || fail "exit $got, expected $want: $*"
}

key1=$("$bin" keygen)
export CONNECTOR_CRED_KEY=$key1 CONNECTOR_CRED_KID=v1
old=$("$bin" encrypt <<<'{"token":"e2e-secret-old"}')
printf '%s\n' \
  "{\"_id\":{\"\$oid\":\"65a1b2c3d4e5f60000000001\"},\"name\":\"p\",\"credentials\":{\"token\":\"e2e-secret-plain\"}}" \
  "{\"_id\":{\"\$oid\":\"65a1b2c3d4e5f60000000002\"},\"name\":\"o\",\"credentials\":$old}" \
  "{\"_id\":{\"\$oid\":\"65a1b2c3d4e5f60000000003\"},\"name\":\"n\",\"credentials\":null}" >"$work/export.jsonl"

# Stage 1: a new key v2, not active yet.
"$bin" rotate --kid v2 -o "$work/stage1.env" 2>"$work/rotate.err"
[ "$(stat -c %a "$work/stage1.env")" = 600 ] || fail "rotate -o mode"
grep -q '^CONNECTOR_CRED_ACTIVE_KID=v1$' "$work/stage1.env" || fail "stage 1 changed the active kid"
set -a; . "$work/stage1.env"; set +a
unset CONNECTOR_CRED_KEY CONNECTOR_CRED_KID
"$bin" check >"$work/check.out"
grep -q '^active_kid v1$' "$work/check.out" || fail "check after stage 1"
# Stage 2: activate v2, then rewrap.
"$bin" rotate --activate v2 >"$work/stage2.env"
set -a; . "$work/stage2.env"; set +a
[ "$CONNECTOR_CRED_ACTIVE_KID" = v2 ] || fail "stage 2"

"$bin" rewrap "$work/export.jsonl" -o "$work/out.jsonl" 2>"$work/rewrap.err"
grep -q 'rewrapped from v1         1' "$work/rewrap.err" || fail "rewrap summary"
sed -n 3p "$work/export.jsonl" | cmp - <(sed -n 3p "$work/out.jsonl") || fail "unchanged line not identical"
"$bin" rewrap - <"$work/out.jsonl" >"$work/again.jsonl" 2>/dev/null
cmp "$work/out.jsonl" "$work/again.jsonl" || fail "second rewrap changed something"
[ "$("$bin" audit --verify "$work/out.jsonl")" = '{"total":3,"plaintext":0,"encrypted":{"v2":2},"bound":{},"unbound":{"v2":2},"missing":1,"invalid":0,"unreadable":0,"sharedIv":0}' ] ||
  fail "audit after rewrap"
# The gate before dropping v1: exit 0 now, 3 on the export that still holds v1.
"$bin" audit --verify --expect-only v2 "$work/out.jsonl" >/dev/null || fail "audit --expect-only v2 after rewrap"
expect_code 3 "$bin" audit --expect-only v2 "$work/export.jsonl" >/dev/null 2>&1

# A corrupt line: exit 1, OUTPUT not created; --keep-going: exit 3.
{ cat "$work/export.jsonl"; echo '{"_id":4,"credentials":'; } >"$work/bad.jsonl"
expect_code 1 "$bin" rewrap "$work/bad.jsonl" -o "$work/never.jsonl" 2>"$work/bad.err"
[ ! -e "$work/never.jsonl" ] || fail "OUTPUT created after a failure"
grep -q 'line 4' "$work/bad.err" || fail "failure does not name the line"
expect_code 3 "$bin" rewrap --keep-going "$work/bad.jsonl" -o "$work/kg.jsonl" 2>/dev/null
expect_code 2 "$bin" rewrap --format xml "$work/bad.jsonl" 2>/dev/null
(unset CONNECTOR_CRED_KEYS; expect_code 2 "$bin" check 2>/dev/null)

# Bound envelopes (issue 11): the switches in check; encrypt/decrypt --context and the swap
# refused; rewrap binding from a FILE, refusing a copied envelope; audit --verify finding a swap.
CONNECTOR_CRED_BIND_CONTEXT=1 "$bin" check >"$work/check-bind.out"
grep -qx 'bind_context on' "$work/check-bind.out" || fail "check: bind_context"
grep -qx 'require_context off' "$work/check-bind.out" || fail "check: require_context"
ctxA=(--context tenant=oid:65a1b2c3d4e5f600000000aa --context collection=connectorinstances)
ctxB=(--context tenant=oid:65a1b2c3d4e5f600000000bb --context collection=connectorinstances)
bound=$(CONNECTOR_CRED_BIND_CONTEXT=1 "$bin" encrypt "${ctxA[@]}" <<<'{"token":"e2e-secret-bound"}')
[ "$("$bin" inspect <<<"$bound")" = '{"encrypted":true,"kid":"v2","bound":true,"ctx":["collection","tenant"]}' ] ||
  fail "inspect of a bound envelope"
[ "$("$bin" decrypt "${ctxA[@]}" <<<"$bound")" = '{"token":"e2e-secret-bound"}' ] || fail "decrypt --context"
expect_code 1 "$bin" decrypt "${ctxB[@]}" <<<"$bound" >/dev/null 2>"$work/swap.err"
grep -q 'or the envelope belongs to another record)$' "$work/swap.err" || fail "the swap: $(cat "$work/swap.err")"
expect_code 2 "$bin" decrypt <<<"$bound" >/dev/null 2>&1
bind=(--context collection=connectorinstances --context-id id --context-path field)
# A copy of record 2's envelope in a record 4: neither is bound, both are named.
{ cat "$work/export.jsonl"; sed -n 2p "$work/export.jsonl" | sed 's/"65a1b2c3d4e5f60000000002"/"65a1b2c3d4e5f60000000004"/'; } >"$work/copy.jsonl"
expect_code 1 env CONNECTOR_CRED_BIND_CONTEXT=1 "$bin" rewrap "${bind[@]}" "$work/copy.jsonl" -o "$work/bound.jsonl" 2>"$work/copy.err"
grep -qF 'its iv is held by 2 records (line 2 (_id {"$oid":"65a1b2c3d4e5f60000000002"}), line 4 (_id {"$oid":"65a1b2c3d4e5f60000000004"}))' \
  "$work/copy.err" || fail "shared iv refusal: $(cat "$work/copy.err")"
[ ! -e "$work/bound.jsonl" ] || fail "OUTPUT written despite a refused record"
expect_code 2 env CONNECTOR_CRED_BIND_CONTEXT=1 "$bin" rewrap "${bind[@]}" - <"$work/export.jsonl" >/dev/null 2>&1
CONNECTOR_CRED_BIND_CONTEXT=1 "$bin" rewrap "${bind[@]}" "$work/export.jsonl" -o "$work/bound.jsonl" 2>"$work/bind.err"
grep -q '^  newly bound               2$' "$work/bind.err" || fail "rewrap binding summary: $(cat "$work/bind.err")"
[ "$("$bin" audit "$work/bound.jsonl")" = '{"total":3,"plaintext":0,"encrypted":{"v2":2},"bound":{"v2":2},"unbound":{},"missing":1,"invalid":0,"sharedIv":0}' ] ||
  fail "audit after binding"
"$bin" audit --verify --expect-only v2 "${bind[@]}" "$work/bound.jsonl" >/dev/null || fail "audit --verify of bound records"
# Record 1's bound envelope copied into record 2: invalid under record 2's own context.
env1=$(sed -n 1p "$work/bound.jsonl" | sed 's/.*"credentials":\({[^}]*}\).*/\1/')
{ sed -n 1p "$work/bound.jsonl"; echo "{\"_id\":{\"\$oid\":\"65a1b2c3d4e5f60000000002\"},\"credentials\":$env1}"; } >"$work/swapped.jsonl"
set +e; "$bin" audit --verify "${bind[@]}" "$work/swapped.jsonl" >"$work/swapped.out" 2>/dev/null; got=$?; set -e
[ "$got" -eq 1 ] || fail "audit of a swapped envelope exited $got"
[ "$(cat "$work/swapped.out")" = '{"total":2,"plaintext":0,"encrypted":{"v2":1},"bound":{"v2":1},"unbound":{},"missing":0,"invalid":1,"unreadable":0,"sharedIv":2}' ] ||
  fail "audit of a swapped envelope: $(cat "$work/swapped.out")"

# No key outside keygen/rotate, no plaintext outside decrypt.
for f in "$work"/*.jsonl "$work"/*.err "$work"/*.out; do
  for k in $(sed -n 's/.*"\(v[12]\)":"\([^"]*\)".*/\2/p' "$work/stage2.env" | head -1) "$key1"; do
    ! grep -qF "$k" "$f" || fail "a key in $f"
  done
  case $f in
    */export.jsonl | */bad.jsonl | */kg.jsonl | */copy.jsonl) ;;  # inputs, an unreadable line copied
    *) ! grep -q 'e2e-secret' "$f" || fail "plaintext in $f" ;;
  esac
done
[ "$(sed -n 2p "$work/out.jsonl" | sed 's/.*"credentials":\({[^}]*}\).*/\1/' | "$bin" decrypt)" = '{"token":"e2e-secret-old"}' ] ||
  fail "decrypt of a rewrapped record"
echo "e2e: ok"
