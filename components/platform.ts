import * as pulumi from "@pulumi/pulumi";
import { BusinessApp } from "./apps/app";
import type { PlatformConfig } from "./config";
import { DockerHost } from "./docker/host";
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

/**
 * The whole Nexora platform of one stack. Bootstrap order comes from data dependencies:
 * networks and volumes → PostgreSQL (healthy) → roles/databases → GitLab (healthy) → admin
 * token → OAuth applications → Outline/Grafana/apps with their client credentials; Caddy, DNS
 * and the tunnel depend only on what they route to, so the graph stays wide.
 */
export class Platform extends pulumi.ComponentResource {
    readonly routes: RouteTable;
    /** Public URL per service key. */
    readonly urls: Readonly<Record<string, string>>;
    readonly monitors: readonly MonitorSpec[];
    readonly artifacts: PlatformArtifacts;
    /** Secrets an operator needs once (first logins). */
    readonly adminCredentials: pulumi.Output<Record<string, string>>;
    /** Mattermost's GitLab login settings (MM_GITLABSETTINGS_*, secret), when configured. */
    readonly mattermostOAuth?: pulumi.Output<Record<string, string>>;
    /** Scheduled backups (`nexora:backupEnabled`). */
    readonly backup?: Backup;
    /** What Prometheus watches (`nexora:monitoringEnabled`): the monitor list and its component. */
    watch?: { readonly monitors: readonly Monitor[]; readonly component: Monitoring; readonly files: Readonly<Record<string, string>> };

    constructor(name: string, config: PlatformConfig, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:platform:Platform", name, {}, opts);
        // Built and validated with the rest of the config (parseSettings): a bad route is a config error there.
        const routes = config.routes;
        const stack = config.stack;
        const images = config.images;
        const features = config.features;
        const gitlabUrl = features.gitlab ? urlOf(routes, "gitlab") : undefined;
        this.routes = routes;
        this.urls = Object.fromEntries(routes.http.map((r) => [r.service, routeUrl(routes, r)]));
        this.monitors = monitorsFor(routes);

        const host = new DockerHost(
            "docker",
            { stack, host: config.dockerHost, edgeSubnet: config.edgeSubnet, dataSubnet: config.dataSubnet, monitoring: features.monitoring },
            { parent: this },
        );
        const hostContext = host.context;
        const provider = host.provider;
        const edgeNetwork = host.edgeNetwork.name;
        const appsDataNetwork = host.appsDataNetwork.name;
        const adminNetwork = host.adminNetwork.name;
        const caddyAddress = lastHostAddress(config.edgeSubnet);

        // --- data stores
        const consumers: PostgresConsumerSpec[] = runningServices(features).flatMap((s) =>
            s.postgres ? [{ name: s.postgres.database, ...(s.postgres.extensions ? { extensions: s.postgres.extensions } : {}) }] : [],
        );
        const postgres = new Postgres("postgres", { host: hostContext, image: images.postgres, consumers }, { parent: this });
        const redis = new Redis("redis", { host: hostContext, image: images.redis }, { parent: this });
        const appsWithDb = config.apps.filter((a) => a.database).map((a) => a.key);
        const mysql =
            appsWithDb.length > 0 ? new Mysql("mysql", { host: hostContext, image: images.mysql, consumers: appsWithDb }, { parent: this }) : undefined;

        // --- GitLab, the identity provider
        const ssh = gitlabSshRoute(routes);
        const gitlab = gitlabUrl
            ? new Gitlab(
                  "gitlab",
                  {
                      host: hostContext,
                      image: images.gitlab,
                      externalUrl: gitlabUrl,
                      sshHost: ssh?.hostname ?? routeOf(routes, "gitlab").hostname,
                      sshPort: ssh?.remotePort ?? servicePort("gitlab", "ssh"),
                      registryExternalUrl: features.registry ? urlOf(routes, "registry") : undefined,
                      caddyAddress,
                      database: postgres.credentials.gitlab!,
                      publishSshPort: config.publish.ssh || undefined,
                  },
                  { parent: this, dependsOn: [postgres.provisioning] },
              )
            : undefined;

        // --- edge: Caddy, DNS, tunnel — all from the one route table
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
            const dns = new Dns("dns", { table: routes, zone: config.dns.zone, relayAddress: config.dns.relayAddress }, { parent: this });
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
                {
                    host: hostContext,
                    image: images.frpc,
                    frpcToml,
                    includeDirs: config.reviews.enabled ? [REVIEW_PROXIES_DIR] : undefined,
                },
                { parent: this },
            );
            publicRoute.push(tunnelClient.apply);
        }
        // With Caddy's internal CA (dev), GitLab's public name resolves nowhere inside the containers
        // and its certificate is trusted by no one: Caddy answers to that name on the edge network
        // and hands its root certificate to every service that exchanges tokens with GitLab.
        const internalTlsSso = config.tls === "internal" && gitlab !== undefined;
        const caddy = new Caddy(
            "caddy",
            {
                host: hostContext,
                image: images.caddy,
                edgeAddress: caddyAddress,
                extraNetworks: features.uptimeKuma ? [adminNetwork] : [],
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
        // What must exist before anything calls GitLab by its public name (the readiness gate, then the gitlab provider).
        const publicPath: pulumi.Resource[] = [caddy.reload, ...publicRoute];

        const internalCa = caddy.internalCa;
        const portainer = features.portainer
            ? new Portainer("portainer", { host: hostContext, image: images.portainer, internalCa }, { parent: this })
            : undefined;
        // Without GitLab there is no identity provider: no OAuth applications, every service keeps its own login.
        const sso =
            gitlab && gitlabUrl
                ? new Identity(
                      "identity",
                      {
                          stack,
                          gitlabUrl,
                          outlineUrl: features.outline ? urlOf(routes, "outline") : undefined,
                          grafanaUrl: features.grafana ? urlOf(routes, "grafana") : undefined,
                          gitlabContainer: gitlab.container,
                          dockerHost: config.dockerHost,
                          existingApiToken: config.secrets.gitlabApiToken,
                          tokenRotation: config.gitlabTokenRotation,
                          insecureTls: config.tls === "internal",
                          caddyContainerName: caddy.container.name,
                          portainer: portainer
                              ? {
                                    url: urlOf(routes, "portainer"),
                                    container: portainer.container,
                                    adminPassword: portainer.adminPassword,
                                    apiClientImage: images.portainerApiClient,
                                }
                              : undefined,
                          publicPath,
                          mattermostUrl: config.mattermostUrl === "" ? undefined : config.mattermostUrl,
                          apps: config.apps.flatMap((a) =>
                              a.sso ? [{ key: a.key, redirectUrl: ssoRedirectUrl(urlOf(routes, a.key), a.sso.redirectPath), scopes: a.sso.scopes }] : [],
                          ),
                      },
                      { parent: this },
                  )
                : undefined;
        this.mattermostOAuth = sso?.mattermost;

        // --- platform services
        const outline = features.outline
            ? new Outline(
                  "outline",
                  {
                      host: hostContext,
                      image: images.outline,
                      url: urlOf(routes, "outline"),
                      database: postgres.credentials.outline!,
                      redis: { host: redis.host, port: redis.port, password: redis.password },
                      oidcEnv: sso!.outlineEnv!,
                      internalCa,
                  },
                  { parent: this, dependsOn: [postgres.provisioning, redis.container] },
              )
            : undefined;
        const uptime = features.uptimeKuma
            ? new UptimeKuma(services.uptimeKuma.container, { host: hostContext, image: images.uptimeKuma }, { parent: this })
            : undefined;
        // Released services switch Caddy's route to a new container once it is healthy: after Caddy's reload.
        const edge = { caddyContainerName: caddy.container.name, after: [caddy.reload] };
        if (features.portal) new Portal("portal", { host: hostContext, image: images.portal, edge }, { parent: this });
        const grafana = features.grafana
            ? new Grafana(
                  "grafana",
                  {
                      host: hostContext,
                      image: images.grafana,
                      url: urlOf(routes, "grafana"),
                      database: postgres.credentials.grafana!,
                      oauthEnv: sso!.grafanaEnv,
                      internalCa,
                      prometheus: host.monitoringNetwork
                          ? { url: `http://${dockerName(stack, "prometheus")}:${PROMETHEUS_PORT}`, network: host.monitoringNetwork.name }
                          : undefined,
                  },
                  { parent: this, dependsOn: [postgres.provisioning] },
              )
            : undefined;
        if (features.gitlabRunner) {
            new GitlabRunner(
                services.gitlabRunner.container,
                {
                    host: hostContext,
                    image: images.gitlabRunner,
                    gitlabUrl: gitlabUrl!,
                    gitlabProvider: sso!.provider,
                },
                { parent: this },
            );
        }

        // --- GitLab content: groups, product projects, their variables, protections, hooks, deploy tokens
        const content = config.gitlabContent;
        const registryApps = config.apps.filter((a) => a.registry !== undefined);
        const gitlabContent =
            sso && (content.groups.length > 0 || content.products.length > 0)
                ? new GitlabContent(
                      "gitlab-content",
                      {
                          groups: content.groups,
                          products: content.products,
                          provider: sso.provider,
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
                    : provider;
            new BusinessApp(
                `app-${app.key}`,
                {
                    stack,
                    app,
                    provider: appProvider,
                    edgeNetwork,
                    dataNetwork: appsDataNetwork,
                    database: app.database ? mysql!.credentials[app.key] : undefined,
                    secretValues: config.secrets.appSecrets,
                    ssoEnv: sso && Object.hasOwn(sso.appEnv, app.key) ? sso.appEnv[app.key] : undefined,
                    internalCa,
                    health: config.monitoring.appHealth,
                    dockerHost: config.dockerHost,
                    edge,
                },
                { parent: this, dependsOn: app.database ? [mysql!.provisioning] : [] },
            );
        }

        if (config.backup.enabled) {
            // The data volume of each service the catalog backs up as a volume, by store key: its container name (backup/stores.ts).
            const dataVolumes: Partial<Record<ServiceKey, docker.Volume>> = {
                outline: outline?.dataVolume,
                uptimeKuma: uptime?.dataVolume,
                portainer: portainer?.dataVolume,
                grafana: grafana?.dataVolume,
                caddy: caddy.dataVolume,
            };
            const volumes = runningServices(features).flatMap((s) => {
                if (s.backup?.kind !== "volume") return [];
                const volume = dataVolumes[s.key];
                if (!volume) throw new Error(`Platform: the catalog backs up ${s.key}'s data volume, which its component does not expose`);
                return [[s.container, volume] as const];
            });
            this.backup = new Backup(
                "backup",
                {
                    host: hostContext,
                    image: images.backup,
                    resticImage: images.restic,
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

        if (features.monitoring) {
            this.watch = this.createMonitoring(config, {
                host,
                redis,
                mysql,
                uptimeKumaOn: uptime !== undefined,
            });
        }

        this.artifacts = { gitlabRb: gitlab?.omnibusConfig, caddyfile, frpcToml, monitoring: this.watch?.files };
        this.adminCredentials = pulumi.secret(
            pulumi.all({
                ...(gitlab ? { gitlabRoot: gitlab.rootPassword } : {}),
                ...(portainer ? { portainerAdmin: portainer.adminPassword } : {}),
                edgeAdmin: edgeAdmin.result,
                ...(grafana ? { grafanaAdmin: grafana.adminPassword } : {}),
            }),
        );
        this.registerOutputs({ urls: this.urls });
    }

    /** Monitors from the route table and the stores, and the containers that watch them (docs/monitoring.md). */
    private createMonitoring(
        config: PlatformConfig,
        parts: { host: DockerHost; redis: Redis; mysql?: Mysql; uptimeKumaOn: boolean },
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
                { name: "redis", host: parts.redis.host, port: parts.redis.port },
                ...(parts.mysql ? [{ name: "mysql" as const, host: parts.mysql.host, port: parts.mysql.port }] : []),
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
                host: parts.host.context,
                images: config.images,
                storeNetworks: [parts.host.dataNetwork.name, ...(parts.mysql ? [parts.host.appsDataNetwork.name] : [])],
                adminNetwork: parts.uptimeKumaOn ? parts.host.adminNetwork.name : undefined,
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
