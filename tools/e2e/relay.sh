#!/usr/bin/env bash
# The e2e's relay host: frps in a network namespace of its own on this machine, reached from
# the test daemon's containers over a veth pair, like fw-n2 is reached from claw-bot.
#   FRP_TOKEN=… tools/e2e/relay.sh start ENGINE_BIN_DIR   # prints the relay's address
#   tools/e2e/relay.sh stop
# Nothing leaves this machine: the namespace has no other interface and no route out.
set -euo pipefail
ns="${NEXORA_E2E_RELAY_NS:-nexora-e2e-relay}"
run="${NEXORA_E2E_RUN:-/run/nexora-e2e}"
host_if=nx-relay-host
relay_if=nx-relay
host_ip=10.203.0.1
relay_ip=10.203.0.2
pidfile="$run/frps.pid"

case "${1:-}" in
start)
    bin="${2:?usage: relay.sh start ENGINE_BIN_DIR}"
    : "${FRP_TOKEN:?FRP_TOKEN must be set}"
    mkdir -p "$run"
    "$0" stop
    ip netns add "$ns"
    ip link add "$host_if" type veth peer name "$relay_if"
    ip link set "$relay_if" netns "$ns"
    ip addr add "$host_ip/30" dev "$host_if"
    ip link set "$host_if" up
    ip -n "$ns" addr add "$relay_ip/30" dev "$relay_if"
    ip -n "$ns" link set "$relay_if" up
    ip -n "$ns" link set lo up
    # The relay's vhost ports are the real ones (80/443): the namespace has its own port space.
    umask 077
    cat >"$run/frps.toml" <<TOML
bindAddr = "0.0.0.0"
bindPort = 7000
vhostHTTPPort = 80
vhostHTTPSPort = 443
auth.method = "token"
auth.token = "$FRP_TOKEN"
log.to = "$run/frps.log"
log.level = "info"
TOML
    ip netns exec "$ns" "$bin/frps" -c "$run/frps.toml" >"$run/frps.out" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 50); do
        if ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/127.0.0.1/7000" 2>/dev/null; then echo "$relay_ip"; exit 0; fi
        sleep 0.2
    done
    echo "frps did not start:" >&2
    cat "$run/frps.out" >&2
    exit 1
    ;;
stop)
    if [ -f "$pidfile" ]; then
        pid="$(cat "$pidfile")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        rm -f "$pidfile"
    fi
    ip link del "$host_if" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    ;;
*)
    echo "usage: $0 start ENGINE_BIN_DIR | stop" >&2
    exit 2
    ;;
esac
