import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createServiceContainer, withExtraEnv } from "../docker/service";
import { INTERNAL_CA_FILE, type InternalCa, internalCaUploads } from "../edge/internal-ca";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import type { DatabaseCredentials } from "../postgres/postgres";
import { generatedPassword } from "../secrets/random";
import { servicePort, services } from "../catalog";
import type { HostContext } from "../docker/host";

export interface OutlineArgs {
    /** The Docker host: stack, provider, DOCKER_HOST, socket and networks. */
    readonly host: HostContext;
    readonly image: string;
    /** Public https URL, from the route table. */
    readonly url: string;
    readonly database: DatabaseCredentials;
    readonly redis: { readonly host: string; readonly port: number; readonly password: pulumi.Input<string> };
    /**
     * OIDC settings ("KEY=value" entries) from the SSO component: Outline's only login.
     * @default none — Outline starts without a login method
     */
    readonly oidcEnv?: pulumi.Input<pulumi.Input<string>[]>;
    /** Caddy's internal CA, trusted for the token exchange with GitLab (`tls internal` stacks). @default none */
    readonly internalCa?: InternalCa;
}

/** Where Outline keeps uploads with FILE_STORAGE=local (its image runs as uid 1001 and owns it). */
export const OUTLINE_DATA_DIR = "/var/lib/outline/data";

/** Outline wiki on PostgreSQL and Redis, files on a local volume (its default storage is S3). */
export class Outline extends pulumi.ComponentResource {
    /** The service's data volume (the backup mounts it read-only). */
    readonly dataVolume: docker.Volume;
    readonly containerName: string;
    readonly container: docker.Container;

    constructor(name: string, args: OutlineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:outline:Outline", name, {}, opts);
        const spec = services.outline;
        const port = servicePort("outline");
        this.containerName = dockerName(args.host.stack, spec.container);
        // Outline requires SECRET_KEY to be exactly 32 random bytes as 64 hex characters.
        const secretKey = new random.RandomBytes(`${name}-secret-key`, { length: 32 }, { parent: this });
        const utilsSecret = generatedPassword(`${name}-utils-secret`, this);
        const data = (this.dataVolume = persistentVolume(
            { stack: args.host.stack, service: spec.container, role: "platform", purpose: "data" },
            this,
            args.host.provider,
        ));
        const db = args.database;
        const baseEnv: pulumi.Input<string>[] = [
            "NODE_ENV=production",
            `URL=${args.url}`,
            `PORT=${port}`,
            pulumi.interpolate`SECRET_KEY=${secretKey.hex}`,
            pulumi.interpolate`UTILS_SECRET=${utilsSecret.result}`,
            pulumi.interpolate`DATABASE_URL=postgres://${db.username}:${db.password}@${db.host}:${db.port}/${db.database}`,
            // Private Docker network: no TLS between Outline and PostgreSQL.
            "PGSSLMODE=disable",
            // ioredis reads the password from the URL's userinfo (empty user: Redis's default user). Letters and digits only: no escaping.
            pulumi.interpolate`REDIS_URL=redis://:${args.redis.password}@${args.redis.host}:${args.redis.port}`,
            "FILE_STORAGE=local",
            `FILE_STORAGE_LOCAL_ROOT_DIR=${OUTLINE_DATA_DIR}`,
            "FILE_STORAGE_UPLOAD_MAX_SIZE=104857600",
            // Caddy terminates TLS and sets X-Forwarded-Proto.
            "FORCE_HTTPS=true",
            "ENABLE_UPDATES=false",
        ];
        if (args.internalCa) {
            // Node adds this file to its trusted roots; Outline's SSRF guard refuses private
            // addresses unless listed, and GitLab's public name resolves to Caddy's edge address.
            baseEnv.push(`NODE_EXTRA_CA_CERTS=${INTERNAL_CA_FILE}`, `ALLOWED_PRIVATE_IP_ADDRESSES=${args.internalCa.caddyAddress}`);
        }
        const envs = withExtraEnv(baseEnv, args.oidcEnv);
        // What the component waits for comes in opts.dependsOn (the Pulumi idiom): the container is what waits.
        this.container = createServiceContainer(
            name,
            {
                stack: args.host.stack,
                service: spec.container,
                role: "platform",
                containerName: this.containerName,
                image: args.image,
                envs,
                networks: [args.host.networks.edge, args.host.networks.data],
                volumes: [{ volume: data, target: OUTLINE_DATA_DIR }],
                uploads: internalCaUploads(args.internalCa),
                // Finishes in-flight requests and queue jobs.
                stopGraceSeconds: 30,
                healthcheck: { test: ["CMD-SHELL", `wget -qO- http://127.0.0.1:${port}/_health | grep -q OK`], startPeriodSeconds: 60 },
                waitTimeoutSeconds: 300,
            },
            this,
            { provider: args.host.provider, dependsOn: opts?.dependsOn },
        ).container;
        this.registerOutputs({ containerName: this.containerName });
    }
}
