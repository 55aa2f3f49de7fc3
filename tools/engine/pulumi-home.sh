#!/usr/bin/env bash
# Makes DIR a PULUMI_HOME whose plugins/ holds the engine's provider plugins (hard links into the
# engine cache, or copies across filesystems), so that each e2e run has its own PULUMI_HOME
# (credentials, workspaces, plugin *.lastused markers) without writing into the shared cache.
#
#   bash tools/engine/pulumi-home.sh DIR [BIN]   (BIN defaults to the path build.sh prints)
#
# Per-plugin symlinks are not enough: the CLI skips plugins/ entries that are symlinks.
set -euo pipefail
dir="${1:?usage: pulumi-home.sh DIR [BIN]}"
bin="${2:-$(bash "$(dirname "${BASH_SOURCE[0]}")/build.sh" | tail -n 1)}"
mkdir -p "$dir/plugins"
for src in "$bin/../plugins"/resource-*; do
    name="$(basename "$src")"
    [[ -d "$dir/plugins/$name" ]] && continue
    cp -al "$src" "$dir/plugins/$name" 2>/dev/null || cp -a "$src" "$dir/plugins/$name"
done
printf '%s\n' "$dir"
