#!/usr/bin/env bash
# A Docker daemon for the e2e only: its own data root, exec root, socket and pid file, so it never
# touches a daemon a user already runs. Started and stopped by its pid.
#   tools/e2e/dockerd.sh start   # prints nothing; the socket is $NEXORA_E2E_DOCKER_SOCK
#   tools/e2e/dockerd.sh stop
# Images are kept in the data root between runs (a cache outside the clone); containers, volumes
# and networks a run leaves are removed by the e2e before it starts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${NEXORA_E2E_CACHE:-/var/cache/nexora-e2e}"
run="${NEXORA_E2E_RUN:-/run/nexora-e2e}"
sock="$run/docker.sock"
pidfile="$run/dockerd.pid"

alive() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "${1:-}" in
start)
    if alive; then echo "test dockerd already running (pid $(cat "$pidfile"))" >&2; exit 0; fi
    command -v dockerd >/dev/null || { echo "dockerd not installed (apt-get install docker.io)" >&2; exit 1; }
    mkdir -p "$cache/docker" "$run/exec"
    rm -f "$sock" "$pidfile"
    # The daemon's own defaults are set as a production host might set them (extra json-file
    # options): the program must not drift from them (see tools/e2e/daemon.json).
    nohup dockerd \
        --data-root "$cache/docker" \
        --exec-root "$run/exec" \
        --pidfile "$pidfile" \
        -H "unix://$sock" \
        --config-file "$here/daemon.json" \
        >"$run/dockerd.log" 2>&1 &
    for _ in $(seq 1 120); do
        if [ -S "$sock" ] && DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1; then exit 0; fi
        sleep 0.5
    done
    echo "test dockerd did not come up; its log:" >&2
    tail -50 "$run/dockerd.log" >&2
    exit 1
    ;;
stop)
    if ! alive; then exit 0; fi
    pid="$(cat "$pidfile")"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
