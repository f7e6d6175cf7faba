#!/usr/bin/env bash
# ctest: every output path of the real connector-crypto binary: each subcommand with standard
# output on /dev/full (exit 1, the loss named), -o refusals (exit 2, nothing touched), a SIGTERM
# during rewrap -o (no temporary file left), keygen/rotate env lines sourced by bash AND dash (the
# values round-trip, nothing executes), and error messages that carry the system's reason.
# usage: outputs.sh CONNECTOR_CRYPTO_BINARY
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "outputs: FAILED: $*" >&2; exit 1; }
expect_code() {  # expect_code CODE command...
  local want=$1; shift
  set +e; "$@"; local got=$?; set -e
  [ "$got" -eq "$want" ] || fail "exit $got, expected $want: $*"
}
command -v dash >/dev/null || fail "dash is not installed (tools/install-deps.sh installs it)"

key1=$("$bin" keygen)
export CONNECTOR_CRED_KEY=$key1 CONNECTOR_CRED_KID=v1
env1=$("$bin" encrypt <<<'{"token":"out-secret"}')
line="{\"_id\":1,\"credentials\":$env1}"
printf '%s\n' "$line" >"$work/export.jsonl"

# 1. Standard output on /dev/full: exit 1 and the loss named, for every subcommand.
full() {  # full NAME STDIN ARGS...
  local name=$1 input=$2; shift 2
  set +e; "$bin" "$@" <<<"$input" >/dev/full 2>"$work/full.err"; local got=$?; set -e
  [ "$got" -eq 1 ] || fail "$* >/dev/full exited $got"
  grep -qx "connector-crypto${name:+ $name}: cannot write standard output; the output is incomplete" \
    "$work/full.err" || fail "$* >/dev/full: $(cat "$work/full.err")"
}
full keygen "" keygen
full keygen "" keygen --format env --kid v9
full check "" check
full encrypt '{"token":"out-secret"}' encrypt
full decrypt "$env1" decrypt
full inspect "$env1" inspect
full rotate "" rotate --kid v2
full rotate "" rotate --kid v2 --format keys-file
full audit "$line" audit
full rewrap "$line" rewrap
full "" "" --version
full "" "" --help
[ "$("$bin" inspect <<<"$env1")" = '{"encrypted":true,"kid":"v1"}' ] || fail "inspect to a pipe"

# 2. -o refuses what is not a regular file, touching nothing.
for cmd in "rewrap $work/export.jsonl" "rotate --kid v2" "rotate --kid v2 --force" \
  "rotate --kid v2 --format keys-file"; do
  # shellcheck disable=SC2086
  expect_code 2 "$bin" $cmd -o /dev/null 2>"$work/o.err"
  grep -q '"/dev/null" exists and is not a regular file' "$work/o.err" || fail "$cmd -o /dev/null"
  [ -c /dev/null ] || fail "/dev/null replaced"
  ln -sf export.jsonl "$work/link.jsonl"
  # shellcheck disable=SC2086
  expect_code 2 "$bin" $cmd -o "$work/link.jsonl" 2>/dev/null
  [ -L "$work/link.jsonl" ] || fail "$cmd -o replaced a symlink"
  cmp -s "$work/export.jsonl" <(printf '%s\n' "$line") || fail "$cmd -o changed a symlink's target"
done
"$bin" rotate --kid v2 -o "$work/stage1.env" 2>/dev/null
expect_code 2 "$bin" rotate --kid v2 -o "$work/stage1.env" 2>/dev/null
[ "$(stat -c %a "$work/stage1.env")" = 600 ] || fail "rotate -o mode"

# A keys file (--format keys-file) is the secret a CONNECTOR_CRED_KEYS_FILE names: fed back to the
# binary it is the keyring of the env lines, fingerprints included; the active kid is on stderr.
"$bin" rotate --kid v2 --format keys-file -o "$work/keys.json" 2>"$work/keys.err"
[ "$(stat -c %a "$work/keys.json")" = 600 ] || fail "rotate --format keys-file -o mode"
[ "$(wc -l <"$work/keys.json")" = 1 ] || fail "a keys file is one line"
grep -qx "connector-crypto rotate: a keys file does not carry the active kid: set CONNECTOR_CRED_ACTIVE_KID=v1 beside CONNECTOR_CRED_KEYS_FILE on every service" \
  "$work/keys.err" || fail "rotate --format keys-file: no active-kid hint: $(cat "$work/keys.err")"
(
  unset CONNECTOR_CRED_KEY CONNECTOR_CRED_KID
  CONNECTOR_CRED_KEYS_FILE="$work/keys.json" CONNECTOR_CRED_ACTIVE_KID=v1 "$bin" check >"$work/file.check"
  CONNECTOR_CRED_KEYS="$(cat "$work/keys.json")" CONNECTOR_CRED_ACTIVE_KID=v1 "$bin" check >"$work/env.check"
  # Stage 2 from the keys file: the same map, written again.
  CONNECTOR_CRED_KEYS_FILE="$work/keys.json" CONNECTOR_CRED_ACTIVE_KID=v1 \
    "$bin" rotate --activate v2 --format keys-file -o "$work/keys2.json" 2>/dev/null
)
cmp -s "$work/file.check" "$work/env.check" || fail "the keys file and its env form differ"
grep -q '^kid v2 fingerprint ' "$work/file.check" || fail "check on the keys file: $(cat "$work/file.check")"
cmp -s "$work/keys.json" "$work/keys2.json" || fail "rotate --activate changed the keys file's map"

# 3. A signal while rewrap -o is writing (its input a FIFO held open): no temporary file is left,
# the run dies of the signal. Job control (set -m) so that a background job does not ignore SIGINT.
mkfifo "$work/fifo"
set -m
for sig in TERM INT HUP; do
  "$bin" rewrap "$work/fifo" -o "$work/out.jsonl" 2>/dev/null &
  pid=$!
  exec 3>"$work/fifo"
  printf '%s\n' "$line" >&3
  for _ in $(seq 100); do
    compgen -G "$work/.out.jsonl.tmp-*" >/dev/null && break
    sleep 0.05
  done
  compgen -G "$work/.out.jsonl.tmp-*" >/dev/null || fail "rewrap -o made no temporary file"
  kill -"$sig" "$pid"
  set +e; wait "$pid"; got=$?; set -e
  exec 3>&-
  [ "$got" -eq $((128 + $(kill -l "$sig"))) ] || fail "rewrap after SIG$sig exited $got"
  ! compgen -G "$work/.out.jsonl.tmp-*" >/dev/null || fail "SIG$sig left a temporary file"
  [ ! -e "$work/out.jsonl" ] || fail "SIG$sig created OUTPUT"
done
set +m

# 4. Env lines are POSIX sh: sourced by bash and dash, the values round-trip and nothing executes.
"$bin" keygen --format env --kid prod-2026.a_1 >"$work/keygen.env"
want_key=$(sed -n 's/^CONNECTOR_CRED_KEY=//p' "$work/keygen.env")
keys_json=$(sed -n "s/^CONNECTOR_CRED_KEYS='\(.*\)'\$/\1/p" "$work/stage1.env")
[ -n "$keys_json" ] || fail "stage1.env has no CONNECTOR_CRED_KEYS line"
for sh in bash dash; do
  got=$(env -i "$sh" -c 'set -a; . "$1"; printf "%s|%s" "$CONNECTOR_CRED_KEY" "$CONNECTOR_CRED_KID"' \
    _ "$work/keygen.env")
  [ "$got" = "$want_key|prod-2026.a_1" ] || fail "$sh reads keygen --format env as $got"
  got=$(env -i "$sh" -c 'set -a; . "$1"; printf "%s|%s" "$CONNECTOR_CRED_KEYS" "$CONNECTOR_CRED_ACTIVE_KID"' \
    _ "$work/stage1.env")
  [ "$got" = "$keys_json|v1" ] || fail "$sh reads rotate's lines as $got"
  # The sourced variables are a keyring a service loads.
  env -i PATH="$PATH" "$sh" -c 'set -a; . "$1"; exec "$2" check' _ "$work/stage1.env" "$bin" \
    >"$work/check.out"
  grep -qx 'active_kid v1' "$work/check.out" && grep -q '^kid v2 fingerprint' "$work/check.out" ||
    fail "$sh: check on the sourced rotate lines"
done
# A kid that would run a command is refused, by keygen and by rotate (as --kid or in the keyring).
pwned="$work/pwned"
expect_code 2 "$bin" keygen --format env --kid "v1;touch\${IFS}$pwned" >"$work/bad.env" 2>/dev/null
[ ! -s "$work/bad.env" ] || fail "keygen printed a line for a hostile kid"
expect_code 2 "$bin" rotate --kid "v2;touch\${IFS}$pwned" >"$work/bad.env" 2>/dev/null
(
  export CONNECTOR_CRED_KEYS="{\"v1;touch\${IFS}$pwned\":\"$key1\"}" CONNECTOR_CRED_ACTIVE_KID="v1;touch\${IFS}$pwned"
  unset CONNECTOR_CRED_KEY CONNECTOR_CRED_KID
  "$bin" check >/dev/null || fail "the hostile-kid keyring does not load"
  expect_code 2 "$bin" rotate --kid v2 >"$work/bad.env" 2>/dev/null
)
[ ! -s "$work/bad.env" ] || fail "rotate printed lines for a hostile kid"
[ ! -e "$pwned" ] || fail "a command ran"

# 5. Errors that say why.
expect_code 2 "$bin" audit "$work/nope.jsonl" 2>"$work/e.err"
grep -qx "connector-crypto audit: cannot open \"$work/nope.jsonl\" (No such file or directory)" \
  "$work/e.err" || fail "cannot open without the reason: $(cat "$work/e.err")"
expect_code 2 "$bin" encrypt "$work" 2>"$work/e.err"
grep -qx "connector-crypto encrypt: cannot read \"$work\" (Is a directory)" "$work/e.err" ||
  fail "a folder as input: $(cat "$work/e.err")"
printf '{"_id":1,"credentials":{"a":1}}\0{"b":2}\n' >"$work/nul.jsonl"
expect_code 1 "$bin" rewrap "$work/nul.jsonl" -o "$work/nul.out" 2>/dev/null
[ ! -e "$work/nul.out" ] || fail "rewrap wrote a NUL input"
expect_code 1 "$bin" audit "$work/nul.jsonl" >/dev/null 2>&1
printf '[%s,\n%s]\n' "$line" "$line" >"$work/array.json"
expect_code 1 "$bin" audit "$work/array.json" >/dev/null 2>"$work/e.err"
[ "$(grep -c 'reads one JSON document per line' "$work/e.err")" = 1 ] || fail "--jsonArray hint"
echo "outputs: ok"
