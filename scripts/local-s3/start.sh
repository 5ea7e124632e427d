#!/usr/bin/env bash
# Start a throwaway single-host Ceph cluster serving S3 on 127.0.0.1 for tests, the demo and benchmarks:
# 1 mon, 1 OSD on memstore (data in RAM, gone on stop), no mgr, radosgw (beast) with STS and IAM.
# Two tenants stand in for two AWS accounts, `primary` and `backup`, each with an `admin` user.
#
# Idempotent: a healthy instance in the state dir just re-prints its env; a stale or partial one is rebuilt.
# stdout: only KEY=VALUE lines (eval-able, or a dotenv file). stderr: progress, and on failure the log tails.
# Settings: see lib.sh (LOCAL_S3_PORT, LOCAL_S3_DIR, ...). Stop with stop.sh and the same settings.
#   start.sh --print-env   print the env of a healthy running instance, or exit 3 without starting one
set -euo pipefail
PRINT_ENV_ONLY=0
case ${1:-} in
  '') ;;
  --print-env) PRINT_ENV_ONLY=1 ;;
  *) echo "usage: $0 [--print-env]" >&2 && exit 2 ;;
esac

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

MEMSTORE_BYTES=${LOCAL_S3_MEMSTORE_BYTES:-4294967296}
TIMEOUT=${LOCAL_S3_TIMEOUT:-60}
ENDPOINT=http://127.0.0.1:$LOCAL_S3_PORT
DIR=$LOCAL_S3_DIR
T0=$EPOCHREALTIME

# Fixed keys, for tests only: the cluster listens on 127.0.0.1 and lives in a temp dir.
PRIMARY_TENANT=primary PRIMARY_UID=admin
PRIMARY_AK=LOCALS3PRIMARYADMIN1 PRIMARY_SK=local-s3-primary-admin-secret-test-only01
BACKUP_TENANT=backup BACKUP_UID=admin
BACKUP_AK=LOCALS3BACKUPADMIN01 BACKUP_SK=local-s3-backup-admin-secret-test-only001
# Signs STS session tokens; RGW needs exactly 16 characters (an AES-128 key).
STS_KEY=localS3StsKey016
# The provisioner creates IAM roles (roles) and may attach inline user policies (user-policy) via the IAM API.
ADMIN_CAPS='roles=*;user-policy=*'
PACKAGES=(radosgw ceph-mon ceph-osd curl)

log() {
  local now=$EPOCHREALTIME
  # EPOCHREALTIME has 6 decimals, and the locale's decimal separator
  local ms=$((10#${now/[.,]/} / 1000 - 10#${T0/[.,]/} / 1000))
  printf '[local-s3 %d.%02ds] %s\n' $((ms / 1000)) $((ms % 1000 / 10)) "$*" >&2
}

CREATED=0 # set once we own a fresh state dir: a failure then stops our daemons and keeps the logs
die() {
  echo "local-s3: ERROR: $*" >&2
  if [[ $CREATED == 1 ]]; then
    log_tails 12 >&2
    teardown 1 >&2 || true
    echo "local-s3: daemons stopped, logs kept in $DIR/log (the next start rebuilds from scratch)" >&2
  fi
  exit 1
}

print_env() {
  cat <<ENV
S3_ENDPOINT=$ENDPOINT
AWS_REGION=us-east-1
CEPH_CONF=$CONF
LOCAL_S3_DIR=$DIR
LOCAL_S3_PORT=$LOCAL_S3_PORT
LOCAL_S3_MON_PORT=$LOCAL_S3_MON_PORT
LOCAL_S3_PRIMARY_TENANT=$PRIMARY_TENANT
LOCAL_S3_PRIMARY_USER=$PRIMARY_UID
LOCAL_S3_PRIMARY_ACCESS_KEY_ID=$PRIMARY_AK
LOCAL_S3_PRIMARY_SECRET_ACCESS_KEY=$PRIMARY_SK
LOCAL_S3_BACKUP_TENANT=$BACKUP_TENANT
LOCAL_S3_BACKUP_USER=$BACKUP_UID
LOCAL_S3_BACKUP_ACCESS_KEY_ID=$BACKUP_AK
LOCAL_S3_BACKUP_SECRET_ACCESS_KEY=$BACKUP_SK
ENV
}

# ---- packages -----------------------------------------------------------------------------------------------
missing_binaries() {
  local b
  for b in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool curl flock; do
    command -v "$b" >/dev/null || echo "$b"
  done
}
if [[ $PRINT_ENV_ONLY == 0 && -n $(missing_binaries) ]]; then
  install_cmd="apt-get install -y --no-install-recommends ${PACKAGES[*]}"
  if [[ $(id -u) != 0 ]]; then
    die "missing $(missing_binaries | tr '\n' ' ')- install the Ceph packages first: sudo $install_cmd"
  fi
  log "installing ${PACKAGES[*]} (missing: $(missing_binaries | tr '\n' ' '))"
  export DEBIAN_FRONTEND=noninteractive
  # a fresh machine may have no package lists yet: update once and retry
  $install_cmd >&2 || { apt-get update >&2 && $install_cmd >&2; } || die "$install_cmd failed"
  [[ -z $(missing_binaries) ]] || die "still missing after install: $(missing_binaries | tr '\n' ' ')"
fi

for p in "$LOCAL_S3_PORT" "$LOCAL_S3_MON_PORT"; do
  if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1024 || p > 65535)); then die "port '$p' is not a number in 1024-65535"; fi
  # ceph-osd binds the first free ports from 6800 up to 7300 (ms bind port min/max)
  ((p < 6800 || p > 7300)) || die "port $p is in 6800-7300, which ceph-osd daemons take for themselves"
done

if [[ $PRINT_ENV_ONLY == 0 ]]; then take_lock; fi

# ---- idempotency ---------------------------------------------------------------------------------------------
all_running() {
  local name
  for name in "${DAEMONS[@]}"; do daemon_pid "$name" >/dev/null || return 1; done
}
# retries: a busy but healthy instance must not be mistaken for a broken one and rebuilt (losing its data)
if [[ -f $DIR/READY ]] && all_running && curl -fsS -o /dev/null --max-time 5 --retry 2 --retry-all-errors "$ENDPOINT/"; then
  log "already running in $DIR"
  print_env
  exit 0
fi
if [[ $PRINT_ENV_ONLY == 1 ]]; then
  echo "local-s3: no healthy instance in $DIR (start one with $HERE/start.sh)" >&2
  exit 3
fi
if [[ -e $DIR ]]; then
  [[ -f $MARKER ]] || die "$DIR exists but was not made by this script: remove it or set LOCAL_S3_DIR"
  log "stale or partial instance in $DIR: rebuilding"
  teardown 0 >&2 || die "could not stop the stale instance in $DIR"
  rm -rf "$DIR"
fi

# Fail clearly here rather than with a confusing daemon log.
for p in "$LOCAL_S3_PORT" "$LOCAL_S3_MON_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    die "port $p on 127.0.0.1 is already in use (another instance? set LOCAL_S3_PORT)"
  fi
done

mkdir -p "$DIR"/{run,log,mon/ceph-a,osd/ceph-0,rgw}
touch "$MARKER"
CREATED=1
FSID=$(</proc/sys/kernel/random/uuid)
OSD_UUID=$(</proc/sys/kernel/random/uuid)

cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$LOCAL_S3_MON_PORT]
mon initial members = a
public network = 127.0.0.0/8
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $DIR/keyring
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
log to stderr = false
err to stderr = true
crash dir = $DIR/crash
# one OSD holds the single replica of everything
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
osd crush chooseleaf type = 0
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
# fast paxos commits: every pool create and the OSD boot otherwise wait ~1 s each (start 13 s -> 2 s)
paxos propose interval = 0.05
paxos min wait = 0.01
mon warn on insecure global id reclaim = false
mon warn on insecure global id reclaim allowed = false

[mon]
mon data = $DIR/mon/ceph-\$id
mon cluster log file = $DIR/log/cluster.log

[osd]
osd data = $DIR/osd/ceph-\$id
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
osd scrub min interval = 31536000
osd scrub max interval = 31536000
osd deep scrub interval = 31536000

[client.rgw.a]
# tcp_nodelay: without it every GET/LIST waits ~45 ms on delayed ACKs
rgw frontends = beast endpoint=127.0.0.1:$LOCAL_S3_PORT tcp_nodelay=1
rgw data = $DIR/rgw
rgw thread pool size = 64
rgw enable apis = s3, admin, sts, iam
rgw s3 auth use sts = true
rgw sts key = $STS_KEY
CONF

# ---- keys and monitor ------------------------------------------------------------------------------------------
log "creating keys and the monitor in $DIR"
setup_log=$DIR/log/setup.log
daemon_log=$DIR/log/daemons.log
authtool() { ceph-authtool "$@" >>"$setup_log" 2>&1 || die "ceph-authtool $* failed"; }
# All entities go into the mon's initial auth database at mkfs, which saves a mon round trip for each.
authtool --create-keyring "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *'
authtool "$DIR/keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd'
authtool "$DIR/keyring" --gen-key -n client.rgw.a --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw'
authtool --create-keyring "$DIR/mon.keyring" --gen-key -n mon. --cap mon 'allow *'
authtool "$DIR/mon.keyring" --import-keyring "$DIR/keyring"
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$LOCAL_S3_MON_PORT]" "$DIR/monmap" >>"$setup_log" 2>&1 ||
  die "monmaptool failed"
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/mon.keyring" >>"$setup_log" 2>&1 || die "ceph-mon --mkfs failed"
# --no-mon-config: the OSD's mkfs needs nothing from the mon, so it can run before the mon is up
ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" --no-mon-config >>"$setup_log" 2>&1 || die "ceph-osd --mkfs failed"
log "starting ceph-mon on port $LOCAL_S3_MON_PORT"
# the daemons fork into the background; their early errors land in daemons.log
ceph-mon -c "$CONF" -i a </dev/null >>"$daemon_log" 2>&1 9>&- || die "ceph-mon failed to start"

cephc() { timeout "$TIMEOUT" ceph -c "$CONF" --connect-timeout "$TIMEOUT" "$@" 2>>"$setup_log"; }
[[ $(cephc osd new "$OSD_UUID") == 0 ]] || die "ceph osd new did not create osd.0"
log "starting ceph-osd (memstore, $MEMSTORE_BYTES bytes)"
ceph-osd -c "$CONF" -i 0 </dev/null >>"$daemon_log" 2>&1 9>&- || die "ceph-osd failed to start"
# radosgw waits by itself for the OSD to come up before it creates its pools
log "starting radosgw on $ENDPOINT"
radosgw -c "$CONF" -n client.rgw.a </dev/null >>"$daemon_log" 2>&1 9>&- || die "radosgw failed to start"

# A daemon that was seen running and is gone has failed; one that never wrote its PID file gets 5 s.
declare -A seen=()
deadline=$((SECONDS + TIMEOUT))
until curl -fsS -o /dev/null --max-time 2 "$ENDPOINT/" 2>/dev/null; do
  ((SECONDS < deadline)) || die "radosgw did not answer on $ENDPOINT within ${TIMEOUT}s"
  for name in "${DAEMONS[@]}"; do
    if daemon_pid "$name" >/dev/null; then
      seen[$name]=1
    elif [[ -n ${seen[$name]:-} ]] || ((SECONDS > deadline - TIMEOUT + 5)); then
      die "$name exited during startup"
    fi
  done
  sleep 0.05
done
log "radosgw answering"

# ---- tenants --------------------------------------------------------------------------------------------------
rgwadmin() { timeout "$TIMEOUT" radosgw-admin -c "$CONF" "$@" >>"$setup_log" 2>&1; }
rgwadmin user create --tenant "$PRIMARY_TENANT" --uid "$PRIMARY_UID" --display-name "primary account admin" \
  --access-key "$PRIMARY_AK" --secret-key "$PRIMARY_SK" --caps "$ADMIN_CAPS" &
p1=$!
rgwadmin user create --tenant "$BACKUP_TENANT" --uid "$BACKUP_UID" --display-name "backup account admin" \
  --access-key "$BACKUP_AK" --secret-key "$BACKUP_SK" --caps "$ADMIN_CAPS" &
p2=$!
wait "$p1" || die "radosgw-admin user create $PRIMARY_TENANT\$$PRIMARY_UID failed"
wait "$p2" || die "radosgw-admin user create $BACKUP_TENANT\$$BACKUP_UID failed"

# Proof that S3 auth works end to end: a SigV4-signed ListBuckets per tenant (curl does not add the
# x-amz-content-sha256 header that RGW requires with SigV4, so send the empty-body hash).
for creds in "$PRIMARY_AK:$PRIMARY_SK" "$BACKUP_AK:$BACKUP_SK"; do
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 --aws-sigv4 'aws:amz:us-east-1:s3' \
    -H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
    --user "$creds" "$ENDPOINT/") || true
  [[ $code == 200 ]] || die "signed ListBuckets as ${creds%%:*} returned HTTP $code"
done

touch "$DIR/READY"
log "ready"
print_env
