#!/usr/bin/env bash
# Runs a throwaway schema registry (Apicurio Registry, in-memory storage) for exactly as long as its
# owner lives, as infra/kafka/run-broker.sh does for the broker.
#   run-registry.sh <owner-pid> <work-dir> <java command...>
# The owner (the test run or `npm run dev`) may end cleanly, be interrupted with Ctrl-C, or be
# killed with SIGKILL; in every case the registry JVM is stopped and its work directory removed, so
# no orphan JVM survives it. The JVM runs in the work directory (whatever it writes stays there);
# its output goes to <work-dir>/registry.log and its pid to <work-dir>/registry.pid.
set -u
owner=$1
workdir=$2
shift 2

cd "$workdir" || exit 1
"$@" >>"$workdir/registry.log" 2>&1 &
registry=$!
echo "$registry" >"$workdir/registry.pid"

cleanup() {
  trap - TERM INT HUP EXIT
  if kill -0 "$registry" 2>/dev/null; then
    # Its storage is in memory and thrown away: nothing to flush, stop at once.
    kill -KILL "$registry" 2>/dev/null
    wait "$registry" 2>/dev/null
  fi
  cd / && rm -rf "$workdir"
}
trap 'cleanup; exit 0' TERM INT HUP
trap cleanup EXIT

while kill -0 "$owner" 2>/dev/null && kill -0 "$registry" 2>/dev/null; do
  sleep 0.5
done
if ! kill -0 "$registry" 2>/dev/null; then
  wait "$registry"
  code=$?
  # Keep the log for the owner to show; remove the rest.
  cp "$workdir/registry.log" "$workdir.log" 2>/dev/null
  echo "schema registry exited with code $code; log kept at $workdir.log" >&2
fi
exit 0
