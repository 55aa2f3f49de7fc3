import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { BusinessApp } from "../apps/app";
import { services } from "../catalog";
import type { AppSettings, TlsMode } from "../config";
import { REVIEW_SITES_DIR, renderSiteSnippet } from "../edge/caddyfile";
import { caddyContainerName } from "../edge/caddy";
import { REVIEW_PROXIES_DIR, renderFrpcProxiesFile } from "../edge/frpc";
import { RELEASE_UPSTREAM_DIR } from "../edge/upstreams";
import type { RouteTable } from "../edge/types";
import { MYSQL_ROOT_PASSWORD_RECORD } from "../mysql/mysql";
import { renderMysqlProvisioning } from "../mysql/sql";
import { dockerName } from "../naming";
import { generatedPassword } from "../secrets/random";
import { shellQuote } from "../validators";
import { reviewDatabaseName, reviewDockerStack, reviewNetworkNames, type ReviewId, reviewStackName } from "./names";

/** What a review needs of the stack that hosts it: read from that stack's validated settings. */
export interface ReviewHost {
    readonly stack: string;
    readonly dockerHost: string;
    readonly tls: TlsMode;
    /** The host's Caddy ports (its route table's): the review's proxies point there. */
    readonly httpPort: number;
    readonly httpsPort: number;
    /** Whether the host runs the tunnel (then the review's hostname is added to its frpc). */
    readonly tunnel: boolean;
    /** Whether the host runs MySQL (it does when one of its apps has a database). */
    readonly mysql: boolean;
}

export interface ReviewEnvironmentArgs {
    readonly id: ReviewId;
    readonly host: ReviewHost;
    /** The app as the host configures it, with the review's image. */
    readonly app: AppSettings;
    readonly hostname: string;
    /** Memory limit of the review's container (the host's reviewMemoryMiB). */
    readonly memoryMiB: number;
    /** Values of the secret config keys the app's secretEnv names (the host's, secret). */
    readonly secretValues: Readonly<Record<string, pulumi.Output<string>>>;
}

/** A label on everything the review creates: `list`, `sweep` and the leftover checks find it by it. */
export const REVIEW_LABEL = "nexora.review";

/**
 * Runs a shell script in one of the host's containers on create (and on update: its triggers
 * changed), and another on delete. The host's containers are only exec'd into: never replaced,
 * never in this stack's state.
 */
function hostExec(
    name: string,
    args: { dockerHost: string; container: string; create: string; delete: string; stdin?: pulumi.Input<string>; logging?: "stderr" | "none" },
    opts: pulumi.CustomResourceOptions,
): command.local.Command {
    const run = (script: string) => `docker exec -i ${shellQuote(args.container)} sh -c ${shellQuote(script)}`;
    return new command.local.Command(
        name,
        {
            create: run(args.create),
            update: run(args.create),
            delete: run(args.delete),
            stdin: args.stdin,
            environment: { DOCKER_HOST: args.dockerHost },
            logging: args.logging ?? "stderr",
        },
        { ...opts, additionalSecretOutputs: ["stdout", "stderr"] },
    );
}

/** Attaches a host container to one of the review's networks (and detaches it on delete): `docker network connect`. */
function attach(name: string, dockerHost: string, network: pulumi.Input<string>, container: string, opts: pulumi.CustomResourceOptions): command.local.Command {
    const c = shellQuote(container);
    return new command.local.Command(
        name,
        {
            // A re-run after a partial failure finds it attached: detach first, then attach.
            create: pulumi.interpolate`docker network disconnect -f ${network} ${c} >/dev/null 2>&1 || true; docker network connect ${network} ${c}`,
            // Gone already (the host was destroyed first) is fine: the network goes next.
            delete: pulumi.interpolate`docker network disconnect -f ${network} ${c} 2>/dev/null || true`,
            environment: { DOCKER_HOST: dockerHost },
            logging: "stderr",
        },
        opts,
    );
}

/** The root login in the host's MySQL container: its own MYSQL_ROOT_PASSWORD, or the one recorded in its volume (components/mysql). */
const MYSQL_AS_ROOT = [
    "set -e",
    `if MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=socket -uroot -e 'SELECT 1' >/dev/null 2>&1; then pw="$MYSQL_ROOT_PASSWORD"; else pw="$(cat ${MYSQL_ROOT_PASSWORD_RECORD})"; fi`,
].join("\n");

/** Provisions the review's database and user: the SQL (it sets the password) comes on stdin. */
export const REVIEW_DB_CREATE_SCRIPT = `${MYSQL_AS_ROOT}\nMYSQL_PWD="$pw" mysql --protocol=socket -uroot`;

/** Drops the review's database and user; the names are [a-z0-9_] (reviewDatabaseName), quoted anyway. */
export function reviewDbDropScript(name: string): string {
    if (!/^[a-z_][a-z0-9_]{0,31}$/.test(name)) throw new Error(`review database name ${JSON.stringify(name)} is not a MySQL identifier of the review rule`);
    const sql = `DROP DATABASE IF EXISTS \`${name}\`; DROP USER IF EXISTS '${name}'@'%';`;
    return `${MYSQL_AS_ROOT}\nMYSQL_PWD="$pw" mysql --protocol=socket -uroot -e ${shellQuote(sql)}`;
}

/** Writes the review's site into the host Caddy's import directory, checks the whole config and reloads; takes it out on delete. */
/**
 * Writes the review's site into the host Caddy's include directory, validates and reloads; on
 * delete takes it out with the review's upstream directory (the release's switch writes it).
 */
export function caddySiteScripts(file: string, releaseService: string): { create: string; delete: string } {
    const path = `${REVIEW_SITES_DIR}/${file}`;
    return {
        create: [
            "set -e",
            `mkdir -p ${REVIEW_SITES_DIR}`,
            `cat > ${path}.next`,
            `mv ${path}.next ${path}`,
            // A site the host's Caddy refuses leaves the host's config as it was.
            `if ! caddy validate --config /etc/caddy/Caddyfile --adapter caddyfile >&2; then rm -f ${path}; exit 1; fi`,
            "caddy reload --config /etc/caddy/Caddyfile --adapter caddyfile >&2",
        ].join("\n"),
        delete: [
            "set -e",
            `rm -f ${path}`,
            `rm -rf ${RELEASE_UPSTREAM_DIR}/${releaseService}`,
            "caddy reload --config /etc/caddy/Caddyfile --adapter caddyfile >&2",
        ].join("\n"),
    };
}

/** Writes the review's proxies into the host frpc's includes directory, verifies and hot-reloads frpc; takes them out on delete. */
export function frpcProxyScripts(file: string): { create: string; delete: string } {
    const path = `${REVIEW_PROXIES_DIR}/${file}`;
    return {
        create: [
            "set -e",
            `mkdir -p ${REVIEW_PROXIES_DIR}`,
            `cat > ${path}.next`,
            `mv ${path}.next ${path}`,
            `if ! frpc verify -c /etc/frp/frpc.toml >&2; then rm -f ${path}; exit 1; fi`,
            "frpc reload -c /etc/frp/frpc.toml >&2",
        ].join("\n"),
        delete: ["set -e", `rm -f ${path}`, "frpc reload -c /etc/frp/frpc.toml >&2"].join("\n"),
    };
}

/** The review's route table: one HTTP route to its own container, on the host's Caddy ports. */
export function reviewRouteTable(args: Pick<ReviewEnvironmentArgs, "id" | "host" | "app" | "hostname">): RouteTable {
    const stack = reviewDockerStack(args.id);
    return {
        stack,
        httpPort: args.host.httpPort,
        httpsPort: args.host.httpsPort,
        http: [
            {
                // Released like the host's apps: the route imports the upstream the review's release switches.
                service: reviewStackName(args.id),
                released: true,
                hostname: args.hostname,
                upstream: { host: dockerName(stack, args.app.key), port: args.app.port },
                maxRequestBodyMiB: 100,
                securityHeaders: true,
                restricted: false,
                proxied: false,
            },
        ],
        tcp: [],
    };
}

/**
 * One review environment of a business app: its container from the MR's image with its own
 * generated secrets, its own networks (a web network the host's Caddy joins, a data network the
 * host's MySQL joins), its own MySQL database and user, and its site and proxies added to the
 * host's Caddy and frpc by their include directories and hot reloads. Nothing of the host stack
 * is declared here, so nothing of it can be replaced; every change to the host's containers
 * (network attachments, include files, the database) is undone on delete.
 */
export class ReviewEnvironment extends pulumi.ComponentResource {
    readonly url: string;
    readonly containerName: string;
    readonly networks: { web: docker.Network; data?: docker.Network };
    readonly app: BusinessApp;

    constructor(name: string, args: ReviewEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:review:ReviewEnvironment", name, {}, opts);
        const { id, host, app } = args;
        if (app.database && !host.mysql) throw new Error(`review of ${app.key}: the app has a database but host stack ${host.stack} runs no MySQL`);
        const stack = reviewDockerStack(id);
        const reviewStack = reviewStackName(id);
        const names = reviewNetworkNames(id);
        this.containerName = dockerName(stack, app.key);
        this.url = `https://${args.hostname}${host.httpsPort === 443 ? "" : `:${host.httpsPort}`}`;

        const provider = new docker.Provider(`${name}-docker`, { host: host.dockerHost }, { parent: this });
        const labels = [
            { label: "nexora.stack", value: stack },
            { label: REVIEW_LABEL, value: reviewStack },
            { label: "nexora.managed-by", value: "pulumi" },
        ];
        // Subnets from Docker's own pools: a review's networks are joined by name only.
        const web = new docker.Network(`${name}-web`, { name: names.web, driver: "bridge", labels }, { parent: this, provider });
        const data = app.database
            ? new docker.Network(`${name}-data`, { name: names.data, driver: "bridge", internal: true, labels }, { parent: this, provider })
            : undefined;
        this.networks = { web, data };

        const caddy = caddyContainerName(host.stack);
        const caddyAttached = attach(`${name}-caddy-attach`, host.dockerHost, web.name, caddy, { parent: this, dependsOn: [web] });

        let database: { host: string; port: number; database: string; username: string; password: pulumi.Output<string> } | undefined;
        const appDeps: pulumi.Resource[] = [caddyAttached];
        if (app.database && data) {
            const mysql = dockerName(host.stack, "mysql");
            const mysqlAttached = attach(`${name}-mysql-attach`, host.dockerHost, data.name, mysql, { parent: this, dependsOn: [data] });
            const dbName = reviewDatabaseName(app.key, id.mr);
            const password = generatedPassword(`${name}-db-password`, this).result;
            const provisioning = hostExec(
                `${name}-database`,
                {
                    dockerHost: host.dockerHost,
                    container: mysql,
                    create: REVIEW_DB_CREATE_SCRIPT,
                    delete: reviewDbDropScript(dbName),
                    stdin: password.apply((p) => renderMysqlProvisioning([{ user: dbName, database: dbName, password: p }])),
                    // mysql quotes a failing statement in its errors: it may set the password.
                    logging: "none",
                },
                { parent: this },
            );
            appDeps.push(mysqlAttached, provisioning);
            database = { host: mysql, port: 3306, database: dbName, username: dbName, password };
        }

        this.app = new BusinessApp(
            `${name}-app`,
            {
                host: { stack, provider, dockerHost: host.dockerHost, networks: { edge: web.name, appsData: data ? data.name : web.name } },
                app: { ...app, memoryMiB: args.memoryMiB },
                database,
                secretValues: args.secretValues,
                // A review gets no OAuth application of the host's GitLab: its redirect URL is not registered there.
                ssoEnv: undefined,
                // Its releases are health-gated like the host's apps, and switch the review's own upstream in the host's Caddy.
                edge: { caddyContainerName: caddy, after: [caddyAttached] },
                releaseService: reviewStack,
            },
            { parent: this, dependsOn: appDeps },
        );

        const table = reviewRouteTable(args);
        const file = `${reviewStack}`;
        const site = caddySiteScripts(`${file}.caddy`, reviewStack);
        const route = hostExec(
            `${name}-caddy-site`,
            {
                dockerHost: host.dockerHost,
                container: caddy,
                ...site,
                // trustedProxies empty: as the host's own sites (frpc passes TLS through without the client's address).
                stdin: renderSiteSnippet(table, { tls: host.tls, trustedProxies: [] }),
            },
            { parent: this, dependsOn: [this.app, caddyAttached] },
        );
        if (host.tunnel) {
            const proxies = frpcProxyScripts(`${file}.toml`);
            hostExec(
                `${name}-frpc-proxies`,
                {
                    dockerHost: host.dockerHost,
                    container: dockerName(host.stack, services.frpc.container),
                    ...proxies,
                    stdin: renderFrpcProxiesFile(table, { caddyHost: caddy }),
                },
                { parent: this, dependsOn: [route] },
            );
        }
        this.registerOutputs({ url: this.url, containerName: this.containerName });
    }
}
