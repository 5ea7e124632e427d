#!/usr/bin/env bash
# Stop the local S3 started by start.sh (same LOCAL_S3_PORT / LOCAL_S3_DIR settings, or the state dir as $1)
# and delete its state. Signals only the daemons recorded in the state dir's PID files, after checking that
# each PID still is that daemon. SIGKILL: the data is in RAM and thrown away anyway, and it takes ~0.1 s
# where a graceful stop takes several seconds.
#   LOCAL_S3_KEEP_DATA=1  keep the state dir (logs, config) after stopping
set -euo pipefail
if [[ $# -gt 0 ]]; then LOCAL_S3_DIR=$1; fi
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

if [[ ! -e $LOCAL_S3_DIR ]]; then
  echo "local-s3: nothing to stop ($LOCAL_S3_DIR absent)" >&2
  exit 0
fi
if [[ ! -f $MARKER ]]; then
  echo "local-s3: $LOCAL_S3_DIR was not made by start.sh: not touching it" >&2
  exit 1
fi
take_lock
rm -f "$LOCAL_S3_DIR/READY"
if [[ ${LOCAL_S3_KEEP_DATA:-0} == 1 ]]; then
  teardown 1
  echo "local-s3: stopped (state kept in $LOCAL_S3_DIR)" >&2
else
  teardown 0
  echo "local-s3: stopped" >&2
fi
