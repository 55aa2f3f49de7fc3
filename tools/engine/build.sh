#!/usr/bin/env bash
# Builds the pinned Pulumi engine for the e2e tests from Go modules only, once per pin set.
#
#   bash tools/engine/build.sh            -> last stdout line: <cache>/<key>/bin
#
# Output layout (<cache> = ${NEXORA_ENGINE_CACHE:-/var/cache/nexora-engine}):
#   <cache>/<key>/bin/      pulumi pulumi-language-nodejs pulumi-resource-{command,docker,random} frpc frps
#   <cache>/<key>/plugins/  resource-<name>-v<version>/pulumi-resource-<name> (hard links), for a
#                           PULUMI_HOME whose plugins/ points here (versions the npm packages request)
#   <cache>/<key>/build-info.txt  pins, timings, go version
# <key> = sha256 of versions.env, this script, every go.mod/go.sum/source file of the glue modules
# and `go version`. A warm run (the directory exists) only prints the path. Builds go to a temp
# directory that is renamed into place, so a half-built engine is never seen.
# Logs go to stderr. Module and build caches are Go's own (GOMODCACHE, GOCACHE), outside the repo.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${NEXORA_ENGINE_CACHE:-/var/cache/nexora-engine}"

log() { printf '[engine] %s\n' "$*" >&2; }

command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
go_version="$(go version)"

# ---- cache key -------------------------------------------------------------------------------
key="$(
    cd "$here"
    {
        printf '%s\n' "$go_version"
        find . -type f \( -name 'versions.env' -o -name 'build.sh' -o -name 'go.mod' -o -name 'go.sum' \
            -o -name '*.go' -o -name '*.in' -o -name 'bridge-metadata.json' \) \
            -not -path './*/upstream/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    } | sha256sum | cut -c1-32
)"
final="$cache_root/$key"
if [[ -d "$final/bin" ]]; then
    log "cached: $final"
    printf '%s\n' "$final/bin"
    exit 0
fi

# ---- pins --------------------------------------------------------------------------------------
# shellcheck source=versions.env
source "$here/versions.env"

export GOPROXY="${GOPROXY:-https://proxy.golang.org}"
export GOSUMDB=sum.golang.org GONOSUMDB= GOFLAGS=-mod=readonly CGO_ENABLED=0 GOTOOLCHAIN=local

mkdir -p "$cache_root"
tmp="$(mktemp -d "$cache_root/.build-$key-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
bin="$tmp/bin"
work="$tmp/work"
mkdir -p "$bin" "$work"
info="$tmp/build-info.txt"
{
    echo "key: $key"
    echo "go: $go_version"
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m)"
    grep -E '^[A-Z_]+=' "$here/versions.env"
} >"$info"
total_start=$SECONDS

timed() { # timed <label> <command...>
    local label="$1" start=$SECONDS
    shift
    log "building $label"
    "$@" >&2
    local secs=$((SECONDS - start))
    log "built $label in ${secs}s"
    echo "time $label: ${secs}s" >>"$info"
}

# ---- pulumi CLI, Node.js language host, command provider (module cli/) ---------------------------
pulumi_ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
timed pulumi go build -C "$here/cli" -trimpath -tags osusergo,grpcnotrace -ldflags "$pulumi_ldflags" \
    -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
timed pulumi-language-nodejs go build -C "$here/cli" -trimpath -ldflags "$pulumi_ldflags" \
    -o "$bin/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs
timed pulumi-resource-command go build -C "$here/cli" -trimpath \
    -ldflags "-X main.Version=$COMMAND_PLUGIN_VERSION" \
    -o "$bin/pulumi-resource-command" ./cmd/pulumi-resource-command

# ---- bridged providers (modules docker/, random/) ------------------------------------------------
# Copy the glue module to a writable place, put the upstream Terraform provider (verified against
# the pinned h1: sum) in ./upstream with the shim package, generate schema.json, build.
bridged() { # bridged <name> <plugin-version> <upstream-module> <upstream-version> <upstream-sum>
    local name="$1" version="$2" mod="$3" modver="$4" sum="$5"
    local dir="$work/$name" json got_sum src
    cp -R "$here/$name" "$dir"
    rm -rf "$dir/upstream"
    json="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$mod@$modver")"
    got_sum="$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Sum": "\(.*\)",*$/\1/p')"
    src="$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
    if [[ "$got_sum" != "$sum" || -z "$src" ]]; then
        log "$mod@$modver: sum '$got_sum' does not match the pinned '$sum'"
        return 1
    fi
    cp -R "$src" "$dir/upstream"
    chmod -R u+w "$dir/upstream"
    mkdir -p "$dir/upstream/shim"
    cp "$dir/shim/shim.go.in" "$dir/upstream/shim/shim.go"
    local glue="nexora/tools/engine/$name"
    timed "pulumi-tfgen-$name" go build -C "$dir" -trimpath -ldflags "-X $glue.Version=$version" \
        -o "$work/pulumi-tfgen-$name" "./cmd/pulumi-tfgen-$name"
    log "generating the $name schema"
    (cd "$dir" && "$work/pulumi-tfgen-$name" schema --out "./cmd/pulumi-resource-$name" >"$work/tfgen-$name.log" 2>&1) || {
        cat "$work/tfgen-$name.log" >&2
        return 1
    }
    if [[ -f "$dir/cmd/pulumi-resource-$name/bridge-metadata.json" ]]; then
        cp "$dir/cmd/pulumi-resource-$name/bridge-metadata.json" "$dir/bridge-metadata.json"
    fi
    cp "$dir/cmd/pulumi-resource-$name/schema.json" "$tmp/schema-$name.json"
    timed "pulumi-resource-$name" go build -C "$dir" -trimpath -ldflags "-X $glue.Version=$version" \
        -o "$bin/pulumi-resource-$name" "./cmd/pulumi-resource-$name"
}
bridged docker "$DOCKER_PLUGIN_VERSION" "$DOCKER_UPSTREAM_MODULE" "$DOCKER_UPSTREAM_VERSION" "$DOCKER_UPSTREAM_SUM"
bridged random "$RANDOM_PLUGIN_VERSION" "$RANDOM_UPSTREAM_MODULE" "$RANDOM_UPSTREAM_VERSION" "$RANDOM_UPSTREAM_SUM"

# ---- frp ------------------------------------------------------------------------------------------
for b in frpc frps; do
    timed "$b" go build -C "$here/frp" -trimpath -tags "$b,noweb" -ldflags "-s -w" \
        -o "$bin/$b" "github.com/fatedier/frp/cmd/$b"
done

# ---- plugin layout for PULUMI_HOME/plugins ----------------------------------------------------------
for pv in "command:$COMMAND_PLUGIN_VERSION" "docker:$DOCKER_PLUGIN_VERSION" "random:$RANDOM_PLUGIN_VERSION"; do
    name="${pv%%:*}" version="${pv#*:}"
    d="$tmp/plugins/resource-$name-v$version"
    mkdir -p "$d"
    ln "$bin/pulumi-resource-$name" "$d/pulumi-resource-$name" 2>/dev/null ||
        cp "$bin/pulumi-resource-$name" "$d/pulumi-resource-$name"
done

"$bin/pulumi" version >/dev/null
echo "time total: $((SECONDS - total_start))s" >>"$info"
rm -rf "$work"
trap - EXIT
if ! mv -T "$tmp" "$final" 2>/dev/null; then
    # Another build of the same key won the race: keep theirs.
    rm -rf "$tmp"
    [[ -d "$final/bin" ]] || { log "could not install $final"; exit 1; }
fi
log "engine ready in $((SECONDS - total_start))s: $final"
printf '%s\n' "$final/bin"
