import * as cloudflare from "@pulumi/cloudflare";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { BusinessApp } from "../apps/app";
import { services } from "../catalog";
import type { AppSettings, TlsMode } from "../config";
import { REVIEW_SITES_DIR, renderSiteSnippet } from "../edge/caddyfile";
import { caddyContainerName } from "../edge/caddy";
import { Dns } from "../edge/dns";
import { REVIEW_PROXIES_DIR, renderFrpcProxiesFile } from "../edge/frpc";
import { RELEASE_UPSTREAM_DIR } from "../edge/upstreams";
import { type InternalCa, readInternalCa } from "../edge/internal-ca";
import { gitlabApiBaseUrl } from "../gitlab/admin-token";
import { Provider as GitlabProvider } from "../gitlab/provider";
import { SsoApplication } from "../sso/application";
import { ssoRedirectUrl } from "../sso/endpoints";
import { appOauthEnv } from "../sso/env";
import type { RouteTable } from "../edge/types";
import { MYSQL_ROOT_PASSWORD_RECORD, mysqlIdentifier } from "../mysql/mysql";
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
    /**
     * The host's Cloudflare DNS (`dnsEnabled`): the review's hostname gets a record like the
     * host's routes, in the same zone, pointing at the same relay. @default none (no DNS record)
     */
    readonly dns?: { readonly zone: string; readonly relayAddress: string; readonly proxied: boolean };
    /** The host's GitLab (`gitlabEnabled`), for the OAuth application of a review of an app with `sso`. @default none */
    readonly gitlab?: {
        /** Its public URL, from the host's route table. */
        readonly url: string;
        /** Its public hostname: with Caddy's internal CA, Caddy answers to it on the review's web network. */
        readonly hostname: string;
        /** Caddy's fixed address on the host's edge network (what the host's consumers of the internal CA are told). */
        readonly caddyAddress: string;
    };
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
    /**
     * The host's `cloudflare:apiToken` (secret), for the review's DNS record; absent, the Cloudflare
     * provider reads CLOUDFLARE_API_TOKEN as the host's deployment does. @default none
     */
    readonly cloudflareApiToken?: pulumi.Output<string>;
    /** An admin API token of the host's GitLab (secret): required for an app with `sso`. @default none */
    readonly gitlabApiToken?: pulumi.Output<string>;
    /**
     * Copy the host app's database into the review's before the app starts (`--seed-from-host`),
     * inside the host's MySQL container. @default false (the review's database starts empty)
     */
    readonly seedFromHost?: boolean;
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
function attach(
    name: string,
    dockerHost: string,
    network: pulumi.Input<string>,
    container: string,
    opts: pulumi.CustomResourceOptions,
    aliases: readonly string[] = [],
): command.local.Command {
    const c = shellQuote(container);
    const alias = aliases.map((a) => ` --alias ${shellQuote(a)}`).join("");
    return new command.local.Command(
        name,
        {
            // A re-run after a partial failure finds it attached: detach first, then attach.
            create: pulumi.interpolate`docker network disconnect -f ${network} ${c} >/dev/null 2>&1 || true; docker network connect${alias} ${network} ${c}`,
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

/**
 * Copies the host app's database into the review's, inside the host's MySQL container: the dump
 * goes through a pipe there, never through the machine running the tool or any file. A
 * consistent snapshot (--single-transaction) with triggers and routines; their DEFINER becomes
 * the review's user (the host app's user has no rights on the review's database). mysqldump's
 * DROP TABLE IF EXISTS makes a second copy replace the tables rather than fail.
 */
export function reviewSeedScript(hostDatabase: string, reviewDatabase: string): string {
    for (const name of [hostDatabase, reviewDatabase]) {
        if (!/^[a-z_][a-z0-9_]{0,63}$/.test(name)) throw new Error(`database name ${JSON.stringify(name)} is not a MySQL identifier of the review rule`);
    }
    if (hostDatabase === reviewDatabase) throw new Error(`review seed: source and target are both ${hostDatabase}`);
    const sed = shellQuote(`s/DEFINER=\`[^\`]*\`@\`[^\`]*\`/DEFINER=\`${reviewDatabase}\`@\`%\`/g`);
    return [
        MYSQL_AS_ROOT,
        // A failed dump must fail the copy. POSIX sh has no pipefail (Debian's dash): mysqldump's
        // status comes out on fd 3; mysql's failure fails the substitution, and so the script.
        "exec 4>&1",
        `dumped=$( { { MYSQL_PWD="$pw" mysqldump --protocol=socket -uroot --single-transaction --routines --triggers --no-tablespaces ${shellQuote(hostDatabase)}; echo $? >&3; }` +
            ` | sed -e ${sed} | MYSQL_PWD="$pw" mysql --protocol=socket -uroot ${shellQuote(reviewDatabase)} >&4; } 3>&1 )`,
        `if [ "$dumped" != 0 ]; then echo "mysqldump of ${hostDatabase} failed (exit $dumped): ${reviewDatabase} may hold part of it" >&2; exit 1; fi`,
    ].join("\n");
}

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
                name: reviewStackName(args.id),
                released: true,
                hostname: args.hostname,
                upstream: { host: dockerName(stack, args.app.key), port: args.app.port },
                maxRequestBodyMiB: 100,
                securityHeaders: true,
                restricted: false,
                // As the host's own routes (dnsProxied): only the DNS record reads it.
                proxied: args.host.dns?.proxied ?? false,
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
        if (app.sso && (!host.gitlab || !args.gitlabApiToken))
            throw new Error(`review of ${app.key}: the app has sso but no GitLab (and API token) of host stack ${host.stack} was passed in`);
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
        // With Caddy's internal CA, GitLab's public name resolves nowhere inside the app's container:
        // Caddy answers to it on the review's web network, as it does on the host's edge network.
        const gitlabAlias = app.sso && host.gitlab && host.tls === "internal" ? [host.gitlab.hostname] : [];
        const caddyAttached = attach(`${name}-caddy-attach`, host.dockerHost, web.name, caddy, { parent: this, dependsOn: [web] }, gitlabAlias);
        const sso = app.sso ? this.createSso(name, args) : undefined;

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
            if (args.seedFromHost) {
                const seed = new command.local.Command(
                    `${name}-seed`,
                    {
                        create: `docker exec -i ${shellQuote(mysql)} sh -c ${shellQuote(reviewSeedScript(mysqlIdentifier(app.key), dbName))}`,
                        environment: { DOCKER_HOST: host.dockerHost },
                        // mysql quotes a failing statement in its errors: that is the host's data.
                        logging: "none",
                    },
                    // Copied once, when asked: a later version of the script does not copy again over the review's changes.
                    { parent: this, dependsOn: [provisioning], ignoreChanges: ["create"], additionalSecretOutputs: ["stdout", "stderr"] },
                );
                appDeps.push(seed);
            }
            database = { host: mysql, port: 3306, database: dbName, username: dbName, password };
        }

        this.app = new BusinessApp(
            `${name}-app`,
            {
                host: { stack, provider, dockerHost: host.dockerHost, networks: { edge: web.name, appsData: data ? data.name : web.name } },
                app: { ...app, memoryMiB: args.memoryMiB },
                database,
                secretValues: args.secretValues,
                // Its own OAuth application, whose redirect URL is on the review's hostname.
                ssoEnv: sso?.env,
                internalCa: sso?.internalCa,
                // Its releases are health-gated like the host's apps, and switch the review's own upstream in the host's Caddy.
                edge: { caddyContainerName: caddy, after: [caddyAttached] },
                releaseService: reviewStack,
            },
            { parent: this, dependsOn: appDeps },
        );

        const table = reviewRouteTable(args);
        // As the host's Dns component for its routes: an A record at the relay, before Caddy's reload asks ACME for the name.
        const dns = host.dns
            ? new Dns(
                  `${name}-dns`,
                  { table, zone: host.dns.zone, relayAddress: host.dns.relayAddress },
                  {
                      parent: this,
                      providers: [new cloudflare.Provider(`${name}-cloudflare`, { apiToken: args.cloudflareApiToken }, { parent: this })],
                  },
              )
            : undefined;
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
            { parent: this, dependsOn: [this.app, caddyAttached, ...(dns?.records ?? [])] },
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

    /**
     * The review's own OAuth application on the host's GitLab (named after the review's Docker
     * stack, redirecting to the review's hostname) and the env the app gets on the host
     * (appOauthEnv); with Caddy's internal CA, the CA read from the host's Caddy.
     */
    private createSso(name: string, args: ReviewEnvironmentArgs): { env: pulumi.Input<string>[]; internalCa?: InternalCa } {
        const { host, app } = args;
        const gitlab = host.gitlab!;
        const sso = app.sso!;
        const provider = new GitlabProvider(
            `${name}-gitlab`,
            // insecure as the host's provider: with Caddy's internal CA the machine running Pulumi does not trust GitLab's certificate.
            { baseUrl: gitlabApiBaseUrl(gitlab.url), token: args.gitlabApiToken!, insecure: host.tls === "internal", retries: 5 },
            { parent: this },
        );
        const client = new SsoApplication(
            `${name}-sso`,
            {
                consumer: `app-${app.key}`,
                redirectUrl: ssoRedirectUrl(this.url, sso.redirectPath),
                scopes: sso.scopes,
                provider,
                stack: reviewDockerStack(args.id),
            },
            { parent: this },
        );
        const internalCa =
            host.tls === "internal"
                ? readInternalCa(
                      `${name}-internal-ca`,
                      {
                          dockerHost: host.dockerHost,
                          caddyContainer: caddyContainerName(host.stack),
                          caddyContainerId: caddyContainerName(host.stack),
                          caddyAddress: gitlab.caddyAddress,
                      },
                      { parent: this },
                  ).ca
                : undefined;
        return { env: appOauthEnv({ gitlabUrl: gitlab.url, clientId: client.clientId, clientSecret: client.clientSecret }), internalCa };
    }
}
