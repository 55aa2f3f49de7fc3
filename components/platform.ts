import * as pulumi from "@pulumi/pulumi";
import { BusinessApp } from "./apps/app";
import type { PlatformConfig } from "./config";
import { DockerHost, type HostContext } from "./docker/host";
import { Caddy, caddyContainerName } from "./edge/caddy";
import { renderCaddyfile, REVIEW_SITES_GLOB } from "./edge/caddyfile";
import { Dns } from "./edge/dns";
import { renderFrpcToml, REVIEW_PROXIES_DIR, REVIEW_PROXIES_GLOB } from "./edge/frpc";
import { gitlabSshRoute, routeOf, routeUrl, urlOf } from "./edge/routes";
import { Tunnel } from "./edge/tunnel";
import type { RouteTable } from "./edge/types";
import { Gitlab } from "./gitlab/gitlab";
import { Grafana } from "./grafana/grafana";
import { monitorsFor, MonitorSpec, UptimeKuma } from "./monitoring/uptime-kuma";
import { Mysql } from "./mysql/mysql";
import { dockerName } from "./naming";
import { Outline } from "./outline/outline";
import { Portainer } from "./portainer/portainer";
import { PortainerAdminPassword } from "./portainer/admin-password";
import { GitlabRootPassword } from "./gitlab/root-password";
import { Portal } from "./portal/portal";
import { Postgres, PostgresConsumerSpec } from "./postgres/postgres";
import { Redis } from "./redis/redis";
import { Identity } from "./identity/identity";
import { ssoRedirectUrl } from "./sso/endpoints";
import { GitlabRunner } from "./runner/runner";
import { generatedPassword } from "./secrets/random";
import { Backup } from "./backup/backup";
import { backupStores } from "./backup/stores";
import * as docker from "@pulumi/docker";
import { GitlabContent } from "./gitlab/content";
import { lastHostAddress } from "./validators";
import { runningServices, servicePort, services, type ServiceKey } from "./catalog";
import { type Monitor, type MonitorInputs, monitorList } from "./monitoring/monitors";
import { Monitoring } from "./monitoring/monitoring";
import { renderHealScript } from "./monitoring/healer";
import { renderKumaMonitors } from "./monitoring/kuma";
import {
    ALERTMANAGER_PORT,
    BLACKBOX_PORT,
    NODE_EXPORTER_PORT,
    PROMETHEUS_PORT,
    renderAlertmanagerConfig,
    renderAlertRules,
    renderBlackboxConfig,
    renderPrometheusConfig,
    renderProbeTargets,
} from "./monitoring/render";
import { SPOOL_PATH } from "./backup/manifest";

/** Username of the basic auth in front of restricted admin UIs. */
export const EDGE_ADMIN_USER = "nexora-admin";

/** Generated text artifacts of a stack (for `plan --out` and for review). */
export interface PlatformArtifacts {
    /** Present when the stack runs GitLab. */
    readonly gitlabRb?: pulumi.Output<string>;
    readonly caddyfile: pulumi.Output<string>;
    /** Present when the tunnel is on; secret (it carries the frps token). */
    readonly frpcToml?: pulumi.Output<string>;
    /** Present when monitoring is on: prometheus.yml, the alert rules, blackbox.yml (no secrets in them). */
    readonly monitoring?: Readonly<Record<string, string>>;
}

/** The data stores every stack runs (MySQL only with an app that has a database). */
interface DataStores {
    readonly postgres: Postgres;
    readonly redis: Redis;
    readonly mysql?: Mysql;
}

/** The edge: Caddy, what it serves, and what must exist before GitLab's public name answers. */
interface Edge {
    readonly caddy: Caddy;
    readonly caddyfile: pulumi.Output<string>;
    readonly frpcToml?: pulumi.Output<string>;
    /** The edge basic-auth user's password. */
    readonly adminPassword: pulumi.Output<string>;
    readonly publicPath: pulumi.Resource[];
    /** What released services switch their route in, and after what. */
    readonly release: { readonly caddyContainerName: pulumi.Output<string>; readonly after: pulumi.Resource[] };
}

interface AdminServices {
    readonly portainer?: Portainer;
    readonly uptimeKuma?: UptimeKuma;
    /** Adopted Portainer data: the old admin password replaced by the generated one, before the OAuth settings log in. */
    readonly portainerAdminRotation?: PortainerAdminPassword;
}

/** The identity step's result: GitLab's public URL and the component holding its provider and the OAuth settings. */
interface Sso {
    readonly component: Identity;
    readonly gitlabUrl: string;
}

/** The services the services step built that other steps read (the backup their data volumes), by service key. */
interface RunningServices {
    readonly outline?: Outline;
    readonly grafana?: Grafana;
}

/**
 * The whole Nexora platform of one stack, built in named steps in bootstrap order (the
 * constructor reads as it): the Docker host → data stores → the identity provider's container →
 * the edge → admin UIs → identity (admin token, readiness, OAuth applications) → services → apps
 * → backups → monitoring. The engine's order still comes from data dependencies: PostgreSQL
 * (healthy) → roles/databases → GitLab (healthy) → admin token → OAuth applications →
 * Outline/Grafana/apps with their client credentials; Caddy, DNS and the tunnel depend only on
 * what they route to, so the graph stays wide.
 */
export class Platform extends pulumi.ComponentResource {
    readonly routes: RouteTable;
    /** Public URL per route name (the `urls` output). */
    readonly urls: Readonly<Record<string, string>>;
    readonly monitors: readonly MonitorSpec[];
    readonly artifacts: PlatformArtifacts;
    /** Secrets an operator needs once (first logins). */
    readonly adminCredentials: pulumi.Output<Record<string, string>>;
    /** Mattermost's GitLab login settings (MM_GITLABSETTINGS_*, secret), when configured. */
    readonly mattermostOAuth?: pulumi.Output<Record<string, string>>;
    /** The GitLab admin API token review environments create their OAuth applications with (secret; reviewsEnabled with GitLab). */
    readonly reviewGitlabToken?: pulumi.Output<string>;
    /** Scheduled backups (`nexora:backupEnabled`). */
    readonly backup?: Backup;
    /** What Prometheus watches (`nexora:monitoringEnabled`): the monitor list and its component. */
    watch?: { readonly monitors: readonly Monitor[]; readonly component: Monitoring; readonly files: Readonly<Record<string, string>> };

    constructor(name: string, config: PlatformConfig, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:platform:Platform", name, {}, opts);
        // Built and validated with the rest of the config (parseSettings): a bad route is a config error there.
        this.routes = config.routes;
        this.urls = Object.fromEntries(config.routes.http.map((r) => [r.name, routeUrl(config.routes, r)]));
        this.monitors = monitorsFor(config.routes);

        // Each step takes what the ones before it built.
        const { context: host } = new DockerHost(
            "docker",
            {
                stack: config.stack,
                host: config.dockerHost,
                edgeSubnet: config.edgeSubnet,
                dataSubnet: config.dataSubnet,
                monitoring: config.features.monitoring,
            },
            { parent: this },
        );
        const stores = this.dataStores(config, host);
        const gitlab = this.identityProvider(config, host, stores);
        const edge = this.edge(config, host);
        const admin = this.adminServices(config, host, edge);
        const sso = this.identity(config, { host, gitlab, edge, admin });
        const running = this.services(config, host, { stores, edge, sso });
        this.apps(config, host, { stores, edge, sso });
        if (config.backup.enabled) this.backup = this.backups(config, host, { ...running, ...admin, caddy: edge.caddy });
        if (config.features.monitoring) this.watch = this.monitoring(config, { host, stores, uptimeKumaOn: admin.uptimeKuma !== undefined });

        this.mattermostOAuth = sso?.component.mattermost;
        this.reviewGitlabToken = config.reviews.enabled ? sso?.component.apiToken : undefined;
        this.artifacts = { gitlabRb: gitlab?.omnibusConfig, caddyfile: edge.caddyfile, frpcToml: edge.frpcToml, monitoring: this.watch?.files };
        this.adminCredentials = pulumi.secret(
            pulumi.all({
                ...(gitlab ? { gitlabRoot: gitlab.rootPassword } : {}),
                ...(admin.portainer ? { portainerAdmin: admin.portainer.adminPassword } : {}),
                edgeAdmin: edge.adminPassword,
                ...(running.grafana ? { grafanaAdmin: running.grafana.adminPassword } : {}),
            }),
        );
        this.registerOutputs({ urls: this.urls });
    }

    /** PostgreSQL with a database for each running service that has one (catalog.ts), Redis, and MySQL when an app has a database. */
    private dataStores(config: PlatformConfig, host: HostContext): DataStores {
        const consumers: PostgresConsumerSpec[] = runningServices(config.features).flatMap((s) =>
            s.postgres ? [{ name: s.postgres.database, ...(s.postgres.extensions ? { extensions: s.postgres.extensions } : {}) }] : [],
        );
        const postgres = new Postgres("postgres", { host, image: config.images.postgres, consumers }, { parent: this });
        const redis = new Redis("redis", { host, image: config.images.redis }, { parent: this });
        const appsWithDb = config.apps.filter((a) => a.database).map((a) => a.key);
        const mysql = appsWithDb.length > 0 ? new Mysql("mysql", { host, image: config.images.mysql, consumers: appsWithDb }, { parent: this }) : undefined;
        return { postgres, redis, mysql };
    }

    /** GitLab's container, the identity provider: after PostgreSQL has its database. */
    private identityProvider(config: PlatformConfig, host: HostContext, stores: DataStores): Gitlab | undefined {
        const { routes, features } = config;
        if (!features.gitlab) return undefined;
        const ssh = gitlabSshRoute(routes);
        const gitlab = new Gitlab(
            "gitlab",
            {
                host,
                image: config.images.gitlab,
                externalUrl: urlOf(routes, "gitlab"),
                sshHost: ssh?.hostname ?? routeOf(routes, "gitlab").hostname,
                sshPort: ssh?.remotePort ?? servicePort("gitlab", "ssh"),
                registryExternalUrl: features.registry ? urlOf(routes, "registry") : undefined,
                caddyAddress: lastHostAddress(config.edgeSubnet),
                database: stores.postgres.credentials.gitlab!,
                publishSshPort: config.publish.ssh || undefined,
            },
            { parent: this, dependsOn: [stores.postgres.provisioning] },
        );
        // Adopted data keeps the root password it came with: the program sets its own (docs/adopt-claw-bot.md).
        if (config.adoption.credentials.includes("gitlab-root"))
            new GitlabRootPassword(
                "gitlab-root-password",
                { containerName: gitlab.container.name, dockerHost: config.dockerHost, password: gitlab.rootPassword },
                { parent: this, dependsOn: [gitlab.container] },
            );
        return gitlab;
    }

    /** Caddy, DNS and the tunnel, all from the one route table; they wait for nothing they route to. */
    private edge(config: PlatformConfig, host: HostContext): Edge {
        const { routes, stack } = config;
        const edgeAdmin = generatedPassword("edge-admin-password", this);
        const caddyfile = pulumi.secret(
            edgeAdmin.bcryptHash.apply((passwordHash) =>
                renderCaddyfile(routes, {
                    tls: config.tls,
                    acmeEmail: config.tls === "acme" ? config.acmeEmail : undefined,
                    // frpc passes TLS through without the client's address, so the only peer Caddy sees
                    // is frpc: trusting it would let any client forge X-Forwarded-For.
                    trustedProxies: [],
                    adminAuth: { username: EDGE_ADMIN_USER, passwordHash },
                    importGlob: config.reviews.enabled ? REVIEW_SITES_GLOB : undefined,
                }),
            ),
        );
        // DNS and the tunnel come first: Caddy's reload starts ACME for every name at once, and a
        // challenge that cannot reach Caddy yet is retried only minutes later.
        const publicRoute: pulumi.Resource[] = [];
        if (config.dns.enabled) {
            const dns = new Dns(
                "dns",
                { table: routes, zone: config.dns.zone, relayAddress: config.dns.relayAddress, imports: config.adoption.dnsRecords },
                { parent: this },
            );
            publicRoute.push(...dns.records);
        }
        let frpcToml: pulumi.Output<string> | undefined;
        if (config.tunnel.enabled) {
            const tunnel = config.tunnel;
            frpcToml = pulumi.secret(
                config.secrets.frpToken!.apply((authToken) =>
                    renderFrpcToml(routes, {
                        serverAddr: tunnel.serverAddr,
                        serverPort: tunnel.serverPort,
                        authToken,
                        user: dockerName(stack),
                        caddyHost: caddyContainerName(stack),
                        adminPort: servicePort("frpc", "admin"),
                        includes: config.reviews.enabled ? [REVIEW_PROXIES_GLOB] : undefined,
                    }),
                ),
            );
            // Not after Caddy: until Caddy runs, relayed connections fail as they would during a Caddy restart.
            const tunnelClient = new Tunnel(
                "tunnel",
                { host, image: config.images.frpc, frpcToml, includeDirs: config.reviews.enabled ? [REVIEW_PROXIES_DIR] : undefined },
                { parent: this },
            );
            publicRoute.push(tunnelClient.apply);
        }
        // With Caddy's internal CA (dev), GitLab's public name resolves nowhere inside the containers
        // and its certificate is trusted by no one: Caddy answers to that name on the edge network
        // and hands its root certificate to every service that exchanges tokens with GitLab.
        const internalTlsSso = config.tls === "internal" && config.features.gitlab;
        const caddy = new Caddy(
            "caddy",
            {
                host,
                image: config.images.caddy,
                edgeAddress: lastHostAddress(config.edgeSubnet),
                extraNetworks: config.features.uptimeKuma ? [host.networks.admin] : [],
                caddyfile,
                httpPort: routes.httpPort,
                httpsPort: routes.httpsPort,
                publish: config.publish.http > 0 || config.publish.https > 0,
                reloadAfter: publicRoute,
                edgeAliases: internalTlsSso ? [routeOf(routes, "gitlab").hostname] : undefined,
                shareInternalCa: internalTlsSso,
            },
            // Routes to services that are not up yet only answer 502; Caddy need not wait for them.
            { parent: this },
        );
        return {
            caddy,
            caddyfile,
            frpcToml,
            adminPassword: edgeAdmin.result,
            // What must exist before anything calls GitLab by its public name (the readiness gate, then the gitlab provider).
            publicPath: [caddy.reload, ...publicRoute],
            // Released services switch Caddy's route to a new container once it is healthy: after Caddy's reload.
            release: { caddyContainerName: caddy.container.name, after: [caddy.reload] },
        };
    }

    /** The admin UIs: Portainer (its GitLab login comes with the identity step) and Uptime Kuma (behind the edge basic auth). */
    private adminServices(config: PlatformConfig, host: HostContext, edge: Edge): AdminServices {
        const { features, images } = config;
        const portainer = features.portainer
            ? new Portainer("portainer", { host, image: images.portainer, internalCa: edge.caddy.internalCa }, { parent: this })
            : undefined;
        const uptimeKuma = features.uptimeKuma
            ? new UptimeKuma(services.uptimeKuma.container, { host, image: images.uptimeKuma }, { parent: this })
            : undefined;
        // Adopted data keeps the credentials it came with: the program sets its own (docs/adopt-claw-bot.md).
        const portainerAdminRotation =
            portainer && config.adoption.credentials.includes("portainer-admin")
                ? new PortainerAdminPassword(
                      "portainer-admin-password",
                      {
                          dockerHost: config.dockerHost,
                          portainerContainer: portainer.container.name,
                          dataVolume: portainer.dataVolume.name,
                          password: portainer.adminPassword,
                          clientImage: images.portainerApiClient,
                      },
                      { parent: this, dependsOn: [portainer.container] },
                  )
                : undefined;
        return { portainer, uptimeKuma, portainerAdminRotation };
    }

    /**
     * GitLab's admin token, its readiness at the public URL, and the OAuth applications of every
     * service and app that logs in through it. Without GitLab there is no identity provider: every
     * service keeps its own login.
     */
    private identity(config: PlatformConfig, parts: { host: HostContext; gitlab?: Gitlab; edge: Edge; admin: AdminServices }): Sso | undefined {
        const { routes, features } = config;
        const { gitlab, edge } = parts;
        const { portainer, portainerAdminRotation } = parts.admin;
        if (!gitlab) return undefined;
        const component = new Identity(
            "identity",
            {
                host: parts.host,
                gitlabUrl: urlOf(routes, "gitlab"),
                outlineUrl: features.outline ? urlOf(routes, "outline") : undefined,
                existingOutlineApplication:
                    config.adoption.outlineOAuthApplication === undefined
                        ? undefined
                        : { importId: config.adoption.outlineOAuthApplication, clientSecret: config.secrets.adoptOutlineClientSecret! },
                grafanaUrl: features.grafana ? urlOf(routes, "grafana") : undefined,
                gitlabContainer: gitlab.container,
                existingApiToken: config.secrets.gitlabApiToken,
                tokenRotation: config.gitlabTokenRotation,
                insecureTls: config.tls === "internal",
                caddyContainerName: edge.caddy.container.name,
                portainer: portainer
                    ? {
                          url: urlOf(routes, "portainer"),
                          container: portainer.container,
                          adminPassword: portainer.adminPassword,
                          apiClientImage: config.images.portainerApiClient,
                          ready: portainerAdminRotation ? [portainerAdminRotation.command] : undefined,
                      }
                    : undefined,
                publicPath: edge.publicPath,
                mattermostUrl: config.mattermostUrl === "" ? undefined : config.mattermostUrl,
                apps: config.apps.flatMap((a) =>
                    a.sso ? [{ key: a.key, redirectUrl: ssoRedirectUrl(urlOf(routes, a.key), a.sso.redirectPath), scopes: a.sso.scopes }] : [],
                ),
            },
            { parent: this },
        );
        return { component, gitlabUrl: urlOf(routes, "gitlab") };
    }

    /** The services that log in through GitLab or serve content (Outline, the portal, Grafana, the runner). */
    private services(config: PlatformConfig, host: HostContext, parts: { stores: DataStores; edge: Edge; sso?: Sso }): RunningServices {
        const { routes, features, images, stack } = config;
        const { stores, edge, sso } = parts;
        const { postgres, redis } = stores;
        const internalCa = edge.caddy.internalCa;
        const outline = features.outline
            ? new Outline(
                  "outline",
                  {
                      host,
                      image: images.outline,
                      url: urlOf(routes, "outline"),
                      database: postgres.credentials.outline!,
                      redis: { host: redis.host, port: redis.port, password: redis.password },
                      oidcEnv: sso!.component.outlineEnv!,
                      internalCa,
                  },
                  { parent: this, dependsOn: [postgres.provisioning, redis.container] },
              )
            : undefined;
        if (features.portal) new Portal("portal", { host, image: images.portal, edge: edge.release }, { parent: this });
        const grafana = features.grafana
            ? new Grafana(
                  "grafana",
                  {
                      host,
                      image: images.grafana,
                      url: urlOf(routes, "grafana"),
                      database: postgres.credentials.grafana!,
                      oauthEnv: sso!.component.grafanaEnv,
                      internalCa,
                      prometheus: host.networks.monitoring
                          ? { url: `http://${dockerName(stack, "prometheus")}:${PROMETHEUS_PORT}`, network: host.networks.monitoring }
                          : undefined,
                  },
                  { parent: this, dependsOn: [postgres.provisioning] },
              )
            : undefined;
        if (features.gitlabRunner) {
            new GitlabRunner(
                services.gitlabRunner.container,
                { host, image: images.gitlabRunner, gitlabUrl: sso!.gitlabUrl, gitlabProvider: sso!.component.provider },
                { parent: this },
            );
        }
        return { outline, grafana };
    }

    /** GitLab's groups and product projects, then the business apps (each pulling with its product's deploy token when it has one). */
    private apps(config: PlatformConfig, host: HostContext, parts: { stores: DataStores; edge: Edge; sso?: Sso }): void {
        const { stores, edge, sso } = parts;
        // GitLab content: groups, product projects, their variables, protections, hooks, deploy tokens.
        const content = config.gitlabContent;
        const registryApps = config.apps.filter((a) => a.registry !== undefined);
        const gitlabContent =
            sso && (content.groups.length > 0 || content.products.length > 0)
                ? new GitlabContent(
                      "gitlab-content",
                      {
                          groups: content.groups,
                          products: content.products,
                          provider: sso.component.provider,
                          productSecrets: config.secrets.productSecrets,
                          hook:
                              content.hookUrl !== "" && config.secrets.gitlabHookToken
                                  ? { url: content.hookUrl, token: config.secrets.gitlabHookToken }
                                  : undefined,
                          registryProducts: registryApps.map((a) => a.registry!.product),
                      },
                      { parent: this },
                  )
                : undefined;

        for (const app of config.apps) {
            // An app pulling its product project's image logs in with that project's deploy token: a
            // Docker provider of its own, so the token reaches only this app's pull (and no other app's provider changes).
            const login = app.registry ? gitlabContent?.registryLogins[app.registry.product] : undefined;
            if (app.registry && !login) throw new Error(`Platform: app ${app.key} pulls from product ${app.registry.product}, which has no deploy token`);
            const appProvider =
                app.registry && login
                    ? new docker.Provider(
                          `app-${app.key}-registry-docker`,
                          {
                              host: config.dockerHost,
                              registryAuth: [{ address: app.registry.address, username: login.username, password: pulumi.secret(login.password) }],
                          },
                          { parent: this },
                      )
                    : host.provider;
            new BusinessApp(
                `app-${app.key}`,
                {
                    host: { ...host, provider: appProvider },
                    app,
                    database: app.database ? stores.mysql!.credentials[app.key] : undefined,
                    secretValues: config.secrets.appSecrets,
                    ssoEnv: sso && Object.hasOwn(sso.component.appEnv, app.key) ? sso.component.appEnv[app.key] : undefined,
                    internalCa: edge.caddy.internalCa,
                    health: config.monitoring.appHealth,
                    edge: edge.release,
                },
                { parent: this, dependsOn: app.database ? [stores.mysql!.provisioning] : [] },
            );
        }
    }

    /** The scheduled backup of every store the catalog names for the running services (backup/stores.ts). */
    private backups(config: PlatformConfig, host: HostContext, built: Partial<Record<ServiceKey, { readonly dataVolume?: docker.Volume }>>): Backup {
        // The data volume of each volume store, by store key: the service's container name (backup/stores.ts).
        const volumes = runningServices(config.features).flatMap((s) => {
            if (s.backup?.kind !== "volume") return [];
            const volume = built[s.key]?.dataVolume;
            if (!volume) throw new Error(`Platform: the catalog backs up ${s.key}'s data volume, which its component does not expose`);
            return [[s.container, volume] as const];
        });
        return new Backup(
            "backup",
            {
                host,
                image: config.images.backup,
                resticImage: config.images.restic,
                schedule: config.backup.schedule,
                retention: config.backup.retention,
                maxAgeHours: config.backup.maxAgeHours,
                offsite: config.backup.offsite,
                secrets: config.secrets.backup,
                stores: backupStores(config),
                volumes: Object.fromEntries(volumes),
            },
            { parent: this },
        );
    }

    /** Monitors from the route table and the stores, and the containers that watch them (docs/monitoring.md). */
    private monitoring(
        config: PlatformConfig,
        parts: { host: HostContext; stores: DataStores; uptimeKumaOn: boolean },
    ): { monitors: readonly Monitor[]; component: Monitoring; files: Record<string, string> } {
        const stack = config.stack;
        const m = config.monitoring;
        const stores = config.backup.enabled ? backupStores(config) : [];
        const inputs: MonitorInputs = {
            routes: config.routes,
            caddyHost: caddyContainerName(stack),
            tls: config.tls,
            appHealthPaths: Object.fromEntries(config.apps.map((a) => [a.key, a.healthPath])),
            dataStores: [
                { name: "postgres", host: dockerName(stack, "postgres"), port: 5432 },
                { name: "redis", host: parts.stores.redis.host, port: parts.stores.redis.port },
                ...(parts.stores.mysql ? [{ name: "mysql" as const, host: parts.stores.mysql.host, port: parts.stores.mysql.port }] : []),
            ],
            backupStores: config.backup.enabled ? stores.map((s) => s.key) : undefined,
            backupMaxAgeHours: config.backup.maxAgeHours,
            diskFreePercent: m.diskFreePercent,
            certificateDays: m.certificateDays,
            overrides: m.overrides,
        };
        const monitors = monitorList(inputs);
        const at = (service: string, port: number) => `${dockerName(stack, service)}:${port}`;
        const healerPolicy =
            m.healMaxRestarts === 0
                ? "only reports it when unhealthy (healMaxRestarts is 0)"
                : `restarts it when unhealthy, at most ${m.healMaxRestarts} times in ${m.healWindowMinutes} min, then gives up`;
        const files = {
            "prometheus.yml": renderPrometheusConfig({
                stack,
                scrapeSeconds: m.scrapeSeconds,
                blackbox: at("blackbox", BLACKBOX_PORT),
                alertmanager: at("alertmanager", ALERTMANAGER_PORT),
                nodeExporter: at("node-exporter", NODE_EXPORTER_PORT),
            }),
            "nexora-rules.yml": renderAlertRules({
                stack,
                alertAfterSeconds: m.alertAfterSeconds,
                backupMaxAgeHours: config.backup.enabled ? config.backup.maxAgeHours : undefined,
                diskFreePercent: m.diskFreePercent,
                certificateDays: config.tls === "acme" ? m.certificateDays : undefined,
                healerPolicy,
            }),
            "blackbox.yml": renderBlackboxConfig({ insecureTls: config.tls === "internal" }),
            "nexora-targets.json": renderProbeTargets(monitors),
        };
        const webhook = config.secrets.alertWebhook!;
        const component = new Monitoring(
            "monitoring",
            {
                host: parts.host,
                images: config.images,
                storeNetworks: [parts.host.networks.data, ...(parts.stores.mysql ? [parts.host.networks.appsData] : [])],
                adminNetwork: parts.uptimeKumaOn ? parts.host.networks.admin : undefined,
                prometheusYml: files["prometheus.yml"],
                targetsJson: files["nexora-targets.json"],
                rulesYml: files["nexora-rules.yml"],
                blackboxYml: files["blackbox.yml"],
                alertmanagerYml:
                    m.webhookFormat === "slack"
                        ? renderAlertmanagerConfig({ format: "slack", groupWaitSeconds: m.groupWaitSeconds, repeatHours: m.repeatHours })
                        : pulumi.secret(
                              webhook.apply((genericUrl) =>
                                  renderAlertmanagerConfig({ format: "generic", genericUrl, groupWaitSeconds: m.groupWaitSeconds, repeatHours: m.repeatHours }),
                              ),
                          ),
                webhookFormat: m.webhookFormat,
                webhook,
                healScript: renderHealScript({
                    stack,
                    maxRestarts: m.healMaxRestarts,
                    windowSeconds: m.healWindowMinutes * 60,
                    intervalSeconds: m.healIntervalSeconds,
                    backup: this.backup ? { container: this.backup.containerName, lock: `${SPOOL_PATH}/.lock` } : undefined,
                    // A stale snapshot makes the backup unhealthy; a restart does not make a snapshot.
                    exclude: [dockerName(stack, "backup"), dockerName(stack, "healer")],
                    format: m.webhookFormat,
                }),
                backupSpool: this.backup?.spoolVolume,
                autokuma:
                    parts.uptimeKumaOn && m.uptimeKumaUser !== "" && config.secrets.uptimeKumaPassword
                        ? {
                              url: `http://${dockerName(stack, services.uptimeKuma.container)}:${servicePort("uptimeKuma")}`,
                              username: m.uptimeKumaUser,
                              password: config.secrets.uptimeKumaPassword,
                              monitors: renderKumaMonitors(monitors, {
                                  routes: config.routes,
                                  prometheusUrl: `http://${at("prometheus", PROMETHEUS_PORT)}`,
                                  intervalSeconds: Math.max(20, m.scrapeSeconds),
                              }),
                          }
                        : undefined,
            },
            { parent: this },
        );
        return { monitors, component, files };
    }
}
