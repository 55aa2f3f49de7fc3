import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerName } from "../naming";
import { dockerSocketPath, numberToIpv4, parseCidr } from "../validators";

export interface DockerHostArgs {
    readonly stack: string;
    /** `unix:///var/run/docker.sock`, `ssh://user@host` or `tcp://host:port`. */
    readonly host: string;
    /** Subnet of the edge network (Caddy, FRP client, web services). */
    readonly edgeSubnet: string;
    /** Subnet of the internal network (data stores and their consumers). */
    readonly dataSubnet: string;
    /** Create the internal monitoring network (Prometheus, its exporters, Alertmanager, Grafana). @default false */
    readonly monitoring?: boolean;
}

/** The stack's networks, by role: the Docker names components join (Outputs of the DockerHost's networks, so joining one depends on it). */
export interface HostNetworks {
    /** Caddy, frpc and everything Caddy routes to. */
    readonly edge: pulumi.Input<string>;
    /** Internal: PostgreSQL, Redis and their consumers. */
    readonly data: pulumi.Input<string>;
    /** Internal: MySQL and the business apps. */
    readonly appsData: pulumi.Input<string>;
    /** Caddy and the admin UIs only its basic auth protects. */
    readonly admin: pulumi.Input<string>;
    /** Internal: Prometheus, its exporters, Alertmanager and Grafana. @default absent: monitoring is off */
    readonly monitoring?: pulumi.Input<string>;
}

/**
 * What a component needs of the Docker host it runs on, in one object: the stack (every Docker
 * name carries it), the provider, the daemon's address for the docker CLI, its socket, and the
 * networks. Built by DockerHost (`host.context`); components take it instead of separate fields.
 */
export interface HostContext {
    readonly stack: string;
    readonly provider: docker.Provider;
    /** DOCKER_HOST for the docker CLI (provisioning, health gates, releases): the stack's `dockerHost`. */
    readonly dockerHost: string;
    /** The daemon's socket on the Docker host (mounted by the containers that manage Docker). */
    readonly socketPath: string;
    readonly networks: HostNetworks;
    /** Docker name of the edge network, known at plan time (containers started by the backup join it by name). */
    readonly edgeNetworkName: string;
}

/**
 * The stack's Docker provider and its two networks. The data network is `internal`: containers
 * on it only reach each other, so PostgreSQL, Redis and MySQL have no route out or in.
 */
export class DockerHost extends pulumi.ComponentResource {
    readonly provider: docker.Provider;
    readonly edgeNetwork: docker.Network;
    readonly dataNetwork: docker.Network;
    /** Internal network of the business apps and MySQL only: apps never see PostgreSQL or Redis. */
    readonly appsDataNetwork: docker.Network;
    /**
     * Caddy and the admin UIs that only Caddy's basic auth protects (Uptime Kuma's first-visit
     * setup): apps on the edge network cannot reach them. Not internal: Uptime Kuma probes the public URLs.
     */
    readonly adminNetwork: docker.Network;
    /**
     * Internal network of Prometheus, the blackbox exporter, node-exporter, Alertmanager and Grafana:
     * apps on the edge network cannot query Prometheus. Present when monitoring is on.
     */
    readonly monitoringNetwork?: docker.Network;
    /** The daemon's socket on the Docker host (mounted by the containers that manage Docker). */
    readonly socketPath: string;
    /** Docker name of the edge network, known at plan time (the backup's helper containers join it by name). */
    readonly edgeNetworkName: string;
    /** All of the above for the components: one object to pass. */
    readonly context: HostContext;

    constructor(name: string, args: DockerHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:docker:DockerHost", name, {}, opts);
        this.provider = new docker.Provider(`${name}-provider`, { host: args.host }, { parent: this });
        this.socketPath = dockerSocketPath(args.host);
        const childOpts = { parent: this, provider: this.provider };
        this.edgeNetworkName = dockerName(args.stack, "edge");
        const labels = [
            { label: "nexora.stack", value: args.stack },
            { label: "nexora.managed-by", value: "pulumi" },
        ];
        this.edgeNetwork = new docker.Network(
            `${name}-edge`,
            { name: this.edgeNetworkName, driver: "bridge", ipamConfigs: [ipamConfig(args.edgeSubnet)], labels },
            childOpts,
        );
        this.dataNetwork = new docker.Network(
            `${name}-data`,
            { name: dockerName(args.stack, "data"), driver: "bridge", internal: true, ipamConfigs: [ipamConfig(args.dataSubnet)], labels },
            childOpts,
        );
        // Subnets from Docker's own address pools: nothing else joins these, and Docker picks ranges free on the host.
        this.appsDataNetwork = new docker.Network(
            `${name}-apps-data`,
            { name: dockerName(args.stack, "apps-data"), driver: "bridge", internal: true, labels },
            childOpts,
        );
        this.adminNetwork = new docker.Network(`${name}-admin`, { name: dockerName(args.stack, "admin"), driver: "bridge", labels }, childOpts);
        if (args.monitoring) {
            this.monitoringNetwork = new docker.Network(
                `${name}-monitoring`,
                { name: dockerName(args.stack, "monitoring"), driver: "bridge", internal: true, labels },
                childOpts,
            );
        }
        this.context = {
            stack: args.stack,
            provider: this.provider,
            dockerHost: args.host,
            socketPath: this.socketPath,
            networks: {
                edge: this.edgeNetwork.name,
                data: this.dataNetwork.name,
                appsData: this.appsDataNetwork.name,
                admin: this.adminNetwork.name,
                monitoring: this.monitoringNetwork?.name,
            },
            edgeNetworkName: this.edgeNetworkName,
        };
        this.registerOutputs({ edgeNetwork: this.edgeNetwork.name, dataNetwork: this.dataNetwork.name });
    }
}

/**
 * A network's IPAM config as Docker reads it back: the subnet and the gateway Docker gives it
 * (the subnet's first address). Declared with the subnet alone, the provider reads the gateway
 * back on a refresh and, the config being ForceNew, replaces the network and with it every
 * container on it (measured: `pulumi preview --refresh` replaced all of them).
 */
export function ipamConfig(subnet: string): { subnet: string; gateway: string } {
    const parsed = parseCidr(subnet, 0, 30);
    if (!parsed) throw new Error(`docker network: not an IPv4 subnet with room for a gateway: ${JSON.stringify(subnet)}`);
    return { subnet, gateway: numberToIpv4(parsed.start + 1) };
}
