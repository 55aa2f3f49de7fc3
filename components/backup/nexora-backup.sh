#!/bin/sh
# nexora-backup: the backup container's one program (docs/backups.md).
#
#   nexora-backup serve                     run the schedule (the container's command)
#   nexora-backup cycle                     back up every store now, apply retention, report
#   nexora-backup status                    print the age of the last good snapshot per target and store
#   nexora-backup health                    exit 1 when the last cycle failed or a snapshot is too old
#   nexora-backup restore STORE [--snapshot ID] [--database NAME] [--target NAME] [--dry-run]
#
# Dumps run inside the store's own container (docker exec): pg_dump and mysqldump are always the
# server's own version, and no database password lives here. restic runs in the pinned restic
# image (docker run) with the same mounts as this container, so every path means the same in both.
# NEXORA_BACKUP_RUNTIME=local runs everything on this machine instead (the tests: restic, psql and
# mysql from PATH, stores reached through PG*/MYSQL_* variables, container operations only logged).
#
# Everything stack-specific comes from the manifest (rendered by components/backup/manifest.ts,
# every value shell-quoted). Secrets come only from the environment: RESTIC_PASSWORD,
# NEXORA_BACKUP_ALERT_WEBHOOK, NEXORA_BACKUP_HEARTBEAT_URL, and per off-host target
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or NEXORA_BACKUP_SSH_IDENTITY / NEXORA_BACKUP_SSH_KNOWN_HOSTS.
set -eu

MANIFEST=${NEXORA_BACKUP_MANIFEST:-/etc/nexora-backup/manifest.sh}
[ -r "$MANIFEST" ] || { echo "nexora-backup: manifest $MANIFEST not readable" >&2; exit 2; }
# shellcheck source=/dev/null
. "$MANIFEST"

RUNTIME=${NEXORA_BACKUP_RUNTIME:-docker}
SPOOL=${NEXORA_BACKUP_SPOOL:-/spool}
DATA=${NEXORA_BACKUP_DATA:-/data}
STATUS=$SPOOL/status
DOCKER=${NEXORA_BACKUP_DOCKER:-docker}
# Seconds a repository gets to answer the first request of a cycle or restore. An unreachable
# host otherwise holds the cycle for as long as restic and TCP retry (minutes).
CONNECT_TIMEOUT=${NEXORA_BACKUP_CONNECT_TIMEOUT:-20}
umask 077

log() { printf '%s nexora-backup: %s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$*" >&2; }
die() { code=$1; shift; printf 'nexora-backup: %s\n' "$*" >&2; exit "$code"; }
# Quotes one word for sh (values never reach a script unquoted).
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
# Indirect manifest lookup: var store postgres kind -> $store_postgres_kind.
var() { eval "printf '%s' \"\${$1_$2_$3-}\""; }
is_name() { printf '%s' "$1" | grep -Eq '^[a-z_][a-z0-9_-]{0,62}$'; }

# --- the stack's containers ------------------------------------------------------------------
# Runs SCRIPT with sh inside CONTAINER, stdin passed through.
in_container() {
    if [ "$RUNTIME" = local ]; then sh -c "$2"; else "$DOCKER" exec -i "$1" sh -c "$2"; fi
}
# stop/start/pause/unpause CONTAINER; a container that does not exist is skipped.
container_op() {
    if [ "$RUNTIME" = local ]; then
        echo "$1 $2" >>"${NEXORA_BACKUP_LOCAL_LOG:-/dev/null}"
        return 0
    fi
    if "$DOCKER" container inspect "$2" >/dev/null 2>&1; then
        "$DOCKER" "$1" "$2" >/dev/null
        return 0
    fi
    # A released service (a business app) runs as "<name>-<release id>" (docker/release.ts).
    for id in $("$DOCKER" ps -aq --filter "name=^/$2-[0-9a-f]{8}\$"); do "$DOCKER" "$1" "$id" >/dev/null; done
}

# --- restic -------------------------------------------------------------------------------------
# restic for one target: RESTIC_REPOSITORY from the manifest, credentials passed by name only.
restic_target() {
    target=$1
    shift
    repo=$(var target "$target" repository)
    if [ "$RUNTIME" = local ]; then
        if [ -n "${NEXORA_RESTIC_TIMEOUT:-}" ]; then
            RESTIC_REPOSITORY=$repo RESTIC_CACHE_DIR=$SPOOL/cache timeout "$NEXORA_RESTIC_TIMEOUT" restic "$@"
        else
            RESTIC_REPOSITORY=$repo RESTIC_CACHE_DIR=$SPOOL/cache restic "$@"
        fi
        return
    fi
    network=none
    [ "$(var target "$target" offhost)" = 1 ] && network=$EDGE_NETWORK
    # shellcheck disable=SC2086 # MOUNT_ARGS: volume names and paths, validated [a-z0-9_/.-].
    RESTIC_REPOSITORY=$repo "$DOCKER" run --rm -i --network "$network" --log-driver none \
        -e RESTIC_REPOSITORY -e RESTIC_PASSWORD -e RESTIC_CACHE_DIR=/spool/cache \
        -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e NEXORA_BACKUP_SSH_IDENTITY -e NEXORA_BACKUP_SSH_KNOWN_HOSTS -e NEXORA_RESTIC_TIMEOUT \
        $MOUNT_ARGS --entrypoint /bin/sh "$RESTIC_IMAGE" -c '
            if [ -n "${NEXORA_BACKUP_SSH_IDENTITY:-}" ]; then
                umask 077; mkdir -p /root/.ssh
                printf "%s\n" "$NEXORA_BACKUP_SSH_IDENTITY" >/root/.ssh/id_nexora
                printf "%s\n" "${NEXORA_BACKUP_SSH_KNOWN_HOSTS:-}" >/root/.ssh/known_hosts
                printf "Host *\n  IdentityFile /root/.ssh/id_nexora\n  StrictHostKeyChecking yes\n  BatchMode yes\n  ConnectTimeout 15\n" >/root/.ssh/config
            fi
            if [ -n "${NEXORA_RESTIC_TIMEOUT:-}" ]; then exec timeout "$NEXORA_RESTIC_TIMEOUT" restic "$@"; fi
            exec restic "$@"' restic "$@"
}

# Turns restic's failure output into one clear line (the caller adds what was not changed).
explain_restic() {
    if grep -qi 'wrong password' "$1"; then
        echo "the repository password is wrong (it is the stack output backupRepositoryPassword)"
    elif grep -Eqi 'repository does not exist|unable to open config file|Is there a repository' "$1"; then
        echo "there is no backup repository at that location"
    elif grep -Eqi 'ciphertext verification failed|invalid data returned|hash does not match|checksum|unexpected EOF|decrypt|corrupt|MAC' "$1"; then
        echo "the repository is damaged (restic could not authenticate its data): $(tail -n 1 "$1")"
    else
        echo "restic failed: $(grep -v '^$' "$1" | tail -n 2 | tr '\n' ' ')"
    fi
}

# The host of a restic repository location (s3:https://host/bucket, sftp:user@host:/path,
# rest:https://user@host:8000/, a local path), for messages.
repo_host() {
    case $1 in
    /*) echo "this Docker host (local path $1)" ;;
    *) printf '%s' "$1" | sed -E 's#^(s3|rest|swift|b2|azure|gs|rclone|sftp):##; s#^[a-z]+://##; s#^//##; s#^[^@/]*@##; s#[:/].*$##' ;;
    esac
}

# probe_target TARGET ERRFILE: the repository's first request, bounded by CONNECT_TIMEOUT.
# 0 readable; 1 restic answered with an error (in ERRFILE); 2 no answer in time (logged, naming
# the host and what to check).
probe_target() {
    probe_started=$(date +%s) rc=0
    NEXORA_RESTIC_TIMEOUT=$CONNECT_TIMEOUT restic_target "$1" cat config >/dev/null 2>"$2" || rc=$?
    [ $rc -eq 0 ] && return 0
    if [ $(($(date +%s) - probe_started)) -ge "$CONNECT_TIMEOUT" ]; then
        log "target $1: no answer from $(repo_host "$(var target "$1" repository)") within $CONNECT_TIMEOUT s: check that the host is up and reachable from the Docker host (DNS, firewall, its port), and the repository location $(q "$(var target "$1" repository)")"
        return 2
    fi
    return 1
}

# Creates the repository of TARGET when there is none (restic init refuses to overwrite one).
ensure_repo() {
    err=$(mktemp)
    rc=0
    probe_target "$1" "$err" || rc=$?
    if [ $rc -eq 0 ]; then rm -f "$err"; return 0; fi
    if [ $rc -eq 2 ]; then rm -f "$err"; return 1; fi
    if grep -Eqi 'wrong password' "$err"; then
        log "target $1: $(explain_restic "$err")"
        rm -f "$err"
        return 1
    fi
    rm -f "$err"
    # A local repository with keys but no config is damaged, not new: never initialize over it.
    repo=$(var target "$1" repository)
    if [ "$(var target "$1" offhost)" != 1 ] && [ -d "$repo/keys" ] && [ -n "$(ls -A "$repo/keys" 2>/dev/null)" ]; then
        log "target $1: the repository has keys but no readable config: damaged, not initializing over it"
        return 1
    fi
    log "target $1: initializing a new repository"
    restic_target "$1" init --repository-version 2 >/dev/null
}

# --- dumps ----------------------------------------------------------------------------------------
PG_LIST="psql -X -At -v ON_ERROR_STOP=1 -U postgres -d postgres -c \"SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate AND datname <> 'postgres' ORDER BY 1\""
MY_AUTH='MYSQL_PWD="${MYSQL_ROOT_PASSWORD:-}"; export MYSQL_PWD;'
MY_LIST="$MY_AUTH exec mysql -uroot --protocol=socket -N -B -e \"SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN ('mysql','information_schema','performance_schema','sys') ORDER BY 1\""

# dump STORE DIR: writes the store's dump files into DIR (a fresh directory).
dump_store() {
    store=$1 dir=$2
    kind=$(var store "$store" kind)
    container=$(var store "$store" container)
    case $kind in
    postgres)
        in_container "$container" "exec pg_dumpall -U postgres --roles-only" >"$dir/roles.sql" || return 1
        dbs=$(in_container "$container" "$PG_LIST") || return 1
        for db in $dbs; do
            is_name "$db" || { log "postgres: database name $(q "$db") is not supported"; return 1; }
            # Custom format, uncompressed: restic compresses, and unchanged tables then deduplicate.
            in_container "$container" "exec pg_dump -U postgres -Fc -Z0 -d $(q "$db")" >"$dir/$db.dump" || return 1
        done
        ;;
    mysql)
        dbs=$(in_container "$container" "$MY_LIST") || return 1
        for db in $dbs; do
            is_name "$db" || { log "mysql: database name $(q "$db") is not supported"; return 1; }
            # One consistent InnoDB snapshot per database while the apps keep writing; no dump date,
            # so an unchanged database gives the same bytes and restic stores nothing new.
            in_container "$container" "$MY_AUTH exec mysqldump -uroot --protocol=socket --single-transaction --quick --routines --triggers --events --hex-blob --skip-dump-date --databases $(q "$db")" >"$dir/$db.sql" || return 1
        done
        ;;
    gitlab)
        # GitLab's own backup (database, repositories, uploads, ...) under a fixed name, streamed out
        # and removed; gitlab-secrets.json is not part of it and is needed to restore it.
        in_container "$container" "gitlab-backup create BACKUP=nexora STRATEGY=copy GZIP_RSYNCABLE=yes CRON=1 >&2" || return 1
        in_container "$container" "cat /var/opt/gitlab/backups/nexora_gitlab_backup.tar && rm -f /var/opt/gitlab/backups/nexora_gitlab_backup.tar" >"$dir/nexora_gitlab_backup.tar" || return 1
        in_container "$container" "cat /etc/gitlab/gitlab-secrets.json" >"$dir/gitlab-secrets.json" || return 1
        in_container "$container" "cat /etc/gitlab/gitlab.rb" >"$dir/gitlab.rb" || return 1
        ;;
    *) die 2 "store $store: unknown kind $(q "$kind")" ;;
    esac
}

# Where a store's files are when restic reads them.
store_path() {
    case $(var store "$1" kind) in
    volume) printf '%s/%s' "$DATA" "$1" ;;
    *) printf '%s/dump/%s' "$SPOOL" "$1" ;;
    esac
}

# backup_store STORE: dump (or pause), then one snapshot per target. Prints nothing on stdout.
backup_store() {
    store=$1
    kind=$(var store "$store" kind)
    path=$(store_path "$store")
    if [ "$kind" != volume ]; then
        rm -rf "$path" && mkdir -p "$path" || return 1
        if ! dump_store "$store" "$path"; then
            log "$store: the dump failed"
            rm -rf "$path"
            return 1
        fi
    fi
    pause=$(var store "$store" pause)
    failed_targets=''
    for target in $TARGETS; do
        if [ -f "$STATUS/skip-$target" ]; then failed_targets="$failed_targets $target"; continue; fi
        out=$(mktemp)
        # A paused service writes nothing while restic reads its files: a crash-consistent copy.
        [ -n "$pause" ] && container_op pause "$pause"
        rc=0
        restic_target "$target" backup --json --quiet --host "$BACKUP_HOST" --tag "$store" "$path" >"$out" 2>"$out.err" || rc=$?
        [ -n "$pause" ] && container_op unpause "$pause"
        if [ $rc -eq 0 ]; then
            id=$(sed -n 's/.*"snapshot_id":"\([0-9a-f]*\)".*/\1/p' "$out" | tail -n 1)
            added=$(sed -n 's/.*"data_added":\([0-9]*\).*/\1/p' "$out" | tail -n 1)
            echo "$(date +%s) $id ${added:-0}" >"$STATUS/last-good.$target.$store"
            log "$store -> $target: snapshot ${id:-?} (+${added:-0} bytes)"
        else
            log "$store -> $target: $(explain_restic "$out.err")"
            failed_targets="$failed_targets $target"
        fi
        rm -f "$out" "$out.err"
    done
    # Dumps are in the repository now; they would only double the disk used.
    [ "$kind" != volume ] && rm -rf "$path"
    [ -z "$failed_targets" ]
}

# --- status, alerts ---------------------------------------------------------------------------------
json_escape() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | awk 'BEGIN{ORS=""} NR>1{print "\\n"} {print}'; }

http_post_json() { # URL BODY
    if command -v curl >/dev/null 2>&1; then
        # The URL may carry a token: give it to curl on stdin, not on its command line.
        printf 'url = "%s"\n' "$1" | curl -fsS -m 20 -o /dev/null -K - -H 'Content-Type: application/json' --data-binary "$2"
    else
        wget -q -T 20 -O /dev/null --header 'Content-Type: application/json' --post-data "$2" "$1"
    fi
}

http_get() {
    if command -v curl >/dev/null 2>&1; then printf 'url = "%s"\n' "$1" | curl -fsS -m 20 -o /dev/null -K -
    else wget -q -T 20 -O /dev/null "$1"; fi
}

alert() {
    text="Nexora backup of stack $NEXORA_STACK failed: $1"
    log "$text"
    [ -n "${NEXORA_BACKUP_ALERT_WEBHOOK:-}" ] || return 0
    http_post_json "$NEXORA_BACKUP_ALERT_WEBHOOK" "{\"text\":\"$(json_escape "$text")\",\"stack\":\"$NEXORA_STACK\"}" ||
        log "the alert webhook did not accept the alert"
}

# Writes status.json and metrics.prom (Prometheus text format) from the last-good files.
write_status() {
    now=$(date +%s)
    ok=true
    [ -f "$STATUS/last-cycle-failed" ] && ok=false
    metrics="# HELP nexora_backup_last_success_timestamp_seconds Time of the last good snapshot.
# TYPE nexora_backup_last_success_timestamp_seconds gauge
"
    entries=''
    for target in $TARGETS; do
        for store in $STORES; do
            f=$STATUS/last-good.$target.$store
            if [ -f "$f" ]; then
                read -r at id added <"$f"
                age=$((now - at))
            else
                at=0 id='' age=-1 added=0
            fi
            fresh=true
            if [ "$age" -lt 0 ] || [ "$age" -gt "$MAX_AGE_SECONDS" ]; then fresh=false; ok=false; fi
            metrics="${metrics}nexora_backup_last_success_timestamp_seconds{stack=\"$NEXORA_STACK\",target=\"$target\",store=\"$store\"} $at
"
            entries="$entries${entries:+,}{\"target\":\"$target\",\"store\":\"$store\",\"snapshot\":\"$id\",\"lastSuccess\":$at,\"ageSeconds\":$age,\"addedBytes\":${added:-0},\"fresh\":$fresh}"
        done
    done
    printf '%s' "$metrics" >"$STATUS/metrics.prom.tmp" && mv "$STATUS/metrics.prom.tmp" "$STATUS/metrics.prom"
    printf '{"stack":"%s","ok":%s,"maxAgeSeconds":%s,"checkedAt":%s,"stores":[%s]}\n' "$NEXORA_STACK" "$ok" "$MAX_AGE_SECONDS" "$now" "$entries" >"$STATUS/status.json.tmp"
    mv "$STATUS/status.json.tmp" "$STATUS/status.json"
    [ "$ok" = true ]
}

# --- the cycle --------------------------------------------------------------------------------------
with_lock() { # COMMAND...: one cycle or restore at a time
    mkdir -p "$SPOOL"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$SPOOL/.lock"
        flock -n 9 || die 4 "another backup or restore is running"
    fi
    "$@"
}

cycle() {
    mkdir -p "$STATUS"
    started=$(date +%s)
    failures=''
    for target in $TARGETS; do
        rm -f "$STATUS/skip-$target"
        if ! ensure_repo "$target"; then
            failures="$failures target:$target"
            : >"$STATUS/skip-$target"
        fi
    done
    n=0
    for store in $STORES; do
        n=$((n + 1))
        log "$store: backing up (store $n of $(echo $STORES | wc -w))"
        if ! backup_store "$store"; then failures="$failures $store"; fi
    done
    for target in $TARGETS; do
        [ -f "$STATUS/skip-$target" ] && continue
        err=$(mktemp)
        if ! restic_target "$target" forget --prune --quiet --group-by host,tags --host "$BACKUP_HOST" \
            --keep-daily "$KEEP_DAILY" --keep-weekly "$KEEP_WEEKLY" --keep-monthly "$KEEP_MONTHLY" >/dev/null 2>"$err"; then
            log "retention on $target: $(explain_restic "$err")"
            failures="$failures retention:$target"
        fi
        rm -f "$err"
    done
    if [ -n "$failures" ]; then : >"$STATUS/last-cycle-failed"; else rm -f "$STATUS/last-cycle-failed"; fi
    write_status || true
    log "cycle done in $(($(date +%s) - started)) s${failures:+, failed:$failures}"
    if [ -n "$failures" ]; then
        alert "${failures# } (see: docker logs nexora-$NEXORA_STACK-backup)"
        return 1
    fi
    if [ -n "${NEXORA_BACKUP_HEARTBEAT_URL:-}" ]; then http_get "$NEXORA_BACKUP_HEARTBEAT_URL" || log "heartbeat not accepted"; fi
}

status() {
    write_status >/dev/null || true
    cat "$STATUS/status.json"
}

health() {
    [ -d "$STATUS" ] || exit 0 # no cycle has run yet
    [ ! -f "$STATUS/last-cycle-failed" ] || { echo "the last backup cycle failed"; exit 1; }
    for f in "$STATUS"/last-good.*; do
        [ -f "$f" ] || exit 0
        read -r at _ <"$f"
        [ $(($(date +%s) - at)) -le "$MAX_AGE_SECONDS" ] || { echo "stale: ${f##*/last-good.}"; exit 1; }
    done
}

# cron_match "M H DOM MON DOW" minute hour dom month dow (numbers without leading zeros)
cron_match() {
    echo "$1" | awk -v m="$2" -v h="$3" -v d="$4" -v mo="$5" -v w="$6" '
        function field(spec, v, lo,   parts, n, i, a, step, r, ab) {
            n = split(spec, parts, ",")
            for (i = 1; i <= n; i++) {
                a = parts[i]; step = 1
                if (index(a, "/")) { split(a, r, "/"); a = r[1]; step = r[2] + 0 }
                if (a == "*") { if ((v - lo) % step == 0) return 1; continue }
                if (index(a, "-")) { split(a, ab, "-"); if (v >= ab[1] + 0 && v <= ab[2] + 0 && (v - ab[1]) % step == 0) return 1; continue }
                if (v == a + 0) return 1
            }
            return 0
        }
        { w2 = (w == 0) ? 7 : w
          dowok = field($5, w, 0) || field($5, w2, 0)
          dayok = ($3 == "*" || $5 == "*") ? (field($3, d, 1) && dowok) : (field($3, d, 1) || dowok)
          exit !(field($1, m, 0) && field($2, h, 0) && field($4, mo, 1) && dayok) }'
}

serve() {
    log "schedule $(q "$SCHEDULE") (UTC), targets: $TARGETS, stores: $STORES"
    mkdir -p "$STATUS"
    # PID 1 ignores SIGTERM unless trapped; sleeping in the background lets the trap run at once.
    trap 'exit 0' TERM INT
    while :; do
        now=$(date +%s)
        sleep $((60 - now % 60)) &
        wait $! || true
        # shellcheck disable=SC2046
        set -- $(date -u '+%M %H %d %m %w' | awk '{ for (i = 1; i <= NF; i++) printf "%d ", $i }')
        if cron_match "$SCHEDULE" "$@"; then
            (with_lock cycle) || true
        elif [ "$1" -eq 0 ] || [ $(($1 % 5)) -eq 0 ]; then
            write_status >/dev/null 2>&1 || true
        fi
    done
}

# --- restore ----------------------------------------------------------------------------------------
restore() {
    store='' snapshot=latest database='' target=${TARGETS%% *} dry=0
    while [ $# -gt 0 ]; do
        case $1 in
        --snapshot) snapshot=${2:?--snapshot needs an ID}; shift 2 ;;
        --database) database=${2:?--database needs a name}; shift 2 ;;
        --target) target=${2:?--target needs a name}; shift 2 ;;
        --dry-run) dry=1; shift ;;
        -*) die 2 "unknown option $1" ;;
        *) [ -z "$store" ] || die 2 "one store at a time"; store=$1; shift ;;
        esac
    done
    case " $STORES " in *" $store "*) ;; *) die 2 "unknown store $(q "$store"); this stack backs up: $STORES" ;; esac
    case " $TARGETS " in *" $target "*) ;; *) die 2 "unknown target $(q "$target"); targets: $TARGETS" ;; esac
    printf '%s' "$snapshot" | grep -Eq '^(latest|[0-9a-f]{8,64})$' || die 2 "--snapshot expects a snapshot ID (hex) or latest"
    kind=$(var store "$store" kind)
    [ -z "$database" ] || { [ "$kind" = postgres ] || [ "$kind" = mysql ]; } || die 2 "--database applies to postgres and mysql only"
    [ -z "$database" ] || is_name "$database" || die 2 "--database expects a database name"

    # 1. Read the snapshot list: an unreachable repository, a wrong password or a damaged one stops here.
    err=$(mktemp) list=$(mktemp)
    echo "reading the backups of $store on target $target ($(repo_host "$(var target "$target" repository)"))" >&2
    prc=0
    probe_target "$target" "$err" || prc=$?
    [ $prc -ne 2 ] || die 3 "the repository of target $target did not answer (see above). Nothing was changed."
    if [ "$snapshot" = latest ]; then
        restic_target "$target" snapshots --json --host "$BACKUP_HOST" --tag "$store" --latest 1 >"$list" 2>"$err" ||
            die 3 "cannot read the backups of $store on $target: $(explain_restic "$err"). Nothing was changed."
    else
        restic_target "$target" snapshots --json "$snapshot" >"$list" 2>"$err" ||
            die 3 "cannot read snapshot $snapshot on $target: $(explain_restic "$err"). Nothing was changed."
    fi
    id=$(grep -o '"id":"[0-9a-f]*"' "$list" | tail -n 1 | cut -d'"' -f4)
    at=$(grep -o '"time":"[^"]*"' "$list" | tail -n 1 | cut -d'"' -f4)
    [ -n "$id" ] || die 3 "no snapshot of $store on $target${snapshot:+ matching $snapshot}. Nothing was changed."
    grep -q "\"tags\":\[[^]]*\"$store\"" "$list" || die 3 "snapshot $snapshot is not a snapshot of $store. Nothing was changed."
    rm -f "$err" "$list"

    # 2. The plan.
    stop=''
    case $kind in
    postgres | mysql)
        for pair in $(var store "$store" consumers); do
            if [ -z "$database" ] || [ "${pair%%:*}" = "$database" ]; then stop="$stop ${pair#*:}"; fi
        done
        ;;
    *) stop=$(var store "$store" stop) ;;
    esac
    stop=$(echo $stop)
    echo "restore plan for stack $NEXORA_STACK:"
    echo "  snapshot: ${id%"${id#????????}"} of $store, taken $at, from target $target"
    echo "  would stop:    ${stop:-(nothing)}"
    case $kind in
    postgres) echo "  would restore: PostgreSQL ${database:+database $database}${database:-every database in the snapshot} (dropped and re-created from the dump; missing roles are created) in $(var store "$store" container)" ;;
    mysql) echo "  would restore: MySQL ${database:+database $database}${database:-every database in the snapshot} (dropped and re-created from the dump) in $(var store "$store" container)" ;;
    gitlab) echo "  would restore: GitLab's backup (gitlab-backup restore) and gitlab-secrets.json in $(var store "$store" container), then reconfigure and restart it" ;;
    volume) echo "  would restore: volume $(var store "$store" volume) (emptied, then filled from the snapshot)" ;;
    esac
    echo "  would restart: ${stop:-(nothing)}"
    echo "  untouched:     every other store and container"
    [ "$dry" = 1 ] && return 0

    # 3. Read the whole snapshot back before touching anything: restic authenticates every blob, so
    #    a damaged repository fails here.
    stage=$SPOOL/restore/$store
    rm -rf "$stage" && mkdir -p "$stage"
    err=$(mktemp)
    echo "reading snapshot ${id%"${id#????????}"} back into the spool (the whole store: minutes for a large one)"
    if ! restic_target "$target" restore "$id" --target "$stage" >/dev/null 2>"$err"; then
        rm -rf "$stage"
        die 3 "snapshot $id could not be read back: $(explain_restic "$err"). Nothing was changed."
    fi
    rm -f "$err"
    src=$stage$(store_path "$store")
    [ -d "$src" ] || die 3 "snapshot $id does not hold $(store_path "$store"). Nothing was changed."
    if [ -n "$database" ]; then
        [ -f "$src/$database.dump" ] || [ -f "$src/$database.sql" ] || die 3 "snapshot $id has no database $database. Nothing was changed."
    fi

    # 4. Stop, apply, restart (restart also when applying fails).
    for c in $stop; do echo "stopping $c"; container_op stop "$c"; done
    rc=0
    apply_restore "$store" "$kind" "$src" "$database" || rc=$?
    for c in $stop; do echo "starting $c"; container_op start "$c"; done
    rm -rf "$stage"
    [ $rc -eq 0 ] || die 5 "applying the restore of $store failed (exit $rc); the containers above were restarted"
    echo "restored $store from snapshot ${id%"${id#????????}"} ($at)"
}

apply_restore() {
    store=$1 kind=$2 src=$3 database=$4
    container=$(var store "$store" container)
    case $kind in
    postgres)
        # Roles first, only those that do not exist: existing roles keep their current passwords.
        existing=$(in_container "$container" "psql -X -At -U postgres -d postgres -c 'SELECT rolname FROM pg_roles'") || return 1
        awk -v existing="$existing" '
            BEGIN { n = split(existing, e, "\n"); for (i = 1; i <= n; i++) have[e[i]] = 1 }
            /^(CREATE|ALTER) ROLE / { name = $3; sub(/;$/, "", name); gsub(/"/, "", name); if (!(name in have)) print; next }' \
            "$src/roles.sql" | in_container "$container" "exec psql -X -q -v ON_ERROR_STOP=1 -U postgres -d postgres" >/dev/null || return 1
        for f in "$src"/*.dump; do
            [ -f "$f" ] || continue
            db=$(basename "$f" .dump)
            [ -z "$database" ] || [ "$db" = "$database" ] || continue
            echo "restoring database $db"
            in_container "$container" "psql -X -q -v ON_ERROR_STOP=1 -U postgres -d postgres -c $(q "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)")" >/dev/null || return 1
            in_container "$container" "exec pg_restore -U postgres --create --exit-on-error -d postgres" <"$f" || return 1
        done
        ;;
    mysql)
        for f in "$src"/*.sql; do
            [ -f "$f" ] || continue
            db=$(basename "$f" .sql)
            [ -z "$database" ] || [ "$db" = "$database" ] || continue
            echo "restoring database $db"
            { printf 'DROP DATABASE IF EXISTS `%s`;\n' "$db"; cat "$f"; } |
                in_container "$container" "$MY_AUTH exec mysql -uroot --protocol=socket" || return 1
        done
        ;;
    gitlab)
        # As GitLab documents for Docker: stop puma and sidekiq, restore, put the secrets back, reconfigure.
        in_container "$container" "cat >/var/opt/gitlab/backups/nexora_gitlab_backup.tar && chown git:git /var/opt/gitlab/backups/nexora_gitlab_backup.tar" <"$src/nexora_gitlab_backup.tar" || return 1
        in_container "$container" "cat >/etc/gitlab/gitlab-secrets.json" <"$src/gitlab-secrets.json" || return 1
        in_container "$container" "gitlab-ctl stop puma && gitlab-ctl stop sidekiq && gitlab-backup restore BACKUP=nexora force=yes && rm -f /var/opt/gitlab/backups/nexora_gitlab_backup.tar && gitlab-ctl reconfigure && gitlab-ctl restart"
        ;;
    volume)
        volume=$(var store "$store" volume)
        if [ "$RUNTIME" = local ]; then
            find "$DATA/$store" -mindepth 1 -delete && cp -a "$src/." "$DATA/$store/"
        else
            # This container mounts the volume read-only: a short-lived helper writes it.
            "$DOCKER" run --rm --network none --log-driver none -v "$volume:/target" -v "$SPOOL_VOLUME:/spool:ro" \
                --entrypoint /bin/sh "$RESTIC_IMAGE" -c 'find /target -mindepth 1 -delete && cp -a "$0/." /target/' "$src"
        fi
        ;;
    esac
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
serve) serve ;;
cycle) with_lock cycle ;;
status) status ;;
health) health ;;
restore) with_lock restore "$@" ;;
cron-match) cron_match "$@" ;;
*) die 2 "usage: nexora-backup serve | cycle | status | health | restore STORE [--snapshot ID] [--database NAME] [--target NAME] [--dry-run]" ;;
esac
