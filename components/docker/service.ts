import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
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
export type NetworkAttachment =
    | pulumi.Input<string>
    | {
          readonly name: pulumi.Input<string>;
          readonly ipv4Address?: string;
          /** Further names the container answers to on this network (Docker DNS aliases). */
          readonly aliases?: readonly string[];
      };

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
    /** User (uid[:gid]) the process runs as. @default the image's */
    readonly user?: string;
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
    /**
     * Seconds the process gets to shut down cleanly after its stop signal, before SIGKILL: on a
     * replacement or destroy by Pulumi (`destroyGraceSeconds`; without it the provider removes the
     * container with SIGKILL at once) and on `docker stop` or a daemon restart (`stopTimeout`).
     * @default 10 (Docker's own)
     */
    readonly stopGraceSeconds?: number;
    /** Files written into the container before it starts (scripts, generated config). @default none */
    readonly uploads?: readonly { readonly file: string; readonly content: pulumi.Input<string>; readonly executable?: boolean }[];
}

/**
 * A capability as Docker reads it back: "CAP_" and the name. Docker (20.10 on) stores the names it
 * is given with that prefix, the provider reads them back on a refresh, and `capabilities` forces
 * replacement: declared without it, `pulumi preview --refresh` replaced every container
 * (measured on the real engine).
 */
export function dockerCapability(name: string): string {
    return name.startsWith("CAP_") ? name : `CAP_${name}`;
}

/** Docker's default stop timeout, kept for services with nothing to flush. */
export const DEFAULT_STOP_GRACE_SECONDS = 10;

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

/** Log options of every container: bounded json-file logs, so a crash loop cannot fill the disk. */
export const CONTAINER_LOG_OPTS: Readonly<Record<string, string>> = { "max-size": "20m", "max-file": "5" };

/**
 * Container inputs the Docker provider cannot be trusted to diff, with why:
 * - `logOpts`: Docker merges the daemon's default log options (daemon.json `log-opts`) into
 *   every container's, and the provider reads the merged map back; as the input forces
 *   replacement, a host with any extra default would replace every container on every `up`.
 * - `memorySwap`: reads back as -1 on hosts without swap accounting, a diff on every `up`.
 * The engine ignores their read-back; what the program asks for is carried in labels instead
 * (labels force replacement), so a real change to them still reaches the container.
 */
export const DAEMON_OWNED_CONTAINER_INPUTS = ["logOpts", "memorySwap"] as const;

/**
 * Labels that make changes the provider would not apply reach the container: a healthcheck
 * change is applied by no update and forces no replacement (kreuzwerker/terraform-provider-docker
 * #988), and `logOpts`/`memorySwap` are ignored on read-back (DAEMON_OWNED_CONTAINER_INPUTS).
 * Labels force replacement, so each of these changes replaces the container, visibly in previews.
 */
export function settingsLabels(args: Pick<ServiceContainerArgs, "healthcheck" | "memoryMiB">): { label: string; value: string }[] {
    const hc = args.healthcheck;
    const healthcheck = JSON.stringify([hc.test, hc.intervalSeconds ?? 30, hc.timeoutSeconds ?? 10, hc.retries ?? 5, hc.startPeriodSeconds ?? 30]);
    return [
        { label: "nexora.healthcheck-sha256", value: createHash("sha256").update(healthcheck).digest("hex").slice(0, 16) },
        {
            label: "nexora.log-opts",
            value: Object.entries(CONTAINER_LOG_OPTS)
                .map(([k, v]) => `${k}=${v}`)
                .join(","),
        },
        ...(args.memoryMiB === undefined ? [] : [{ label: "nexora.memory-mib", value: String(args.memoryMiB) }]),
    ];
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
        ...(args.user !== undefined ? { user: args.user } : {}),
        restart: "unless-stopped",
        labels: [...ownerLabels(args.stack, args.service, args.role), ...settingsLabels(args)],
        networksAdvanced: args.networks.map((n) =>
            typeof n === "object" && n !== null && "name" in n && !pulumi.Output.isInstance(n)
                ? { name: n.name, ...(n.ipv4Address ? { ipv4Address: n.ipv4Address } : {}), ...(n.aliases?.length ? { aliases: [...n.aliases] } : {}) }
                : { name: n as pulumi.Input<string> },
        ),
        capabilities:
            (args.capabilityDrops ?? DEFAULT_CAPABILITY_DROPS).length > 0
                ? { drops: (args.capabilityDrops ?? DEFAULT_CAPABILITY_DROPS).map(dockerCapability) }
                : undefined,
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
        stopTimeout: args.stopGraceSeconds ?? DEFAULT_STOP_GRACE_SECONDS,
        destroyGraceSeconds: args.stopGraceSeconds ?? DEFAULT_STOP_GRACE_SECONDS,
        // Logs of a crash-looping service should survive the next restart for debugging, bounded.
        logDriver: "json-file",
        logOpts: { ...CONTAINER_LOG_OPTS },
        ...(args.uploads ? { uploads: args.uploads.map((u) => ({ file: u.file, content: u.content, executable: u.executable ?? false })) } : {}),
    };
}

/**
 * Pulls the pinned image and runs the service container, as children of `parent`:
 * `${name}-image` and `${name}-container`. Container replacement is delete-before-create
 * downtime (the old one is stopped first), so inputs here change only when the service really
 * changes; stateless web services use `createReleasedContainer` (release.ts) instead.
 * `opts.dependsOn` is the component's own `opts.dependsOn`: across the components, what a whole
 * service waits for goes in the options, never in Args. Args name only a dependency of one step
 * inside a component (Caddy's `reloadAfter`, the identity's `publicPath` for its readiness gate).
 */
export function createServiceContainer(
    name: string,
    args: ServiceContainerArgs,
    parent: pulumi.Resource,
    opts: { provider: docker.Provider; dependsOn?: pulumi.CustomResourceOptions["dependsOn"] },
): { image: docker.RemoteImage; container: docker.Container } {
    const image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent, provider: opts.provider });
    const container = new docker.Container(`${name}-container`, serviceContainerInputs(args, image.imageId), {
        parent,
        provider: opts.provider,
        dependsOn: opts.dependsOn,
        customTimeouts: containerCustomTimeouts(args.waitTimeoutSeconds),
        ignoreChanges: [...DAEMON_OWNED_CONTAINER_INPUTS],
        // A fixed name cannot exist twice, and a data store must never run twice on its volume:
        // the old container stops (within its grace period) before the new one is created.
        // Explicit: the order for a bridged resource with a fixed name is not settled upstream
        // (pulumi-docker #1356). Stateless web services are released instead (release.ts).
        deleteBeforeReplace: true,
    });
    return { image, container };
}

/**
 * The Docker provider bounds a container's create and update, its health wait included, by the
 * Terraform plugin SDK's default of 20 minutes when no timeout is set (kreuzwerker
 * `resource_docker_container.go` declares none): a longer `waitTimeoutSeconds` would be cut short.
 */
export const PROVIDER_DEFAULT_TIMEOUT_SECONDS = 20 * 60;
/** Room for creating and starting the container around its health wait (the image is pulled by its own resource). */
const CONTAINER_TIMEOUT_MARGIN_SECONDS = 5 * 60;

/**
 * `customTimeouts` for a container whose health wait would not fit in the provider's default,
 * else undefined (the default is enough). A replacement is a create, so update gets the same.
 */
export function containerCustomTimeouts(waitTimeoutSeconds: number | undefined): pulumi.CustomTimeouts | undefined {
    if (waitTimeoutSeconds === undefined || waitTimeoutSeconds <= 0) return undefined;
    const needed = waitTimeoutSeconds + CONTAINER_TIMEOUT_MARGIN_SECONDS;
    if (needed <= PROVIDER_DEFAULT_TIMEOUT_SECONDS) return undefined;
    const limit = `${Math.ceil(needed / 60)}m`;
    return { create: limit, update: limit };
}

/** A service's own env entries followed by entries another component supplies (SSO settings). */
export function withExtraEnv(base: pulumi.Input<string>[], extra?: pulumi.Input<pulumi.Input<string>[]>): pulumi.Output<string[]> {
    return pulumi.all([pulumi.all(base), pulumi.output(extra ?? [])]).apply(([own, more]) => [...own, ...more]);
}
