# shellcheck shell=bash
# Shared by start.sh and stop.sh (sourced, not run): instance settings, daemon bookkeeping, teardown.
#
# Settings (env):
#   LOCAL_S3_PORT           radosgw HTTP port on 127.0.0.1     (default 7480)
#   LOCAL_S3_MON_PORT       ceph-mon msgr2 port                 (default LOCAL_S3_PORT + 10000)
#   LOCAL_S3_DIR            state dir: config, keys, logs, pids (default ${TMPDIR:-/tmp}/strongroom-local-s3-<port>)
#   LOCAL_S3_MEMSTORE_BYTES RAM cap of the in-memory OSD        (default 4 GiB)
#   LOCAL_S3_TIMEOUT        seconds to wait for each step       (default 60)

LOCAL_S3_PORT=${LOCAL_S3_PORT:-7480}
if ! [[ $LOCAL_S3_PORT =~ ^[0-9]{4,5}$ ]]; then
  echo "local-s3: LOCAL_S3_PORT must be a port number, got '$LOCAL_S3_PORT'" >&2
  exit 2
fi
# Derived from the RGW port so that two instances on different RGW ports never share a mon port;
# kept below the Linux ephemeral range (32768+) so an outgoing connection cannot hold it.
LOCAL_S3_MON_PORT=${LOCAL_S3_MON_PORT:-$((LOCAL_S3_PORT + 10000))}
LOCAL_S3_DIR=${LOCAL_S3_DIR:-${TMPDIR:-/tmp}/strongroom-local-s3-$LOCAL_S3_PORT}
LOCAL_S3_DIR=${LOCAL_S3_DIR%/}
CONF=$LOCAL_S3_DIR/ceph.conf
# Written into every state dir we create: teardown deletes only directories that carry it.
MARKER=$LOCAL_S3_DIR/.strongroom-local-s3
DAEMONS=(client.rgw.a osd.0 mon.a)

# A daemon counts as ours when its PID file names a live (non-zombie) process whose name is a ceph
# daemon and whose command line names our ceph.conf: a reused PID or another instance's daemon fails this.
daemon_pid() {
  local pf=$LOCAL_S3_DIR/run/$1.pid pid comm state cmdline
  [[ -f $pf ]] || return 1
  pid=$(<"$pf")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  case $comm in ceph-mon | ceph-osd | radosgw) ;; *) return 1 ;; esac
  # field 3 of /proc/PID/stat is the state; the name in field 2 cannot contain ') ' for these daemons
  state=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *" $CONF "* ]] || return 1
  echo "$pid"
}

# Last lines of every log that can explain a failure, for error messages.
log_tails() {
  local f
  for f in "$LOCAL_S3_DIR"/log/{setup,daemons,mon.a,osd.0,client.rgw.a}.log; do
    [[ -s $f ]] || continue
    echo "--- tail of $f"
    tail -n "${1:-10}" "$f" | cut -c1-300
  done
}

# Kill our daemons (the state is disposable: memstore keeps data in RAM), then delete the state dir
# unless keep_data=1. Returns non-zero if a daemon survives.
teardown() {
  local keep_data=${1:-0} name pid i rc=0
  for name in "${DAEMONS[@]}"; do
    if pid=$(daemon_pid "$name"); then
      kill -KILL "$pid" 2>/dev/null || true
      # a killed daemon stays a zombie until its parent (init) reaps it: daemon_pid ignores zombies
      for ((i = 0; i < 50; i++)); do daemon_pid "$name" >/dev/null || break; sleep 0.05; done
      if daemon_pid "$name" >/dev/null; then
        echo "local-s3: could not kill $name (pid $pid)" >&2
        rc=1
        continue
      fi
    fi
    rm -f "$LOCAL_S3_DIR/run/$name.pid"
  done
  if [[ $keep_data != 1 && $rc == 0 && -f $MARKER ]]; then rm -rf "$LOCAL_S3_DIR"; fi
  return "$rc"
}

# One start or stop at a time per state dir. The lock file sits beside the dir so it survives its deletion;
# daemons are started with 9>&- so they do not inherit (and keep holding) it.
take_lock() {
  local lock=$LOCAL_S3_DIR.lock
  mkdir -p "$(dirname "$LOCAL_S3_DIR")"
  [[ -e $lock ]] || : >"$lock"
  # opened read-only: flock needs no write access, so another user's lock file works too
  exec 9<"$lock" || {
    echo "local-s3: cannot open $lock" >&2
    exit 1
  }
  flock -w "${LOCAL_S3_TIMEOUT:-60}" 9 || {
    echo "local-s3: another start/stop holds $LOCAL_S3_DIR.lock" >&2
    exit 1
  }
}
