import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ownerLabels, ServiceRole } from "../naming";

/** A named volume mounted into a service container. */
export interface VolumeMount {
    readonly volume: docker.Volume;
    readonly target: string;
    readonly readOnly?: boolean;
}

/** A host path bind-mounted into a container (only the Docker socket, for the services that manage Docker). */
export interface BindMount {
    readonly source: string;
    readonly target: string;
    readonly readOnly?: boolean;
}

export interface HealthcheckSpec {
    /** Docker HEALTHCHECK test, e.g. ["CMD-SHELL", "wget -q --spider http://127.0.0.1:3000/_health"]. */
    readonly test: string[];
    /** @default 30 */
    readonly intervalSeconds?: number;
    /** @default 10 */
    readonly timeoutSeconds?: number;
    /** @default 5 */
    readonly retries?: number;
    /** Grace period after start during which failures do not count. @default 30 */
    readonly startPeriodSeconds?: number;
}

/** A network the container joins, by name, optionally at a fixed IPv4 address. */
export type NetworkAttachment = pulumi.Input<string> | { readonly name: pulumi.Input<string>; readonly ipv4Address?: string };

/**
 * Capabilities of Docker's default set that no service here uses: creating device nodes,
 * writing the kernel audit log, setting file capabilities, raw sockets (ping, packet crafting).
 * Conservative on purpose: the data-store images switch user with gosu/setpriv and need
 * SETUID/SETGID/CHOWN/DAC_OVERRIDE/FOWNER, which stay.
 */
export const DEFAULT_CAPABILITY_DROPS: readonly string[] = ["AUDIT_WRITE", "MKNOD", "NET_RAW", "SETFCAP"];

export interface ServiceContainerArgs {
    readonly stack: string;
    /** Service key: container name suffix and `nexora.service` label. */
    readonly service: string;
    readonly role: ServiceRole;
    /** Docker name of the container (from `dockerName`). */
    readonly containerName: string;
    /** Pinned image reference. */
    readonly image: string;
    readonly envs?: pulumi.Input<pulumi.Input<string>[]>;
    readonly command?: pulumi.Input<pulumi.Input<string>[]>;
    readonly entrypoint?: string[];
    /** Docker networks by name; the container is reachable there under its container name. */
    readonly networks: readonly NetworkAttachment[];
    /** Capabilities dropped from Docker's default set. @default DEFAULT_CAPABILITY_DROPS */
    readonly capabilityDrops?: readonly string[];
    /**
     * Sets `no-new-privileges`: no setuid binary or file capability can raise privileges after
     * start. Dropping from root (gosu, setpriv, su-exec) still works under it.
     * @default true
     */
    readonly noNewPrivileges?: boolean;
    readonly volumes?: readonly VolumeMount[];
    readonly binds?: readonly BindMount[];
    /** Host ports to publish: container port → host port. @default none */
    readonly publish?: readonly { readonly internal: number; readonly external: number }[];
    readonly healthcheck: HealthcheckSpec;
    /**
     * Wait until Docker reports the container healthy before dependents are created.
     * @default 0 — do not wait
     */
    readonly waitTimeoutSeconds?: number;
    /** Memory limit in MiB (Docker's `memory`, which the provider takes in MB). @default no limit */
    readonly memoryMiB?: number;
    /** @default Docker's 64 MB */
    readonly shmSizeMiB?: number;
}

/**
 * Seconds in Go's duration notation ("1m30s"), the form the provider reads back from Docker:
 * "90s" would differ from the stored "1m30s" on every refresh and show a diff forever.
 */
export function goDuration(totalSeconds: number): string {
    const h = Math.floor(totalSeconds / 3600);
    const m = Math.floor((totalSeconds % 3600) / 60);
    const s = totalSeconds % 60;
    if (h > 0) return `${h}h${m}m${s}s`;
    if (m > 0) return `${m}m${s}s`;
    return `${s}s`;
}

/** Builds the `docker.Container` inputs; shared by every service so all containers get the same baseline. */
export function serviceContainerInputs(args: ServiceContainerArgs, imageId: pulumi.Input<string>): docker.ContainerArgs {
    const hc = args.healthcheck;
    const seconds = goDuration;
    return {
        name: args.containerName,
        image: imageId,
        envs: args.envs,
        command: args.command,
        entrypoints: args.entrypoint,
        restart: "unless-stopped",
        labels: ownerLabels(args.stack, args.service, args.role),
        networksAdvanced: args.networks.map((n) =>
            typeof n === "object" && n !== null && "name" in n && !pulumi.Output.isInstance(n) ? { name: n.name, ...(n.ipv4Address ? { ipv4Address: n.ipv4Address } : {}) } : { name: n as pulumi.Input<string> },
        ),
        capabilities: (args.capabilityDrops ?? DEFAULT_CAPABILITY_DROPS).length > 0 ? { drops: [...(args.capabilityDrops ?? DEFAULT_CAPABILITY_DROPS)] } : undefined,
        securityOpts: args.noNewPrivileges === false ? undefined : ["no-new-privileges:true"],
        mounts: [
            ...(args.volumes ?? []).map((m) => ({ type: "volume", source: m.volume.name, target: m.target, readOnly: m.readOnly ?? false })),
            ...(args.binds ?? []).map((b) => ({ type: "bind", source: b.source, target: b.target, readOnly: b.readOnly ?? false })),
        ],
        ports: (args.publish ?? []).map((p) => ({ internal: p.internal, external: p.external, protocol: "tcp" })),
        healthcheck: {
            tests: hc.test,
            interval: seconds(hc.intervalSeconds ?? 30),
            timeout: seconds(hc.timeoutSeconds ?? 10),
            retries: hc.retries ?? 5,
            startPeriod: seconds(hc.startPeriodSeconds ?? 30),
        },
        wait: args.waitTimeoutSeconds !== undefined && args.waitTimeoutSeconds > 0,
        waitTimeout: args.waitTimeoutSeconds,
        memory: args.memoryMiB,
        // Docker's own default (twice the memory), set explicitly: the provider reads it back, and
        // leaving it unset shows a diff on every preview.
        memorySwap: args.memoryMiB === undefined ? undefined : args.memoryMiB * 2,
        shmSize: args.shmSizeMiB,
        // Logs of a crash-looping service should survive the next restart for debugging, bounded.
        logDriver: "json-file",
        logOpts: { "max-size": "20m", "max-file": "5" },
    };
}

/**
 * Pulls the pinned image and runs the service container, as children of `parent`:
 * `${name}-image` and `${name}-container`. Container replacement is delete-before-create
 * downtime, so inputs here change only when the service really changes.
 */
export function createServiceContainer(
    name: string,
    args: ServiceContainerArgs,
    parent: pulumi.Resource,
    opts: { provider: docker.Provider; dependsOn?: pulumi.Input<pulumi.Input<pulumi.Resource>[]> },
): { image: docker.RemoteImage; container: docker.Container } {
    const image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent, provider: opts.provider });
    const container = new docker.Container(`${name}-container`, serviceContainerInputs(args, image.imageId), {
        parent,
        provider: opts.provider,
        dependsOn: opts.dependsOn,
    });
    return { image, container };
}

/** A service's own env entries followed by entries another component supplies (SSO settings). */
export function withExtraEnv(base: pulumi.Input<string>[], extra?: pulumi.Input<pulumi.Input<string>[]>): pulumi.Output<string[]> {
    return pulumi.all([pulumi.all(base), pulumi.output(extra ?? [])]).apply(([own, more]) => [...own, ...more]);
}
