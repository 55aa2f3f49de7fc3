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
import type { HostContext } from "../docker/host";

export interface MysqlArgs {
    /** The Docker host: stack, provider, DOCKER_HOST, socket and networks. */
    readonly host: HostContext;
    readonly image: string;
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
        this.host = dockerName(args.host.stack, "mysql");
        const rootPassword = generatedPassword(`${name}-root-password`, this);
        const data = persistentVolume({ stack: args.host.stack, service: "mysql", role: "datastore", purpose: "data" }, this, args.host.provider);
        this.container = createServiceContainer(
            name,
            {
                stack: args.host.stack,
                service: "mysql",
                role: "datastore",
                containerName: this.host,
                image: args.image,
                envs: [pulumi.interpolate`MYSQL_ROOT_PASSWORD=${rootPassword.result}`],
                command: ["mysqld", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_0900_ai_ci"],
                // The internal apps-data network: the only network MySQL joins.
                networks: [args.host.networks.appsData],
                volumes: [{ volume: data, target: "/var/lib/mysql" }],
                // Answers even on access denied: it checks the server is up, not a login.
                // InnoDB flushes its buffer pool on a clean shutdown; crash recovery otherwise.
                stopGraceSeconds: 120,
                healthcheck: { test: ["CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "--silent"], intervalSeconds: 10, startPeriodSeconds: 60 },
                waitTimeoutSeconds: 300,
            },
            this,
            { provider: args.host.provider },
        ).container;

        const passwords = generatedPasswords(name, args.consumers, this);
        this.credentials = Object.fromEntries(
            args.consumers.map((c) => [
                c,
                { host: this.host, port: this.port, database: mysqlIdentifier(c), username: mysqlIdentifier(c), password: passwords[c]! },
            ]),
        );
        const script = pulumi
            .all(passwords)
            .apply((values) =>
                renderMysqlProvisioning(args.consumers.map((c) => ({ user: mysqlIdentifier(c), database: mysqlIdentifier(c), password: values[c]! }))),
            );
        this.provisioning = dockerExec(
            `${name}-provisioning`,
            {
                dockerHost: args.host.dockerHost,
                containerName: this.container.name,
                // The root password comes from the container's own env, never from a command line.
                script: MYSQL_PROVISIONING_SCRIPT,
                stdin: script,
                // mysql quotes the failing statement's text in its errors: it may set a password.
                logging: "none",
            },
            { parent: this, dependsOn: [this.container] },
        );
        this.registerOutputs({ host: this.host });
    }
}

/** Where the root password the server holds is recorded, inside the data volume it belongs to. */
export const MYSQL_ROOT_PASSWORD_RECORD = "/var/lib/mysql/.nexora-root-password";

/**
 * Runs the provisioning SQL (stdin) as root. MYSQL_ROOT_PASSWORD only initialises an empty data
 * directory: a data volume re-adopted by a fresh stack (after a destroy, the volumes are
 * retained) still holds the old root password while the container has a newly generated one.
 * So root logs in with the container's password, or else with the one recorded in the volume
 * at the last run; root is then set to the container's password, and that is recorded. The
 * password stays in the container's env and the volume (whoever holds the volume holds the data
 * anyway), never on a command line or in Pulumi's state.
 */
export const MYSQL_PROVISIONING_SCRIPT = [
    "set -e",
    `record=${MYSQL_ROOT_PASSWORD_RECORD}`,
    `login() { MYSQL_PWD="$1" mysql --protocol=socket -uroot -e 'SELECT 1' >/dev/null 2>&1; }`,
    `if login "$MYSQL_ROOT_PASSWORD"; then current="$MYSQL_ROOT_PASSWORD"`,
    `elif [ -s "$record" ] && login "$(cat "$record")"; then current="$(cat "$record")"`,
    `else echo "mysql provisioning: root logs in neither with the container's MYSQL_ROOT_PASSWORD nor with the password recorded in $record" >&2; exit 1; fi`,
    // A SQL string literal of the new password: quotes and backslashes doubled.
    `literal=$(printf '%s' "$MYSQL_ROOT_PASSWORD" | sed -e 's/\\\\/\\\\\\\\/g' -e "s/'/''/g")`,
    `{ printf "ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';\\n" "$literal"; printf "ALTER USER IF EXISTS 'root'@'%%' IDENTIFIED BY '%s';\\n" "$literal"; cat; } | MYSQL_PWD="$current" mysql --protocol=socket -uroot`,
    `(umask 077 && printf '%s' "$MYSQL_ROOT_PASSWORD" > "$record.next" && mv "$record.next" "$record")`,
].join("\n");

/** App keys allow hyphens; MySQL names get underscores instead. */
export function mysqlIdentifier(appKey: string): string {
    return appKey.replace(/-/g, "_");
}
