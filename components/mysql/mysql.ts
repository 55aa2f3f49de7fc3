import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerExec } from "../docker/exec";
import { createServiceContainer } from "../docker/service";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import { generatedPassword, generatedPasswords } from "../secrets/random";
import type { DatabaseCredentials } from "../postgres/postgres";
import { renderMysqlProvisioning } from "./sql";

export interface MysqlArgs {
    readonly stack: string;
    readonly image: string;
    readonly provider: docker.Provider;
    readonly dockerHost: string;
    /** The internal data network: the only network MySQL joins. */
    readonly network: pulumi.Input<string>;
    /** One database + user each (business apps). */
    readonly consumers: readonly string[];
}

/**
 * The consolidated MySQL 8 of the business apps ("4-in-1"): one database and one user per app,
 * each user granted its own database only.
 */
export class Mysql extends pulumi.ComponentResource {
    readonly host: string;
    readonly port = 3306;
    readonly container: docker.Container;
    readonly provisioning: command.local.Command;
    readonly credentials: Readonly<Record<string, DatabaseCredentials>>;

    constructor(name: string, args: MysqlArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:mysql:Mysql", name, {}, opts);
        this.host = dockerName(args.stack, "mysql");
        const rootPassword = generatedPassword(`${name}-root-password`, this);
        const data = persistentVolume({ stack: args.stack, service: "mysql", role: "datastore", purpose: "data" }, this, args.provider);
        this.container = createServiceContainer(
            name,
            {
                stack: args.stack,
                service: "mysql",
                role: "datastore",
                containerName: this.host,
                image: args.image,
                envs: [pulumi.interpolate`MYSQL_ROOT_PASSWORD=${rootPassword.result}`],
                command: ["mysqld", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_0900_ai_ci"],
                networks: [args.network],
                volumes: [{ volume: data, target: "/var/lib/mysql" }],
                // Answers even on access denied: it checks the server is up, not a login.
                // InnoDB flushes its buffer pool on a clean shutdown; crash recovery otherwise.
                stopGraceSeconds: 120,
                healthcheck: { test: ["CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "--silent"], intervalSeconds: 10, startPeriodSeconds: 60 },
                waitTimeoutSeconds: 300,
            },
            this,
            { provider: args.provider },
        ).container;

        const passwords = generatedPasswords(name, args.consumers, this);
        this.credentials = Object.fromEntries(
            args.consumers.map((c) => [c, { host: this.host, port: this.port, database: mysqlIdentifier(c), username: mysqlIdentifier(c), password: passwords[c]! }]),
        );
        const script = pulumi
            .all(passwords)
            .apply((values) => renderMysqlProvisioning(args.consumers.map((c) => ({ user: mysqlIdentifier(c), database: mysqlIdentifier(c), password: values[c]! }))));
        this.provisioning = dockerExec(
            `${name}-provisioning`,
            {
                dockerHost: args.dockerHost,
                containerName: this.container.name,
                // The root password comes from the container's own env, never from a command line.
                script: 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysql --protocol=socket -uroot',
                stdin: script,
                // mysql quotes the failing statement's text in its errors: it may set a password.
                logging: "none",
            },
            { parent: this, dependsOn: [this.container] },
        );
        this.registerOutputs({ host: this.host });
    }
}

/** App keys allow hyphens; MySQL names get underscores instead. */
export function mysqlIdentifier(appKey: string): string {
    return appKey.replace(/-/g, "_");
}
