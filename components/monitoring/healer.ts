/**
 * The healer: Docker restarts containers that exit, not ones that stay up but report unhealthy.
 * This small POSIX sh loop, run in the docker CLI image with the Docker socket, restarts such a
 * container at most `maxRestarts` times in a sliding window, then gives up and says so. While a
 * backup or restore holds the backup's lock it restarts nothing: the backup stops, pauses and
 * dumps stores and their consumers, and which ones change with every app (cycles take minutes). Every
 * action is logged and posted to the alert webhook. Hand-written: no packaged tool does bounded
 * restarts with a backup guard (autoheal-style images restart without bound).
 */

export interface HealerOptions {
    readonly stack: string;
    /** Restarts per container within the window before the healer gives up. 0 = only report. */
    readonly maxRestarts: number;
    readonly windowSeconds: number;
    /** Seconds between checks. */
    readonly intervalSeconds: number;
    /** The backup container and its lock file (inside it); absent when the stack has no backups. */
    readonly backup?: { readonly container: string; readonly lock: string };
    /** Containers never restarted (the backup itself: it is unhealthy when a snapshot is stale, which a restart does not fix). */
    readonly exclude: readonly string[];
    /** "slack": {"text": …} (Mattermost); "generic": {"text", "stack", "container", "action"}. */
    readonly format: "slack" | "generic";
}

const NAME = /^[a-z0-9][a-z0-9_.-]{0,127}$/;
const PATH = /^\/[A-Za-z0-9._/-]+$/;

function words(list: readonly string[], what: string): string {
    for (const n of list) if (!NAME.test(n)) throw new Error(`healer: ${what} ${JSON.stringify(n)} is not a Docker name`);
    return list.join(" ");
}

function int(n: number, what: string): string {
    if (!Number.isInteger(n) || n < 0) throw new Error(`healer: ${what} must be a whole number, got ${n}`);
    return String(n);
}

/** The healer script; every value is checked to be plain and is single-quoted anyway. */
export function renderHealScript(o: HealerOptions): string {
    if (!NAME.test(o.stack)) throw new Error(`healer: stack ${JSON.stringify(o.stack)} is not a plain name`);
    if (o.backup !== undefined && !PATH.test(o.backup.lock)) throw new Error("healer: backup lock path is not a plain absolute path");
    if (o.backup !== undefined) words([o.backup.container], "backup container");
    if (o.intervalSeconds < 1) throw new Error("healer: interval must be at least 1 s");
    return `#!/bin/sh
# nexora-heal (stack ${o.stack}): restarts unhealthy containers, bounded; rendered by components/monitoring/healer.ts.
#   nexora-heal serve   check every ${o.intervalSeconds} s (the container's command)
#   nexora-heal once    one check (tests, and by hand: docker exec nexora-${o.stack}-healer nexora-heal once)
set -u
STACK='${o.stack}'
MAX_RESTARTS='${int(o.maxRestarts, "maxRestarts")}'
WINDOW_SECONDS='${int(o.windowSeconds, "windowSeconds")}'
INTERVAL_SECONDS='${int(o.intervalSeconds, "intervalSeconds")}'
EXCLUDE='${words(o.exclude, "excluded container")}'
BACKUP_CONTAINER='${o.backup?.container ?? ""}'
BACKUP_LOCK='${o.backup?.lock ?? ""}'
FORMAT='${o.format}'
STATE=\${NEXORA_HEAL_STATE:-/var/lib/nexora-heal}
DOCKER=\${NEXORA_HEAL_DOCKER:-docker}

log() { printf '%s nexora-heal: %s\\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$*" >&2; }
json_escape() { printf '%s' "$1" | sed 's/\\\\/\\\\\\\\/g; s/"/\\\\"/g' | tr -d '\\000-\\037'; }
post() { # URL BODY: the URL may carry a token, so curl reads it from stdin, not its command line
    if command -v curl >/dev/null 2>&1; then
        printf 'url = "%s"\\n' "$1" | curl -fsS -m 20 -o /dev/null -K - -H 'Content-Type: application/json' --data-binary "$2"
    else
        wget -q -T 20 -O /dev/null --header 'Content-Type: application/json' --post-data "$2" "$1"
    fi
}
# notify ACTION CONTAINER TEXT: logged, and posted to the webhook when one is set.
notify() {
    text="Healer (stack $STACK): $3"
    log "$1 $2: $3"
    [ -n "\${NEXORA_HEAL_WEBHOOK:-}" ] || return 0
    if [ "$FORMAT" = generic ]; then
        body="{\\"text\\":\\"$(json_escape "$text")\\",\\"stack\\":\\"$STACK\\",\\"container\\":\\"$2\\",\\"action\\":\\"$1\\"}"
    else
        body="{\\"text\\":\\"$(json_escape "$text")\\"}"
    fi
    post "$NEXORA_HEAL_WEBHOOK" "$body" || log "the webhook did not accept the message"
}
contains() { # LIST WORD
    for w in $1; do [ "$w" = "$2" ] && return 0; done
    return 1
}
# The backup holds an exclusive flock on its lock file for a whole cycle or restore. It is looked
# up in /proc/locks by the lock file's inode, not tried: trying it would make a backup that starts
# at that instant give up. /proc/locks only lists locks of the reader's PID namespace, so it is
# read inside the backup container. Anything but a clear "free" counts as running.
backup_running() {
    [ -n "$BACKUP_CONTAINER" ] || return 1
    running=$("$DOCKER" inspect -f '{{.State.Running}}' "$BACKUP_CONTAINER" 2>/dev/null) || return 1
    [ "$running" = true ] || return 1
    state=$("$DOCKER" exec "$BACKUP_CONTAINER" sh -c '[ -e "$1" ] || { echo free; exit 0; }; i=$(stat -c %i "$1") || exit 1
        if grep -Eq "FLOCK .*:$i " /proc/locks; then echo held; else echo free; fi' sh "$BACKUP_LOCK" 2>/dev/null)
    [ "$state" != free ]
}
# Restart times of a container within the window (older ones dropped), one per line.
recent_restarts() {
    f="$STATE/$1.restarts"
    [ -f "$f" ] || return 0
    cutoff=$(($(date +%s) - WINDOW_SECONDS))
    awk -v c="$cutoff" '$1 > c' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
    cat "$f"
}

check_once() {
    mkdir -p "$STATE"
    unhealthy=$("$DOCKER" ps --filter "label=nexora.stack=$STACK" --filter health=unhealthy --format '{{.Names}}') || {
        log "docker ps failed"
        return 1
    }
    for c in $unhealthy; do
        contains "$EXCLUDE" "$c" && continue
        if backup_running; then
            if [ ! -f "$STATE/$c.deferred" ]; then
                : >"$STATE/$c.deferred"
                notify deferred "$c" "$c is unhealthy; not restarting it while a backup or restore runs"
            fi
            continue
        fi
        rm -f "$STATE/$c.deferred"
        n=$(recent_restarts "$c" | wc -l | tr -d ' ')
        if [ "$n" -ge "$MAX_RESTARTS" ]; then
            if [ ! -f "$STATE/$c.gave-up" ]; then
                : >"$STATE/$c.gave-up"
                notify gave-up "$c" "gave up on $c: still unhealthy after $n restarts in $((WINDOW_SECONDS / 60)) min; it needs a person (docker logs $c)"
            fi
            continue
        fi
        if "$DOCKER" restart "$c" >/dev/null 2>&1; then
            date +%s >>"$STATE/$c.restarts"
            notify restarted "$c" "restarted $c (unhealthy), restart $((n + 1)) of at most $MAX_RESTARTS in $((WINDOW_SECONDS / 60)) min"
        else
            notify restart-failed "$c" "could not restart $c (docker restart failed)"
        fi
    done
    # A container healthy again may be given up on again in a later outage, and says it recovered.
    for f in "$STATE"/*.gave-up; do
        [ -e "$f" ] || continue
        c=$(basename "$f" .gave-up)
        contains "$unhealthy" "$c" && continue
        rm -f "$f"
        notify recovered "$c" "$c is no longer unhealthy"
    done
    : >"$STATE/alive"
}

case "\${1:-serve}" in
serve)
    log "watching stack $STACK: at most $MAX_RESTARTS restarts per container in $WINDOW_SECONDS s, every $INTERVAL_SECONDS s"
    while :; do
        check_once || true
        sleep "$INTERVAL_SECONDS"
    done
    ;;
once) check_once ;;
*)
    echo "usage: nexora-heal serve | once" >&2
    exit 2
    ;;
esac
`;
}
