#!/usr/bin/env bash
# `npm run e2e`: the platform on a real engine. Builds (or takes from its cache) the Pulumi
# engine of tools/engine, starts a Docker daemon and a frps relay of its own, builds the
# stand-in images, then runs the scenario in tests/e2e with vitest. Everything it starts is
# stopped by pid on exit. Needs root (dockerd, network namespace) and the Debian packages
# docker.io, debootstrap and iproute2 (.ci/run installs them).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export NEXORA_E2E_RUN="${NEXORA_E2E_RUN:-/run/nexora-e2e}"
export NEXORA_E2E_RELAY_NS="${NEXORA_E2E_RELAY_NS:-nexora-e2e-relay}"

# One e2e at a time on a machine: runs share the daemon's image cache, the relay's veth names and
# addresses, and the run directory. A second run waits for the first instead of breaking it.
mkdir -p "$NEXORA_E2E_RUN"
exec 9>"${NEXORA_E2E_LOCK:-/run/nexora-e2e.lock}"
if ! flock -n 9; then
    echo "e2e: another e2e run holds the lock; waiting for it" >&2
    flock 9
fi
# The figures of this run only (tests/e2e/figures.ts).
rm -f "$NEXORA_E2E_RUN/figures.json"

t0=$(date +%s)
engine_bin="$(bash tools/engine/build.sh | tail -1)"
echo "e2e: engine ready in $(($(date +%s) - t0)) s: $engine_bin" >&2
export PATH="$engine_bin:$PATH"

cleanup() {
    bash tools/e2e/relay.sh stop || true
    bash tools/e2e/dockerd.sh stop || true
}
trap cleanup EXIT

t1=$(date +%s)
# The daemons are started without the lock's descriptor: a daemon left behind must not hold it.
bash tools/e2e/dockerd.sh start 9>&-
export NEXORA_E2E_DOCKER_HOST="unix://$NEXORA_E2E_RUN/docker.sock"
# Leftovers of an interrupted run: the daemon is the e2e's own and its data root a cache of
# images only, so every container, volume and user network on it is a leftover (the e2e's
# stacks, and the Compose deployment the adoption scenario builds).
(
    export DOCKER_HOST="$NEXORA_E2E_DOCKER_HOST"
    ids="$(docker ps -aq)"
    [ -z "$ids" ] || docker rm -f $ids >/dev/null
    docker network ls -q --filter type=custom | xargs -r docker network rm >/dev/null
    docker volume ls -q | xargs -r docker volume rm >/dev/null
)
DOCKER_HOST="$NEXORA_E2E_DOCKER_HOST" bash tools/e2e/images.sh "$engine_bin"
echo "e2e: daemon and images ready in $(($(date +%s) - t1)) s" >&2

NEXORA_E2E_FRP_TOKEN="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export NEXORA_E2E_FRP_TOKEN
NEXORA_E2E_RELAY_ADDR="$(FRP_TOKEN="$NEXORA_E2E_FRP_TOKEN" bash tools/e2e/relay.sh start "$engine_bin" 9>&-)"
export NEXORA_E2E_RELAY_ADDR

npx vitest run --config vitest.e2e.config.mts "$@"
