# shellcheck shell=bash disable=SC2154
# Sourced by tests/rotation/*.sh: a Kubernetes-style secret volume, rotation_service instances
# (tests/rotation/service.cc) and the gates of docs/ROTATION.md's "Rotation without restarts".
# The caller sets cli (connector-crypto) and svc (rotation_service) and calls rotation_setup.

rotation_setup() {
  work=$(mktemp -d)
  mount=$work/mount  # the secret volume the services read (kubelet's layout)
  db=$work/db        # the "collection": one record per file
  op=$work/op        # the operator's side: what rotate writes, one folder per Secret version
  mkdir -p "$mount" "$db" "$op"
  pids=()
  trap rotation_cleanup EXIT
}

rotation_cleanup() {
  local p
  touch "$db/stop" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

fail() {
  echo "${0##*/}: FAILED: $*" >&2
  local f
  for f in "$db"/*.status "$db"/*.log "$db"/*.out; do
    [ -e "$f" ] || continue
    echo "== $f" >&2
    tail -n 20 "$f" >&2
  done
  exit 1
}

# publish DIR: what the kubelet does when a Secret changes. The entries (DIR/keys.json,
# DIR/active-kid) are copied into a new timestamped folder, the ..data link is swapped to it by one
# rename, and the old folder is removed; keys.json and active-kid are links through ..data.
publish() {
  local ts old
  ts="..$(date +%Y_%m_%d_%H_%M_%S).$RANDOM$RANDOM"
  old=$(readlink "$mount/..data" 2>/dev/null || true)
  mkdir "$mount/$ts"
  cp "$1/keys.json" "$1/active-kid" "$mount/$ts/"
  ln -s "$ts" "$mount/..data_tmp"
  mv -T "$mount/..data_tmp" "$mount/..data"
  [ -L "$mount/keys.json" ] || ln -s ..data/keys.json "$mount/keys.json"
  [ -L "$mount/active-kid" ] || ln -s ..data/active-kid "$mount/active-kid"
  if [ -n "$old" ]; then rm -rf "${mount:?}/$old"; fi
}

# with_secret DIR command...: runs command configured by the Secret version in DIR, as an
# operator does with the Secret's content (nothing else of the environment's keys).
with_secret() {
  local dir=$1
  shift
  env -u CONNECTOR_CRED_KEY -u CONNECTOR_CRED_KID -u CONNECTOR_CRED_KEYS \
    -u CONNECTOR_CRED_ACTIVE_KID -u CONNECTOR_CRED_RELOAD_SECONDS \
    CONNECTOR_CRED_KEYS_FILE="$dir/keys.json" CONNECTOR_CRED_ACTIVE_KID_FILE="$dir/active-kid" "$@"
}

# F, the configuration fingerprint of the Secret version in DIR, as the runbook gets it (check's
# config_fingerprint line), checked against what a service holding it computes.
fingerprint_of() {
  local fp
  fp=$(with_secret "$1" "$cli" check | awk '$1 == "config_fingerprint" { print $2 }')
  [ "${#fp}" -eq 16 ] || fail "check printed no config_fingerprint for $1"
  [ "$(with_secret "$1" "$svc" --fingerprint)" = "$fp" ] ||
    fail "check's config_fingerprint differs from Keyring::configFingerprint() for $1"
  echo "$fp"
}

# The _id of slot SLOT of instance INDEX (0: the operator's records), as service.cc spells it.
oid_of() { printf '65a1b2c3d4e5f6%01d%09d' "$1" "$2"; }

# cold_records COUNT: records written before the rotation under the mounted Secret (with the CLI),
# that no service rewrites: only rewrap brings them to the new key.
cold_records() {
  local i envelope
  for ((i = 0; i < $1; i++)); do
    envelope=$(with_secret "$mount" "$cli" encrypt <<<"{\"token\":\"cold-$i\",\"user\":\"u$i\"}")
    printf '{"_id":{"$oid":"%s"},"name":"cold-%d","credentials":%s}\n' "$(oid_of 0 "$i")" "$i" \
      "$envelope" >"$db/$(oid_of 0 "$i").json"
  done
}

# start_service NAME INDEX INSTANCES SLOTS COLD [VAR=VALUE...]: a service instance reading the
# mounted Secret, in the background; its pid in pid_NAME.
start_service() {
  local name=$1 index=$2 instances=$3 slots=$4 cold=$5
  shift 5
  env -u CONNECTOR_CRED_KEY -u CONNECTOR_CRED_KID -u CONNECTOR_CRED_KEYS \
    -u CONNECTOR_CRED_ACTIVE_KID -u CONNECTOR_CRED_RELOAD_SECONDS \
    CONNECTOR_CRED_KEYS_FILE="$mount/keys.json" CONNECTOR_CRED_ACTIVE_KID_FILE="$mount/active-kid" \
    "$@" "$svc" "$db" "$name" "$index" "$instances" "$slots" "$cold" 2 >"$db/$name.out" 2>&1 &
  pids+=($!)
  printf -v "pid_$name" '%s' "$!"
}

# field NAME KEY: a figure of an instance's status file (empty until it exists).
field() { awk -v k="$2" '$1 == k { print $2 }' "$db/$1.status" 2>/dev/null || true; }

# wait_until SECONDS DESCRIPTION command...: polls command every 0.1 s.
wait_until() {
  local limit=$1 deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out after $limit s waiting for: $what"
    sleep 0.1
  done
}

# reports_fingerprint FP NAME...: every named instance reports FP.
reports_fingerprint() {
  local fp=$1 name
  shift
  for name in "$@"; do [ "$(field "$name" fingerprint)" = "$fp" ] || return 1; done
}

# served_since NAME WRITES READS N: the instance served N more writes and reads than given.
served_since() {
  [ "$(field "$1" writes)" -ge $(($2 + $4)) ] 2>/dev/null &&
    [ "$(field "$1" reads)" -ge $(($3 + $4)) ] 2>/dev/null
}

# keep_serving NAME...: each instance serves 40 more writes and 40 more reads.
keep_serving() {
  local name
  for name in "$@"; do
    wait_until 60 "$name serving" served_since "$name" "$(field "$name" writes)" \
      "$(field "$name" reads)" 40
  done
}

# still_running NAME...: each instance is the process started first (same pid, never exited).
still_running() {
  local name pid
  for name in "$@"; do
    pid=pid_$name
    kill -0 "${!pid}" 2>/dev/null || fail "$name (pid ${!pid}) is not running"
    [ "$(field "$name" pid)" = "${!pid}" ] || fail "$name reports pid $(field "$name" pid), started as ${!pid}"
  done
}

# export_db FILE: the collection as mongoexport writes it, one document per line.
export_db() { cat "$db"/65a1b2c3d4e5f6*.json >"$1"; }

# apply_updates FILE: applies rewrap --format updates lines as tools/apply-rewrap-updates.js does
# on a server: an update applies only while the record still holds the exported envelope (its
# filter pins _id and credentials.ct). Prints "<applied> <no longer matched>".
apply_updates() {
  local line oid ct file applied=0 missed=0
  while IFS= read -r line; do
    oid=$(jq -r '.filter._id["$oid"]' <<<"$line")
    ct=$(jq -r '.filter["credentials.ct"]' <<<"$line")
    file=$db/$oid.json
    if [ -f "$file" ] && [ "$(jq -r '.credentials.ct' "$file")" = "$ct" ]; then
      jq -c --argjson new "$(jq -c '.update["$set"].credentials' <<<"$line")" \
        '.credentials = $new' "$file" >"$file.op"
      mv "$file.op" "$file"
      applied=$((applied + 1))
    else
      missed=$((missed + 1))
    fi
  done <"$1"
  echo "$applied $missed"
}
