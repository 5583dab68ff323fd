#!/usr/bin/env bash
# Runs a throwaway Kafka broker for exactly as long as its owner lives.
#   run-broker.sh <owner-pid> <data-dir> <java command...>
# The owner (the test run or `npm run dev`) may end cleanly, be interrupted with Ctrl-C, or be
# killed with SIGKILL; in every case the broker JVM is stopped and its data directory removed,
# so no orphan JVM and no stale data survive it. Node.js has no PR_SET_PDEATHSIG, hence this.
# With KEEP_DATA_ON_BROKER_EXIT=1 (the fault tests, which crash the broker and start it again on the
# same data), a broker that dies keeps its data; the owner's end, or SIGTERM, still removes it.
# The broker's pid is written to <data-dir>/broker.pid.
#
# A terminal's Ctrl-C signals its whole foreground process group: the owner, this script and the JVM.
# The owner decides when the broker stops (it drains first, and its drain needs the broker), so SIGINT
# is ignored here, and by the JVM, which inherits the disposition. The owner's end still stops it.
set -u
owner=$1
datadir=$2
shift 2
trap '' INT

"$@" >>"$datadir/broker.log" 2>&1 &
broker=$!
echo "$broker" >"$datadir/broker.pid"

cleanup() {
  # Nothing interrupts the cleanup once it runs: the owner's exit handler sends SIGTERM as well, and a
  # signal that ended this script between the kill and the rm left the data directory behind.
  trap '' TERM INT HUP
  trap - EXIT
  if kill -0 "$broker" 2>/dev/null; then
    # The data is thrown away, so there is nothing to flush: stop at once.
    kill -KILL "$broker" 2>/dev/null
    wait "$broker" 2>/dev/null
  fi
  if [ "${KEEP_DATA_ON_BROKER_EXIT:-0}" = 1 ] && kill -0 "$owner" 2>/dev/null && [ -z "${stopping:-}" ]; then
    return
  fi
  rm -rf "$datadir"
}
trap 'stopping=1; cleanup; exit 0' TERM HUP
trap cleanup EXIT

while kill -0 "$owner" 2>/dev/null && kill -0 "$broker" 2>/dev/null; do
  sleep 0.5
done
if ! kill -0 "$broker" 2>/dev/null; then
  wait "$broker"
  code=$?
  # Keep the log for the owner to show; remove the rest.
  cp "$datadir/broker.log" "$datadir.log" 2>/dev/null
  echo "kafka broker exited with code $code; log kept at $datadir.log" >&2
fi
exit 0
