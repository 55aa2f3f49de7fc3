import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerExec, payloadHash } from "../docker/exec";
import { createServiceContainer } from "../docker/service";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import { servicePort, services } from "../catalog";
import { type InternalCa, readInternalCa } from "./internal-ca";
import { RELEASE_PENDING_FILE, RELEASE_UPSTREAM_DIR, RELEASE_UPSTREAM_FILE } from "./upstreams";
import type { HostContext } from "../docker/host";

export interface CaddyArgs {
    /** The Docker host: stack, provider, DOCKER_HOST, socket and networks. */
    readonly host: HostContext;
    readonly image: string;
    /** Caddy's fixed address on the edge network: the one address GitLab trusts forwarded headers from. @default assigned by Docker */
    readonly edgeAddress?: string;
    /**
     * Public hostnames Caddy also answers to on the edge network, so containers that call them
     * (token exchanges with GitLab) reach Caddy without public DNS. @default none
     */
    readonly edgeAliases?: readonly string[];
    /** Further networks Caddy proxies into (the admin network). @default none */
    readonly extraNetworks?: readonly pulumi.Input<string>[];
    /** The rendered Caddyfile (secret when it carries the admin basic-auth hash). */
    readonly caddyfile: pulumi.Input<string>;
    /** Ports Caddy listens on in its container (the route table's, as the Caddyfile's http_port/https_port). @default the catalog's */
    readonly httpPort?: number;
    readonly httpsPort?: number;
    /** Publish those ports on the host under the same numbers (a stack without the tunnel). @default false */
    readonly publish?: boolean;
    /**
     * What must exist before a Caddyfile is applied: the DNS records and the tunnel. A reload starts
     * ACME for new names at once; before the names resolve and the relay carries them the challenge
     * fails and Caddy retries only minutes later. @default none
     */
    readonly reloadAfter?: pulumi.Input<pulumi.Resource>[];
    /**
     * Read the root certificate of Caddy's internal CA (`tls internal`) after the config is
     * applied, for the containers that must trust it (`internalCa`). Needs `edgeAddress`. @default false
     */
    readonly shareInternalCa?: boolean;
}

/** Docker name of a stack's Caddy container (others route to it before the component exists). */
export function caddyContainerName(stack: string): string {
    return dockerName(stack, services.caddy.container);
}

const CADDYFILE = "/etc/caddy/Caddyfile";

/**
 * Validates the new Caddyfile, swaps it in and reloads Caddy through its admin API. Caddy keeps
 * serving the old config when the new one fails, and the container is never replaced, so a
 * route change costs the other sites nothing.
 */
export const CADDY_RELOAD_SCRIPT = [
    "set -e",
    `cat > ${CADDYFILE}.next`,
    // A released service's upstream file is written by its release switch, after its first
    // healthy container: until then its route answers 503 instead of an empty page.
    `for svc in $(sed -n 's#^[[:space:]]*import ${RELEASE_UPSTREAM_DIR}/\\([a-z0-9-]*\\)/\\*\\.caddy$#\\1#p' ${CADDYFILE}.next); do`,
    `    d=${RELEASE_UPSTREAM_DIR}/$svc; mkdir -p "$d"`,
    `    [ -f "$d/${RELEASE_UPSTREAM_FILE}" ] || printf 'respond "%s has no healthy release yet" 503\\n' "$svc" > "$d/${RELEASE_PENDING_FILE}"`,
    "done",
    `caddy validate --config ${CADDYFILE}.next --adapter caddyfile >&2`,
    `mv ${CADDYFILE}.next ${CADDYFILE}`,
    `caddy reload --config ${CADDYFILE} --adapter caddyfile >&2`,
].join("\n");

/**
 * Caddy: TLS termination and reverse proxy for the stack. Certificates persist on /data, the
 * current Caddyfile on /etc/caddy (so a restarted container serves the last applied routes).
 */
export class Caddy extends pulumi.ComponentResource {
    /** Caddy's data volume: certificates and ACME account (the backup mounts it read-only). */
    readonly dataVolume: docker.Volume;
    readonly containerName: string;
    readonly container: docker.Container;
    /** Applies the Caddyfile; re-runs when its hash changes. */
    readonly reload: command.local.Command;
    /** sha256 of the applied Caddyfile: the reload trigger, visible in plans. */
    readonly configHash: pulumi.Output<string>;
    /** The internal CA's root certificate, with `shareInternalCa`. */
    readonly internalCa?: InternalCa;

    constructor(name: string, args: CaddyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:edge:Caddy", name, {}, opts);
        this.containerName = caddyContainerName(args.host.stack);
        const volume = (purpose: string) =>
            persistentVolume({ stack: args.host.stack, service: services.caddy.container, role: "edge", purpose }, this, args.host.provider);
        const data = (this.dataVolume = volume("data"));
        const config = volume("config");
        const etc = volume("etc");
        const ports = [args.httpPort ?? servicePort("caddy", "http"), args.httpsPort ?? servicePort("caddy", "https")];
        const publish = args.publish ? ports.map((port) => ({ internal: port, external: port })) : [];
        this.container = createServiceContainer(
            name,
            {
                stack: args.host.stack,
                service: services.caddy.container,
                role: "edge",
                containerName: this.containerName,
                image: args.image,
                networks: [{ name: args.host.networks.edge, ipv4Address: args.edgeAddress, aliases: args.edgeAliases }, ...(args.extraNetworks ?? [])],
                volumes: [
                    { volume: data, target: "/data" },
                    { volume: config, target: "/config" },
                    { volume: etc, target: "/etc/caddy" },
                ],
                publish,
                // Caddy drains open connections on a graceful stop.
                stopGraceSeconds: 30,
                healthcheck: {
                    test: ["CMD-SHELL", `wget -qO- http://127.0.0.1:${servicePort("caddy", "admin")}/config/ >/dev/null || exit 1`],
                    intervalSeconds: 15,
                    startPeriodSeconds: 10,
                },
                waitTimeoutSeconds: 120,
            },
            this,
            { provider: args.host.provider },
        ).container;
        this.configHash = payloadHash(args.caddyfile);
        this.reload = dockerExec(
            `${name}-reload`,
            {
                dockerHost: args.host.dockerHost,
                containerName: this.container.name,
                script: CADDY_RELOAD_SCRIPT,
                stdin: args.caddyfile,
            },
            { parent: this, dependsOn: [this.container, ...(args.reloadAfter ?? [])] },
        );
        if (args.shareInternalCa) {
            if (args.edgeAddress === undefined) throw new Error("Caddy: shareInternalCa needs a fixed edgeAddress for the consumers' allow lists");
            this.internalCa = readInternalCa(
                `${name}-internal-ca`,
                { dockerHost: args.host.dockerHost, caddyContainer: this.container.name, caddyContainerId: this.container.id, caddyAddress: args.edgeAddress },
                // The CA exists once Caddy has loaded a config with `tls internal`.
                { parent: this, dependsOn: [this.reload] },
            ).ca;
        }
        this.registerOutputs({ containerName: this.containerName, configHash: this.configHash });
    }
}
