#!/usr/bin/env bash
# Builds the e2e's stand-in images (tests/e2e/images/README.md says which and why) on the test
# daemon, tagged with exactly the references the program pins. An image is rebuilt only when
# its build context (or the base) changed: each carries the hash of what it was built from.
#   DOCKER_HOST=unix://… tools/e2e/images.sh ENGINE_BIN_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
engine_bin="${1:?usage: images.sh ENGINE_BIN_DIR (holds frpc)}"
cache="${NEXORA_E2E_CACHE:-/var/cache/nexora-e2e}"
ctx_root="$root/tests/e2e/images"
docker=/usr/bin/docker
[ -x "$docker" ] || docker=docker
export DOCKER_BUILDKIT=0

log() { echo "images: $*" >&2; }

# The references the program pins, read from the program itself.
refs_json="$(cd "$root" && node_modules/.bin/tsx -e 'import { DEFAULT_IMAGES } from "./components/images"; console.log(JSON.stringify(DEFAULT_IMAGES))')"
ref() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$refs_json" "$1"; }

labelled_hash() { "$docker" image inspect --format '{{ index .Config.Labels "nexora.e2e.context-hash" }}' "$1" 2>/dev/null || true; }

# Base: Debian bookworm minbase from the machine's Debian mirror (debootstrap), imported once.
base=nexora-e2e/bookworm:base
mirror="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
mirror="${mirror:-http://deb.debian.org/debian}"
base_key="bookworm-minbase-$(echo "$mirror" | sha256sum | cut -c1-12)"
if [ "$(labelled_hash "$base")" != "$base_key" ]; then
    rootfs="$cache/rootfs/$base_key"
    if [ ! -f "$rootfs/.complete" ]; then
        log "debootstrap bookworm from $mirror"
        rm -rf "$rootfs" && mkdir -p "$rootfs"
        debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
        touch "$rootfs/.complete"
    fi
    log "importing $base"
    tar -C "$rootfs" --exclude=./.complete -c . | "$docker" import --change "LABEL nexora.e2e.context-hash=$base_key" - "$base" >/dev/null
fi
base_id="$("$docker" image inspect --format '{{.Id}}' "$base")"

build() { # build DIR TAG [BUILD_ARG...]
    local dir="$1" tag="$2"
    shift 2
    local hash
    hash="$( (cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum; echo "$base_id $*") | sha256sum | cut -c1-32)"
    if [ "$(labelled_hash "$tag")" = "$hash" ]; then log "$tag up to date"; return; fi
    log "building $tag"
    local args=()
    for a in "$@"; do args+=(--build-arg "$a"); done
    # Host network: the test daemon has no default bridge, and RUN steps fetch Debian packages.
    "$docker" build -q --network host --label "nexora.e2e.context-hash=$hash" "${args[@]}" -t "$tag" "$dir" >/dev/null
}

build "$ctx_root/postgres" "$(ref postgres)"
build "$ctx_root/mysql" "$(ref mysql)"
build "$ctx_root/redis" "$(ref redis)"
build "$ctx_root/caddy" "$(ref caddy)"
build "$ctx_root/nginx" "$(ref portal)"
build "$ctx_root/backup" "$(ref backup)"
build "$ctx_root/restic" "$(ref restic)"
# Monitoring: Debian's prometheus, prometheus-blackbox-exporter, prometheus-alertmanager and
# prometheus-node-exporter; the healer runs in the backup's docker CLI image (same pin).
build "$ctx_root/prometheus" "$(ref prometheus)"
build "$ctx_root/blackbox" "$(ref blackboxExporter)"
build "$ctx_root/alertmanager" "$(ref alertmanager)"
build "$ctx_root/node-exporter" "$(ref nodeExporter)"
[ "$(ref healer)" = "$(ref backup)" ] || { log "the healer's image is no longer the backup's: build a stand-in for it"; exit 1; }

frpc_ctx="$(mktemp -d)"
trap 'rm -rf "$frpc_ctx"' EXIT
cp "$ctx_root/frpc/Dockerfile" "$frpc_ctx/"
cp "$engine_bin/frpc" "$frpc_ctx/frpc"
build "$frpc_ctx" "$(ref frpc)"

# The business app in two versions: the e2e bumps one app from the first to the second.
for version in 1.0.0 1.1.0; do
    build "$ctx_root/business-app" "nexora-e2e/business-app:$version" "APP_VERSION=$version"
done
# And a release of it that never becomes healthy (the release e2e's refused release).
build "$ctx_root/business-app-never-healthy" "nexora-e2e/business-app:never-healthy" \
    "APP_IMAGE_ID=$("$docker" image inspect --format '{{.Id}}' nexora-e2e/business-app:1.0.0)"
