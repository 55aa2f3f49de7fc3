import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { routeUrl } from "../edge/routes";
import type { RouteTable } from "../edge/types";
import { createServiceContainer, DEFAULT_CAPABILITY_DROPS } from "../docker/service";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import { servicePort, services } from "../catalog";
import type { HostContext } from "../docker/host";

export interface UptimeKumaArgs {
    /** The Docker host: stack, provider, DOCKER_HOST, socket and networks. */
    readonly host: HostContext;
    readonly image: string;
}

/** One HTTP monitor per routed hostname. */
export interface MonitorSpec {
    readonly name: string;
    readonly url: string;
    /** Seconds between checks. */
    readonly intervalSeconds: number;
    /** Status codes that count as up, in Uptime Kuma's notation. */
    readonly acceptedStatusCodes: readonly string[];
}

/**
 * The monitors the stack should have, from the route table. Uptime Kuma has no write API
 * besides its socket.io UI protocol, so the list is a stack output to enter or import.
 */
export function monitorsFor(table: RouteTable): MonitorSpec[] {
    return table.http.map((r) => ({
        name: `${table.stack}/${r.name}`,
        url: `${routeUrl(table, r)}/`,
        intervalSeconds: 60,
        // A restricted admin UI answers 401 to a monitor without the edge credential: that
        // proves DNS, relay, tunnel and Caddy; the service itself is watched by its health check.
        acceptedStatusCodes: r.restricted ? ["401"] : ["200-399"],
    }));
}

/** Uptime Kuma 2 with its SQLite data on a local volume (it does not support network file systems). */
export class UptimeKuma extends pulumi.ComponentResource {
    /** The service's data volume (the backup mounts it read-only). */
    readonly dataVolume: docker.Volume;
    readonly containerName: string;
    readonly container: docker.Container;

    constructor(name: string, args: UptimeKumaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:monitoring:UptimeKuma", name, {}, opts);
        const spec = services.uptimeKuma;
        this.containerName = dockerName(args.host.stack, spec.container);
        const data = (this.dataVolume = persistentVolume(
            { stack: args.host.stack, service: spec.container, role: "platform", purpose: "data" },
            this,
            args.host.provider,
        ));
        this.container = createServiceContainer(
            name,
            {
                stack: args.host.stack,
                service: spec.container,
                role: "platform",
                containerName: this.containerName,
                image: args.image,
                // The server listens on UPTIME_KUMA_PORT, and the image's extra/healthcheck calls the same
                // variable's port: both follow the catalog, as Caddy's route does.
                envs: [`UPTIME_KUMA_PORT=${servicePort("uptimeKuma")}`],
                // The admin network (Caddy and Uptime Kuma only): apps on the edge network cannot reach its unauthenticated first-visit setup.
                networks: [args.host.networks.admin],
                // Ping monitors need raw sockets.
                capabilityDrops: DEFAULT_CAPABILITY_DROPS.filter((c) => c !== "NET_RAW"),
                volumes: [{ volume: data, target: "/app/data" }],
                // The image ships this checker (it is the image's own HEALTHCHECK).
                // Uptime Kuma keeps its state in SQLite: let it close the database.
                stopGraceSeconds: 30,
                healthcheck: { test: ["CMD", "extra/healthcheck"], startPeriodSeconds: 60 },
            },
            this,
            { provider: args.host.provider },
        ).container;
        this.registerOutputs({ containerName: this.containerName });
    }
}
