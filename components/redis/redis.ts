import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createServiceContainer } from "../docker/service";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import { generatedPassword } from "../secrets/random";
import type { HostContext } from "../docker/host";

export interface RedisArgs {
    /** The Docker host: stack, provider, DOCKER_HOST, socket and networks. */
    readonly host: HostContext;
    readonly image: string;
}

/** Redis for Outline (cache, sessions and job queues); reachable only on the data network. */
export class Redis extends pulumi.ComponentResource {
    readonly host: string;
    readonly port = 6379;
    readonly container: docker.Container;
    /** Generated password every client authenticates with (`requirepass`). */
    readonly password: pulumi.Output<string>;

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:redis:Redis", name, {}, opts);
        this.host = dockerName(args.host.stack, "redis");
        const password = generatedPassword(`${name}-password`, this);
        this.password = password.result;
        // Outline keeps its job queue here: append-only persistence survives restarts.
        const data = persistentVolume({ stack: args.host.stack, service: "redis", role: "datastore", purpose: "data" }, this, args.host.provider);
        this.container = createServiceContainer(
            name,
            {
                stack: args.host.stack,
                service: "redis",
                role: "datastore",
                containerName: this.host,
                image: args.image,
                // redis-server first, so the image's entrypoint still drops to the redis user; the whole
                // command is secret because it carries the password.
                command: pulumi.secret(pulumi.all(["redis-server", "--appendonly", "yes", "--save", "60", "1000", "--requirepass", password.result])),
                // redis-cli (the health check) reads its password from REDISCLI_AUTH.
                envs: pulumi.secret(pulumi.all([pulumi.interpolate`REDISCLI_AUTH=${password.result}`])),
                // The internal data network: Redis joins nothing else and publishes no port.
                networks: [args.host.networks.data],
                volumes: [{ volume: data, target: "/data" }],
                // Redis fsyncs the append-only file and writes its snapshot on SIGTERM.
                stopGraceSeconds: 60,
                healthcheck: { test: ["CMD", "redis-cli", "ping"], intervalSeconds: 10, startPeriodSeconds: 10 },
                waitTimeoutSeconds: 120,
            },
            this,
            { provider: args.host.provider },
        ).container;
        this.registerOutputs({ host: this.host });
    }
}
