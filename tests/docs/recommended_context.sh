#!/usr/bin/env bash
# The recommended context of ConnectorInstance.credentials, one for every document: README.md's
# binding sample (compiled as it stands into readme_binding) and docs/ROTATION.md's CLI commands
# (its ctx=(...) line, run as written) bind the same records, and each side opens what the other
# bound; docs/FORMAT.md and README.md hold that line's flags verbatim.
# usage: recommended_context.sh READme_BINDING CONNECTOR_CRYPTO SOURCE_DIR
set -euo pipefail
sample=$1 cli=$2 src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The runbook's line, as written (the first one; every later use is "${ctx[@]}").
line=$(grep -m1 -E '^ *ctx=\(' "$src/docs/ROTATION.md" | sed -E 's/^ +//') || fail "no ctx=( line in ROTATION.md"
flags=${line#ctx=(}
flags=${flags%)}
grep -qF -- "$line" "$src/docs/FORMAT.md" || fail "docs/FORMAT.md does not hold ROTATION.md's line: $line"
grep -qF -- "$flags" "$src/README.md" || fail "README.md does not hold ROTATION.md's flags: $flags"
eval "$line"
[ "${#ctx[@]}" -ge 2 ] || fail "ctx is empty"

# Every context in ROTATION.md's commands is that array.
if grep -nE -- '--context[ =]' "$src/docs/ROTATION.md" | grep -vF -- "$line" | grep -v '`'; then
  fail "ROTATION.md builds a context other than ctx=(...)"
fi

umask 077
export CONNECTOR_CRED_KEY CONNECTOR_CRED_KID=v1 CONNECTOR_CRED_BIND_CONTEXT=1
CONNECTOR_CRED_KEY=$("$cli" keygen)
unset CONNECTOR_CRED_KEYS CONNECTOR_CRED_ACTIVE_KID CONNECTOR_CRED_REQUIRE_CONTEXT \
  CONNECTOR_CRED_KEY_FILE CONNECTOR_CRED_KEYS_FILE CONNECTOR_CRED_REQUIRE_ENCRYPTED

tenantA=6650f0c2a1b2c3d4e5f60718 tenantB=6650f0c2a1b2c3d4e5f6071a
record() { # id tenant credentials
  printf '{"_id":{"$oid":"%s"},"workspaceId":{"$oid":"%s"},"credentials":%s}\n' "$1" "$2" "$3"
}
{
  record 6650f0c2a1b2c3d4e5f60001 "$tenantA" '{"apiKey":"sk-docs-0001"}'
  record 6650f0c2a1b2c3d4e5f60002 "$tenantA" '{"token":"tok-docs-0002","n":2}'
  record 6650f0c2a1b2c3d4e5f60003 "$tenantB" '"a-bare-string"'
} >"$work/plain.jsonl"
printf '%s\n' '{"apiKey":"sk-docs-0001"}' '{"n":2,"token":"tok-docs-0002"}' '"a-bare-string"' \
  >"$work/want.txt"

# Service -> CLI: the sample binds; the runbook's gate opens every record under its own context.
"$sample" write <"$work/plain.jsonl" >"$work/service.jsonl"
[ "$(grep -c '"ctx":\["collection","field","id","tenant"\]' "$work/service.jsonl")" = 3 ] ||
  fail "the README sample did not bind every record"
"$cli" audit --verify --expect-only v1 --expect-bound "${ctx[@]}" "$work/service.jsonl" \
  >"$work/audit.out" 2>"$work/audit.err" || fail "the CLI does not open what the sample bound: $(cat "$work/audit.err")"

# CLI -> service: the runbook's binding rewrap (documents format: the same binding as updates).
"$cli" rewrap "${ctx[@]}" "$work/plain.jsonl" -o "$work/cli.jsonl" 2>"$work/rewrap.err" ||
  fail "rewrap: $(cat "$work/rewrap.err")"
grep -q '  newly bound               3' "$work/rewrap.err" || fail "rewrap bound nothing: $(cat "$work/rewrap.err")"
"$sample" read <"$work/cli.jsonl" >"$work/read.txt" || fail "the sample does not open what the CLI bound: $(cat "$work/read.txt")"
diff "$work/want.txt" "$work/read.txt" >&2 || fail "the sample read other plaintexts"
"$sample" read <"$work/service.jsonl" | diff "$work/want.txt" - >&2 || fail "the sample's own round trip"

# Bound for real: record 1's envelope copied into record 3 (tenant B) opens on neither side.
env1=$(sed -n 1p "$work/cli.jsonl" | sed -E 's/.*"credentials"://; s/\}$//')
{ sed -n 1,2p "$work/cli.jsonl"; record 6650f0c2a1b2c3d4e5f60003 "$tenantB" "$env1"; } >"$work/swapped.jsonl"
if "$sample" read <"$work/swapped.jsonl" >"$work/swap.txt"; then fail "a swapped envelope opened in the sample"; fi
[ "$(sed -n 3p "$work/swap.txt")" = "error kAuthentication" ] || fail "swap: $(sed -n 3p "$work/swap.txt")"
set +e
"$cli" audit --verify "${ctx[@]}" "$work/swapped.jsonl" >/dev/null 2>&1
code=$?
set -e
[ "$code" = 1 ] || fail "audit --verify passed a swapped envelope (exit $code)"
echo "OK: README's sample and ROTATION.md's commands bind and open the same records"
