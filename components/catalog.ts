import type { PlatformFeatures } from "./features";
import { gitlabPostgresExtensions } from "./postgres/sql";

/**
 * The service catalog: each platform service's whole descriptor (its names, ports, feature switch,
 * pinned image, PostgreSQL database and backup store) and which of them a stack routes, on which
 * subdomain. The one place these facts live: the route table (edge/routes.ts), the feature switches
 * (features.ts), the image pins (images.ts), the config, the backup's stores and the platform read
 * them from here, at the time they build, so changing a fact here changes it everywhere.
 * Words (docs/architecture.md, "Glossary"): the service key names a service in code, the container
 * name in Docker, the route name on the web.
 */

/** Ports a service listens on inside its container. */
export interface ServicePorts {
    /** Plain HTTP (behind Caddy, or Caddy's own). */
    readonly http?: number;
    /** HTTPS (Caddy only: everything behind it speaks plain HTTP on the private network). */
    readonly https?: number;
    /** Admin API on the container's loopback (Caddy's, frpc's). */
    readonly admin?: number;
    /** SSH (GitLab's Git over SSH). */
    readonly ssh?: number;
    /** The container registry (GitLab's bundled registry, behind its nginx). */
    readonly registry?: number;
}

/** The config switch that turns a service on or off. */
export interface FeatureSwitch {
    /** `nexora:<configKey>`, a boolean (user-facing: never renamed with the service key). Its default is declared in config/keys.ts. */
    readonly configKey: string;
    /** The service logs in through GitLab or is part of it: refused while `gitlabEnabled` is false. @default false */
    readonly needsGitlab?: boolean;
}

/** The service's own PostgreSQL database (config/keys.ts has no say: it follows the feature switch). */
export interface PostgresUse {
    /** Role and database name. Deployed state: renaming it leaves the data in the old database. */
    readonly database: string;
    /** Extensions the superuser creates in that database. @default none */
    readonly extensions?: readonly string[];
}

/**
 * What the backup saves of the service, as a store named after its container name (deployed
 * state: the store's tag in existing backup repositories). Services without one are rebuilt
 * from config; their PostgreSQL database is backed up with the postgres store either way.
 */
export type BackupUse =
    /** GitLab's own backup (gitlab-backup and its config directory), run inside its container. */
    | { readonly kind: "gitlab" }
    /** The service's `data` volume, read by restic; paused while read when it holds live database files. */
    | { readonly kind: "volume"; readonly pauseDuringBackup: boolean };

export interface ServiceSpec {
    /** Service key: the code's name of the service; the feature, image and variable names use this one spelling. */
    readonly key: string;
    /**
     * Container name: the container is `nexora-<stack>-<container>`, its volumes, labels, backup
     * store and component resource take it too. Deployed state: renaming it loses the volumes' data
     * and replaces resources.
     */
    readonly container: string;
    readonly ports: ServicePorts;
    /** Its on/off switch. @default none: the service runs in every stack */
    readonly feature?: FeatureSwitch;
    /** Default pinned image reference (`nexora:images.<key>` overrides it); the evidence its tag exists sits above it. */
    readonly image: string;
    /** Its PostgreSQL database, provisioned while the service is on. @default none */
    readonly postgres?: PostgresUse;
    /** Its backup store, while the service is on. @default none: nothing of it is backed up */
    readonly backup?: BackupUse;
}

const catalog = {
    // GitLab CE, the identity provider: SSO, Outline, Grafana, the runner and the registry need it.
    gitlab: {
        key: "gitlab",
        container: "gitlab",
        ports: { http: 80, ssh: 22, registry: 5050 },
        feature: { configKey: "gitlabEnabled" },
        // 18.11 is the last GitLab line that runs on PostgreSQL 16. Evidence (2026-12 look-up): public
        // deployment scripts pull exactly "gitlab/gitlab-ce:18.11.12-ce.0" (and 18.11.11-ce.0); no later 18.11 patch seen.
        image: "gitlab/gitlab-ce:18.11.12-ce.0",
        postgres: { database: "gitlab", extensions: gitlabPostgresExtensions },
        backup: { kind: "gitlab" },
    },
    outline: {
        key: "outline",
        container: "outline",
        ports: { http: 3000 },
        feature: { configKey: "outlineEnabled", needsGitlab: true },
        // Evidence: a renovate-managed pin "outlinewiki/outline:1.10.1@sha256:832051f039b4…" and a changelog
        // (2026-09-10) moving 1.10.0 → 1.10.1; no 1.11 reference found.
        image: "outlinewiki/outline:1.10.1",
        postgres: { database: "outline" },
        backup: { kind: "volume", pauseDuringBackup: false },
    },
    uptimeKuma: {
        key: "uptimeKuma",
        container: "uptime",
        ports: { http: 3001 },
        feature: { configKey: "uptimeKumaEnabled" },
        // Evidence: "docker.io/louislam/uptime-kuma:2.5.6@sha256:9912da7d7d9b…" in a public NixOS config
        // (2.5.0 was released 2026-08; 2.5.5 seen verified 2026-09-28).
        image: "louislam/uptime-kuma:2.5.6",
        // SQLite: live database files, paused while read.
        backup: { kind: "volume", pauseDuringBackup: true },
    },
    portainer: {
        key: "portainer",
        container: "portainer",
        ports: { http: 9000 },
        feature: { configKey: "portainerEnabled" },
        // The -alpine variant has a shell and wget for the health check; the default image has neither.
        // Evidence: "docker.io/portainer/portainer-ce:2.45.1-alpine", digest sha256:4d9a99f4495c…, recorded 2026-09-17.
        image: "portainer/portainer-ce:2.45.1-alpine",
        // BoltDB: live database files, paused while read.
        backup: { kind: "volume", pauseDuringBackup: true },
    },
    // Its content is published into it from its source: not backed up.
    portal: {
        key: "portal",
        container: "portal",
        ports: { http: 80 },
        feature: { configKey: "portalEnabled" },
        // Evidence: nginx stable 1.30.5 (mainline 1.31.6, 2026-09-15); "nginx:1.30.5-alpine" index digest
        // sha256:0985e772fb9f… pinned in several public Dockerfiles.
        image: "nginx:1.30.5-alpine",
    },
    grafana: {
        key: "grafana",
        container: "grafana",
        ports: { http: 3000 },
        feature: { configKey: "grafanaEnabled", needsGitlab: true },
        image: "grafana/grafana:12.4.11",
        postgres: { database: "grafana" },
        backup: { kind: "volume", pauseDuringBackup: false },
    },
    // Its registration is minted again by `pulumi up`: not backed up.
    gitlabRunner: {
        key: "gitlabRunner",
        container: "gitlab-runner",
        ports: {},
        feature: { configKey: "runnerEnabled", needsGitlab: true },
        image: "gitlab/gitlab-runner:v18.11.4",
    },
    // Runs in every stack. Its config is rendered from config; its data (certificates, the ACME account) is backed up.
    caddy: {
        key: "caddy",
        container: "caddy",
        ports: { http: 80, https: 443, admin: 2019 },
        image: "caddy:2.11.4-alpine",
        backup: { kind: "volume", pauseDuringBackup: false },
    },
    // Runs with the tunnel (`tunnelEnabled`, a setting of the edge rather than a service switch); its config is rendered.
    frpc: {
        key: "frpc",
        container: "frpc",
        ports: { admin: 7400 },
        // Evidence: the Go module proxy serves github.com/fatedier/frp@v0.71.0 (tag of 2026-08-14, commit 4a23aa18;
        // v0.71.1 and v0.72.0 are not served), and public configs run "fatedier/frpc:v0.71.0", the official image.
        image: "fatedier/frpc:v0.71.0",
    },
} as const satisfies Readonly<Record<string, ServiceSpec>>;

/** Service keys of the platform's own services. */
export type ServiceKey = keyof typeof catalog;

/** Service keys of the services a feature switch turns on and off. */
export type SwitchedServiceKey = { [K in ServiceKey]: (typeof catalog)[K] extends { readonly feature: FeatureSwitch } ? K : never }[ServiceKey];

/**
 * Every platform service, in the order PostgreSQL lists their databases and the backup saves their stores. Read at use time
 * (never copied into module constants), so the whole program follows an edit here.
 */
export const services: { readonly [K in ServiceKey]: ServiceSpec & { readonly key: K } } = catalog;

/** The descriptors in catalog order. */
export function serviceList(): readonly (ServiceSpec & { readonly key: ServiceKey })[] {
    return Object.values(services);
}

/**
 * The services a stack's switches turn on, with those that have no switch (Caddy; frpc, which
 * runs only with the tunnel, an edge setting, but has nothing to provision or back up), in catalog order.
 */
export function runningServices(features: PlatformFeatures): readonly (ServiceSpec & { readonly key: ServiceKey })[] {
    return serviceList().filter((s) => s.feature === undefined || features[s.key as SwitchedServiceKey]);
}

/** A port the service must have; a missing one is a catalog bug, not a config error. */
export function servicePort(key: ServiceKey, port: keyof ServicePorts = "http"): number {
    const value = services[key].ports[port];
    if (value === undefined) throw new Error(`service catalog: ${key} has no ${port} port`);
    return value;
}

/** A web route of the platform: which service serves it, on which subdomain. */
export interface WebRouteSpec {
    /**
     * Route name: the `urls` output key, the DNS record's and the monitor's name, and what code
     * looks the route up by (`urlOf`). Deployed state like the container name, but its own fact:
     * renaming a container must not rename its public route.
     */
    readonly name: string;
    /** Service key of the service whose container serves it. */
    readonly service: ServiceKey;
    /** Which of that service's ports. @default "http" */
    readonly port?: keyof ServicePorts;
    /** The `{service}` part of the hostname. */
    readonly subdomain: string;
    /** Whether the stack routes it, from the stack's feature switches. */
    readonly enabled: (f: PlatformFeatures) => boolean;
    readonly maxRequestBodyMiB?: number;
    /** Admin UI kept behind the edge basic auth. */
    readonly restricted: boolean;
    /**
     * What the monitor asks through Caddy: a path that answers without a login, and the status
     * codes that mean up. A restricted route answers 401 to a monitor without the edge credential.
     * @default path "/", statuses 2xx (401 when restricted)
     */
    readonly health?: { readonly path: string; readonly statuses?: readonly number[] };
}

export const GITLAB_SSH_SUBDOMAIN = "git";

export const webRoutes: readonly WebRouteSpec[] = [
    // Git pushes and LFS uploads can be large: GitLab enforces its own per-project limits.
    {
        name: "gitlab",
        service: "gitlab",
        subdomain: "gitlab",
        enabled: (f) => f.gitlab,
        maxRequestBodyMiB: 5120,
        restricted: false,
        health: { path: "/users/sign_in" },
    },
    {
        name: "outline",
        service: "outline",
        subdomain: "outline",
        enabled: (f) => f.outline,
        maxRequestBodyMiB: 100,
        restricted: false,
        health: { path: "/_health" },
    },
    // Uptime Kuma creates its admin on first visit: never leave that page open to the internet.
    { name: "uptime", service: "uptimeKuma", subdomain: "uptime", enabled: (f) => f.uptimeKuma, maxRequestBodyMiB: 10, restricted: true },
    // Portainer is root on the Docker host, but it starts with a generated admin and logs users
    // in through GitLab: a second (basic-auth) login in front would only get in the way.
    {
        name: "portainer",
        service: "portainer",
        subdomain: "portainer",
        enabled: (f) => f.portainer,
        maxRequestBodyMiB: 100,
        restricted: false,
        health: { path: "/api/system/status" },
    },
    { name: "portal", service: "portal", subdomain: "www", enabled: (f) => f.portal, maxRequestBodyMiB: 10, restricted: false },
    {
        name: "grafana",
        service: "grafana",
        subdomain: "grafana",
        enabled: (f) => f.grafana,
        maxRequestBodyMiB: 10,
        restricted: false,
        health: { path: "/api/health" },
    },
    // The registry lives in GitLab's container. Image layers are large; the registry checks auth itself.
    {
        name: "registry",
        service: "gitlab",
        port: "registry",
        subdomain: "registry",
        enabled: (f) => f.registry,
        maxRequestBodyMiB: undefined,
        restricted: false,
        // The registry API root asks every client without a token to log in (Docker Registry HTTP API V2).
        health: { path: "/v2/", statuses: [200, 401] },
    },
];

/** Names apps may not take: every service's container name, route name and subdomain, and internal names. */
export function coreServiceKeys(): readonly string[] {
    return [
        ...new Set([
            ...Object.values(services).map((s) => s.container),
            ...webRoutes.flatMap((r) => [r.name, r.subdomain]),
            GITLAB_SSH_SUBDOMAIN,
            "ssh",
            "postgres",
            "redis",
            "mysql",
            "runner",
            "mattermost",
        ]),
    ].sort();
}

/** Applies the stack's hostname pattern to a subdomain. */
export function hostnameFor(settings: { readonly hostnamePattern: string; readonly baseDomain: string }, subdomain: string): string {
    return settings.hostnamePattern.replace("{service}", subdomain).replace("{domain}", settings.baseDomain);
}
