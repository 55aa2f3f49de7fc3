import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "node:crypto";
import { RELEASE_SWITCH_SCRIPT, renderReleaseUpstream } from "../edge/upstreams";
import { dockerExec } from "./exec";
import { containerCustomTimeouts, DAEMON_OWNED_CONTAINER_INPUTS, type ServiceContainerArgs, serviceContainerInputs } from "./service";

/**
 * Health-gated, zero-downtime releases of a stateless web service (a business app, the portal):
 *
 * 1. the new container starts beside the old one under a name of its own
 *    (`<service name>-<release id>`), so Pulumi's default create-before-delete order works;
 * 2. a gate runs the container's own health check until it passes, bounded, and fails the
 *    `pulumi up` naming the service and quoting the last health output when it never does;
 * 3. only then the service's upstream file in Caddy is switched to the new name and Caddy
 *    reloaded in place (Caddy's graceful reload: open connections finish on the old config);
 * 4. Pulumi deletes the replaced container at the end of the update, after everything that
 *    depends on the new one, stopping it within its grace period.
 *
 * A refused release leaves the old container serving and Caddy pointing at it: the engine
 * deletes a replaced resource only at the end of a successful step graph, and keeps it as a
 * pending delete (still running) when the update fails, to delete it after the next one.
 */

/** Bytes of the release id: 8 hex characters in the container name. */
const RELEASE_ID_BYTES = 4;

/** Docker name of one release of a service: the service's name and the release id. */
export function releaseContainerName(serviceName: string, releaseId: string): string {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(serviceName) || !/^[0-9a-f]+$/.test(releaseId)) {
        throw new Error(`release container name: not a Docker name part: ${JSON.stringify(serviceName)}, ${JSON.stringify(releaseId)}`);
    }
    return `${serviceName}-${releaseId}`;
}

/**
 * What identifies a release: a hash of every container input but the name. Any change (image,
 * env, a rotated secret, limits, health check) is a new release, with a new container beside
 * the old one; nothing else is. Not secret: a truncated sha256 of inputs that carry
 * high-entropy generated secrets reveals none of them.
 */
export function releaseFingerprint(inputs: unknown): string {
    return createHash("sha256").update(stableJson(inputs)).digest("hex").slice(0, 32);
}

/** JSON with object keys sorted, so the same inputs always give the same fingerprint. */
function stableJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value) ?? "null";
}

/**
 * The gate, run by the command provider on the machine running Pulumi with DOCKER_HOST set.
 * Its inputs come in the environment, never spliced into the script:
 * NEXORA_RELEASE_SERVICE (the app key), NEXORA_RELEASE_CONTAINER, NEXORA_RELEASE_TIMEOUT
 * (seconds), NEXORA_RELEASE_HEALTH (the container's own CMD-SHELL health test).
 * It runs that test inside the new container every 2 seconds rather than waiting for Docker's
 * health status, whose first probe comes only after a whole interval (30 s here).
 */
export const RELEASE_GATE_SCRIPT = [
    "set -u",
    'svc="$NEXORA_RELEASE_SERVICE"; c="$NEXORA_RELEASE_CONTAINER"; limit="$NEXORA_RELEASE_TIMEOUT"',
    "start=$(date +%s)",
    'last="no health check has run yet"',
    "while :; do",
    '    state=$(docker container inspect --format "{{.State.Status}}" "$c" 2>&1) || state="missing ($state)"',
    '    if [ "$state" = running ]; then',
    '        out=$(docker exec "$c" sh -c "$NEXORA_RELEASE_HEALTH" 2>&1); rc=$?',
    '        if [ "$rc" -eq 0 ]; then',
    '            echo "release of $svc: $c passed its health check after $(( $(date +%s) - start )) s" >&2',
    "            exit 0",
    "        fi",
    '        last="exit $rc: $out"',
    "    else",
    '        last="container $state; its last log lines: $(docker logs --tail 5 "$c" 2>&1)"',
    "    fi",
    '    [ $(( $(date +%s) - start )) -ge "$limit" ] && break',
    "    sleep 2",
    "done",
    'echo "release of $svc refused: its new container $c did not pass its health check within $limit s." >&2',
    'echo "last health check output: $last" >&2',
    'echo "The previous release keeps serving and Caddy still routes $svc to it (a new app answers 503 until a release passes). Fix the image or env and run pulumi up again, or go back to the previous image (docs/releases.md, Rollback)." >&2',
    "exit 1",
].join("\n");

export interface ReleaseArgs {
    /** The service key: Caddy's route and upstream directory, named in every message. */
    readonly service: string;
    /** The port Caddy proxies to. */
    readonly port: number;
    /** Seconds the gate waits for the health check to pass. */
    readonly timeoutSeconds: number;
    /** DOCKER_HOST for the docker CLI (the gate and the switch). */
    readonly dockerHost: string;
    /** Caddy's container, and what must have run before a switch (Caddy's reload of the Caddyfile that imports the upstream). */
    readonly edge: { readonly caddyContainerName: pulumi.Input<string>; readonly after: pulumi.Input<pulumi.Resource>[] };
}

export interface Release {
    readonly image: docker.RemoteImage;
    readonly container: docker.Container;
    /** The gate: passes once the new container's health check passes. */
    readonly gate: command.local.Command;
    /** Caddy's switch to the new container. */
    readonly switch: command.local.Command;
}

/**
 * A released service container (see the module comment): `${name}-image`,
 * `${name}-release` (the release id, renewed whenever the fingerprint changes),
 * `${name}-container` (create-before-delete, the old one stopped within its grace period),
 * `${name}-gate` and `${name}-switch`. `args.containerName` is the service's base name.
 */
export function createReleasedContainer(
    name: string,
    args: ServiceContainerArgs,
    release: ReleaseArgs,
    parent: pulumi.Resource,
    opts: { provider: docker.Provider; dependsOn?: pulumi.CustomResourceOptions["dependsOn"] },
): Release {
    const healthTest = args.healthcheck.test[0] === "CMD-SHELL" ? args.healthcheck.test.slice(1).join(" ") : undefined;
    if (healthTest === undefined) throw new Error(`release of ${release.service}: the health check must be a CMD-SHELL test`);
    const image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent, provider: opts.provider });
    const inputs = serviceContainerInputs(args, image.imageId);
    const fingerprint = pulumi.unsecret(pulumi.output({ ...inputs, name: undefined }).apply(releaseFingerprint));
    // A random id, renewed when the fingerprint changes: going back to an earlier config (a
    // rollback after a refused release, whose old container still runs) gets a fresh name too.
    const releaseId = new random.RandomId(`${name}-release`, { byteLength: RELEASE_ID_BYTES, keepers: { fingerprint } }, { parent });
    const containerName = releaseId.hex.apply((hex) => releaseContainerName(args.containerName, hex));
    const container = new docker.Container(
        `${name}-container`,
        { ...inputs, name: containerName },
        {
            parent,
            provider: opts.provider,
            dependsOn: opts.dependsOn,
            customTimeouts: containerCustomTimeouts(args.waitTimeoutSeconds),
            ignoreChanges: [...DAEMON_OWNED_CONTAINER_INPUTS],
            // The new container starts beside the old one. Set explicitly: the Docker provider asks
            // for delete-before-replace on every container (the bridge's DeleteBeforeReplace for
            // docker_container; pulumi-docker #1356), and only the resource option overrides it.
            deleteBeforeReplace: false,
        },
    );
    const gate = new command.local.Command(
        `${name}-gate`,
        {
            create: RELEASE_GATE_SCRIPT,
            environment: {
                DOCKER_HOST: release.dockerHost,
                NEXORA_RELEASE_SERVICE: release.service,
                NEXORA_RELEASE_CONTAINER: container.name,
                NEXORA_RELEASE_TIMEOUT: String(release.timeoutSeconds),
                NEXORA_RELEASE_HEALTH: healthTest,
            },
            // Every new container is gated, a recreated one (after a refresh) included.
            triggers: [container.id],
            logging: "stderr",
        },
        { parent, dependsOn: [container] },
    );
    const upstream = container.name.apply((n) => renderReleaseUpstream(n, release.port));
    const switchRoute = dockerExec(
        `${name}-switch`,
        {
            dockerHost: release.dockerHost,
            containerName: release.edge.caddyContainerName,
            script: RELEASE_SWITCH_SCRIPT,
            args: [release.service],
            stdin: upstream,
        },
        { parent, dependsOn: [gate, ...release.edge.after] },
    );
    return { image, container, gate, switch: switchRoute };
}
