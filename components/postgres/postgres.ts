import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerExec } from "../docker/exec";
import { createServiceContainer } from "../docker/service";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import { generatedPassword, generatedPasswords } from "../secrets/random";
import { renderPostgresProvisioning } from "./sql";
import type { HostContext } from "../docker/host";

export interface PostgresConsumerSpec {
    /** Role and database name, e.g. "gitlab". */
    readonly name: string;
    /** Extensions the superuser creates in the consumer's database. @default none */
    readonly extensions?: readonly string[];
}

export interface PostgresArgs {
    /** The Docker host: stack, provider, DOCKER_HOST, socket and networks. */
    readonly host: HostContext;
    readonly image: string;
    readonly consumers: readonly PostgresConsumerSpec[];
}

export interface DatabaseCredentials {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly username: string;
    readonly password: pulumi.Output<string>;
}

/**
 * PostgreSQL 16 shared by the platform: one role + database per consumer, each with its own
 * generated password. Provisioning runs psql inside the container once it is healthy and
 * re-runs whenever the script changes (a new consumer, a rotated password); the script is
 * idempotent, so a re-run creates nothing twice.
 */
export class Postgres extends pulumi.ComponentResource {
    readonly host: string;
    readonly port = 5432;
    readonly container: docker.Container;
    /** Finishes when every role, database and extension exists: consumers depend on it. */
    readonly provisioning: command.local.Command;
    readonly credentials: Readonly<Record<string, DatabaseCredentials>>;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:postgres:Postgres", name, {}, opts);
        this.host = dockerName(args.host.stack, "postgres");
        const superuserPassword = generatedPassword(`${name}-superuser-password`, this);
        const data = persistentVolume({ stack: args.host.stack, service: "postgres", role: "datastore", purpose: "data" }, this, args.host.provider);

        this.container = createServiceContainer(
            name,
            {
                stack: args.host.stack,
                service: "postgres",
                role: "datastore",
                containerName: this.host,
                image: args.image,
                envs: [
                    pulumi.interpolate`POSTGRES_PASSWORD=${superuserPassword.result}`,
                    "POSTGRES_USER=postgres",
                    "POSTGRES_INITDB_ARGS=--auth-host=scram-sha-256",
                ],
                // The internal data network: the only network PostgreSQL joins.
                networks: [args.host.networks.data],
                volumes: [{ volume: data, target: "/var/lib/postgresql/data" }],
                // A fast shutdown (SIGINT) checkpoints before exiting; crash recovery otherwise.
                stopGraceSeconds: 120,
                healthcheck: { test: ["CMD-SHELL", "pg_isready -U postgres -d postgres -h 127.0.0.1"], intervalSeconds: 10, startPeriodSeconds: 30 },
                waitTimeoutSeconds: 300,
                shmSizeMiB: 256,
            },
            this,
            { provider: args.host.provider },
        ).container;

        const names = args.consumers.map((c) => c.name);
        const passwords = generatedPasswords(name, names, this);
        this.credentials = Object.fromEntries(names.map((n) => [n, { host: this.host, port: this.port, database: n, username: n, password: passwords[n]! }]));
        const script = pulumi
            .all(passwords)
            .apply((values) =>
                renderPostgresProvisioning(
                    args.consumers.map((c) => ({ role: c.name, database: c.name, password: values[c.name]!, extensions: c.extensions })),
                ),
            );
        this.provisioning = dockerExec(
            `${name}-provisioning`,
            {
                dockerHost: args.host.dockerHost,
                containerName: this.container.name,
                // Local socket as the postgres OS user: peer/trust auth inside the container only.
                // Terse errors: psql does not quote the failing statement (it may set a password).
                script: "exec psql -v ON_ERROR_STOP=1 -v VERBOSITY=terse --no-psqlrc -q -U postgres -d postgres -f -",
                stdin: script,
                logging: "none",
            },
            { parent: this, dependsOn: [this.container] },
        );
        this.registerOutputs({ host: this.host });
    }
}
