import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerExec } from "../docker/exec";
import { createServiceContainer } from "../docker/service";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import { services } from "../catalog";
import { shellQuote } from "../validators";
import type { HostContext } from "../docker/host";

export interface TunnelArgs {
    /** The Docker host: stack, provider, DOCKER_HOST, socket and networks. */
    readonly host: HostContext;
    readonly image: string;
    /** The rendered frpc.toml; secret (it carries the frps token). */
    readonly frpcToml: pulumi.Input<string>;
    /** Directories the config's `includes` read (review proxies); created before the config is verified. @default none */
    readonly includeDirs?: readonly string[];
}

const FRPC_TOML = "/etc/frp/frpc.toml";

/** The container waits for its first config instead of crash-looping, then becomes frpc (PID 1). */
export const FRPC_START_SCRIPT = `while [ ! -s ${FRPC_TOML} ]; do sleep 2; done; exec frpc -c ${FRPC_TOML}`;

/**
 * Applies a new frpc.toml: verified first; proxy changes are hot-reloaded through frpc's
 * loopback admin API, so the stack's other hostnames stay connected. Only a change of the
 * connection settings above the proxies (server, token, user, admin API) restarts frpc.
 * `restart` is how frpc is restarted: PID 1 is frpc once configured, and ending it lets
 * Docker's restart policy start it on the new file.
 */
export function frpcApplyScript(configPath = FRPC_TOML, restart = "kill 1", includeDirs: readonly string[] = []): string {
    return [
        "set -e",
        // frpc refuses a config whose includes name a missing directory.
        ...includeDirs.map((dir) => `mkdir -p ${shellQuote(dir)}`),
        `cat > ${configPath}.next`,
        `frpc verify -c ${configPath}.next >&2`,
        `common() { [ -f "$1" ] && sed '/^\\[\\[proxies\\]\\]/,$d' "$1"; return 0; }`,
        `if [ -s ${configPath} ] && [ "$(common ${configPath})" = "$(common ${configPath}.next)" ] && pgrep -x frpc >/dev/null; then`,
        `  mv ${configPath}.next ${configPath}`,
        `  frpc reload -c ${configPath} >&2`,
        "else",
        `  had_config=$([ -s ${configPath} ] && echo yes || echo no)`,
        `  mv ${configPath}.next ${configPath}`,
        `  if [ "$had_config" = yes ]; then ${restart}; fi`,
        "fi",
    ].join("\n");
}

/** The script the tunnel runs in its container. */
export const FRPC_APPLY_SCRIPT = frpcApplyScript();

/** The FRP client: connects this stack's Caddy (and GitLab SSH) to the relay's frps. */
export class Tunnel extends pulumi.ComponentResource {
    readonly containerName: string;
    readonly container: docker.Container;
    readonly apply: command.local.Command;

    constructor(name: string, args: TunnelArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:edge:Tunnel", name, {}, opts);
        this.containerName = dockerName(args.host.stack, services.frpc.container);
        const config = persistentVolume(
            { stack: args.host.stack, service: services.frpc.container, role: "edge", purpose: "config" },
            this,
            args.host.provider,
        );
        // What the component waits for comes in opts.dependsOn (the Pulumi idiom): the container is what waits.
        this.container = createServiceContainer(
            name,
            {
                stack: args.host.stack,
                service: services.frpc.container,
                role: "edge",
                containerName: this.containerName,
                image: args.image,
                entrypoint: ["/bin/sh", "-c"],
                command: [FRPC_START_SCRIPT],
                networks: [args.host.networks.edge],
                volumes: [{ volume: config, target: "/etc/frp" }],
                healthcheck: { test: ["CMD-SHELL", "pgrep -x frpc >/dev/null || exit 1"], intervalSeconds: 30, startPeriodSeconds: 60 },
            },
            this,
            { provider: args.host.provider, dependsOn: opts?.dependsOn },
        ).container;
        this.apply = dockerExec(
            `${name}-apply`,
            {
                dockerHost: args.host.dockerHost,
                containerName: this.container.name,
                script: args.includeDirs?.length ? frpcApplyScript(FRPC_TOML, "kill 1", args.includeDirs) : FRPC_APPLY_SCRIPT,
                stdin: args.frpcToml,
            },
            { parent: this, dependsOn: [this.container] },
        );
        this.registerOutputs({ containerName: this.containerName });
    }
}
