import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createServiceContainer } from "../docker/service";
import { INTERNAL_CA_DIR, type InternalCa, internalCaUploads } from "../edge/internal-ca";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import { generatedPassword } from "../secrets/random";
import { servicePort, services } from "../catalog";
import type { HostContext } from "../docker/host";

export interface PortainerArgs {
    /** The Docker host: stack, provider, DOCKER_HOST, socket and networks. */
    readonly host: HostContext;
    readonly image: string;
    /** Caddy's internal CA, trusted for the token exchange with GitLab (`tls internal` stacks). @default none */
    readonly internalCa?: InternalCa;
}

export const DOCKER_SOCKET = "/var/run/docker.sock";

/**
 * Portainer CE on plain HTTP behind Caddy, managing the host's Docker through its socket.
 * Its admin password is generated and passed as a bcrypt hash: without one Portainer waits for
 * whoever opens its page first, then shuts itself down after five minutes.
 */
export class Portainer extends pulumi.ComponentResource {
    /** The service's data volume (the backup mounts it read-only). */
    readonly dataVolume: docker.Volume;
    readonly containerName: string;
    readonly container: docker.Container;
    /** Password of Portainer's `admin` user. */
    readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: PortainerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:portainer:Portainer", name, {}, opts);
        const spec = services.portainer;
        this.containerName = dockerName(args.host.stack, spec.container);
        const admin = generatedPassword(`${name}-admin-password`, this);
        this.adminPassword = admin.result;
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
                // The bcrypt hash is secret too: it would let anyone brute-force the password offline.
                // `--bind`: the plain-HTTP listener Caddy proxies to, on the catalog's port (Portainer's own
                // default is :9000).
                command: pulumi.secret(
                    pulumi.all([admin.bcryptHash]).apply(([hash]) => ["--http-enabled", "--bind", `:${servicePort("portainer")}`, "--admin-password", hash]),
                ),
                // Go's crypto/x509 reads every file of the SSL_CERT_DIR directories (besides the
                // image's bundle file): the CA's directory, and the image's default one kept.
                envs: args.internalCa ? [`SSL_CERT_DIR=${INTERNAL_CA_DIR}:/etc/ssl/certs`] : undefined,
                uploads: internalCaUploads(args.internalCa),
                networks: [args.host.networks.edge],
                volumes: [{ volume: data, target: "/data" }],
                binds: [{ source: args.host.socketPath, target: DOCKER_SOCKET }],
                // Portainer keeps its state in a BoltDB file: let it close the file.
                stopGraceSeconds: 30,
                healthcheck: {
                    test: ["CMD-SHELL", `wget -qO- http://127.0.0.1:${servicePort("portainer")}/api/system/status || exit 1`],
                    startPeriodSeconds: 20,
                },
            },
            this,
            { provider: args.host.provider },
        ).container;
        this.registerOutputs({ containerName: this.containerName });
    }
}
