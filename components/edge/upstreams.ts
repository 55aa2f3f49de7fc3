/**
 * Caddy's side of a release (components/docker/release.ts): each released service's route
 * imports its upstream from a file of its own, which the release switches to the new
 * container once that container is healthy. Plain strings, no Pulumi types.
 */

/** Where Caddy reads each released service's upstream (the Caddyfile imports `<dir>/<service>/*.caddy`). */
export const RELEASE_UPSTREAM_DIR = "/etc/caddy/upstreams";
/** The one file of a service's upstream directory while it has a healthy release. */
export const RELEASE_UPSTREAM_FILE = "upstream.caddy";
/** The file Caddy's reload writes while a service has no release yet (answers 503). */
export const RELEASE_PENDING_FILE = "pending.caddy";

/**
 * Switches one service's upstream in Caddy: writes the new file (stdin) beside the old one,
 * swaps it in, reloads Caddy (which validates first and keeps the running config when the new
 * one fails), and puts the old file back if the reload fails. The service key is the script's
 * first argument (validated by the config: lowercase letters, digits, dashes).
 */
export const RELEASE_SWITCH_SCRIPT = [
    "set -eu",
    `dir="${RELEASE_UPSTREAM_DIR}/$1"`,
    'mkdir -p "$dir"',
    `cat > "${RELEASE_UPSTREAM_DIR}/.$1.next"`,
    `if [ -f "$dir/${RELEASE_UPSTREAM_FILE}" ]; then cp "$dir/${RELEASE_UPSTREAM_FILE}" "${RELEASE_UPSTREAM_DIR}/.$1.previous"; fi`,
    `mv "${RELEASE_UPSTREAM_DIR}/.$1.next" "$dir/${RELEASE_UPSTREAM_FILE}"`,
    `rm -f "$dir/${RELEASE_PENDING_FILE}"`,
    "if ! caddy reload --config /etc/caddy/Caddyfile --adapter caddyfile >&2; then",
    `    if [ -f "${RELEASE_UPSTREAM_DIR}/.$1.previous" ]; then mv "${RELEASE_UPSTREAM_DIR}/.$1.previous" "$dir/${RELEASE_UPSTREAM_FILE}"; fi`,
    "    exit 1",
    "fi",
].join("\n");

/** The upstream file of one release: Caddy's `reverse_proxy` to the new container. */
export function renderReleaseUpstream(containerName: string, port: number): string {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(containerName) || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`release upstream: not a container name and port: ${JSON.stringify(containerName)}:${port}`);
    }
    return `reverse_proxy ${containerName}:${port}\n`;
}

/** The Caddyfile line of a released route: the service's upstream directory, by glob (none yet is no error). */
export function releaseUpstreamImport(service: string): string {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(service)) throw new Error(`release upstream: not a service key: ${JSON.stringify(service)}`);
    return `import ${RELEASE_UPSTREAM_DIR}/${service}/*.caddy`;
}
