import type { PlatformFeatures } from "./features";

/**
 * The service catalog: each platform service's key, Docker name and ports, and which of them a
 * stack routes, on which subdomain. The one place these facts live: the route table
 * (edge/routes.ts), the components, their health checks, the Caddyfile and frpc.toml read them
 * from here, at the time they build, so changing a port or name here changes them all.
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

export interface ServiceSpec {
    /** Code key: the feature switch, image name and variable names use this one spelling. */
    readonly key: ServiceKey;
    /**
     * Docker name: the container is `nexora-<stack>-<container>`, its volumes, labels and component
     * resource take it too. Deployed state: renaming it loses the volumes' data and replaces resources.
     */
    readonly container: string;
    readonly ports: ServicePorts;
}

/** Code keys of the platform's own services. */
export type ServiceKey = "gitlab" | "outline" | "uptimeKuma" | "portainer" | "portal" | "grafana" | "gitlabRunner" | "caddy" | "frpc";

/**
 * Every platform service. Read at use time (never copied into module constants), so the whole
 * program follows an edit here.
 */
export const services: { readonly [K in ServiceKey]: ServiceSpec & { readonly key: K } } = {
    gitlab: { key: "gitlab", container: "gitlab", ports: { http: 80, ssh: 22, registry: 5050 } },
    outline: { key: "outline", container: "outline", ports: { http: 3000 } },
    uptimeKuma: { key: "uptimeKuma", container: "uptime", ports: { http: 3001 } },
    portainer: { key: "portainer", container: "portainer", ports: { http: 9000 } },
    portal: { key: "portal", container: "portal", ports: { http: 80 } },
    grafana: { key: "grafana", container: "grafana", ports: { http: 3000 } },
    gitlabRunner: { key: "gitlabRunner", container: "gitlab-runner", ports: {} },
    caddy: { key: "caddy", container: "caddy", ports: { http: 80, https: 443, admin: 2019 } },
    frpc: { key: "frpc", container: "frpc", ports: { admin: 7400 } },
};

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
    /** The service whose container serves it. */
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
