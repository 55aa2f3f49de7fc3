import { GITLAB_SSH_SUBDOMAIN, hostnameFor, servicePort, services, webRoutes } from "../catalog";
import type { PlatformFeatures } from "../features";
import { dockerName } from "../naming";
import type { HttpRoute, RouteTable, TcpRoute } from "./types";

/**
 * Platform services released like business apps (components/docker/release.ts): two containers
 * of them may run side by side for a moment. The others cannot: PostgreSQL, MySQL, Redis and
 * GitLab own a data volume one process at a time; Outline, Grafana, Uptime Kuma and Portainer
 * keep state on a volume or migrate their database on start; Caddy holds a fixed address and
 * the published ports; frpc's proxy names are taken once on the relay; the backup would run
 * every job twice.
 */
export const RELEASED_SERVICES: readonly string[] = ["portal"];

/** Request-body limit for business apps, in MiB. */
const APP_MAX_REQUEST_BODY_MIB = 100;

/**
 * What the route table is built from: the parts of the stack's settings it reads (parseSettings
 * builds it before the settings are complete, so this does not import the config module back).
 */
export interface RouteSettings {
    readonly stack: string;
    readonly hostnamePattern: string;
    readonly baseDomain: string;
    readonly features: PlatformFeatures;
    readonly dns: { readonly proxied: boolean };
    readonly tunnel: { readonly enabled: boolean; readonly sshRemotePort: number };
    readonly publish: { readonly http: number; readonly https: number; readonly ssh: number };
    readonly apps: readonly { readonly key: string; readonly subdomain: string; readonly port: number }[];
}

/**
 * Builds the stack's route table from the service catalog and the stack's apps. Everything
 * hostname-related (Caddyfile, DNS, frpc.toml, OAuth redirect URLs, monitors, outputs) reads it.
 */
export function buildRouteTable(settings: RouteSettings): RouteTable {
    const proxied = settings.dns.proxied;
    const http: HttpRoute[] = [];
    for (const route of webRoutes) {
        if (!route.enabled(settings.features)) continue;
        http.push({
            name: route.name,
            hostname: hostnameFor(settings, route.subdomain),
            upstream: { host: dockerName(settings.stack, services[route.service].container), port: servicePort(route.service, route.port) },
            maxRequestBodyMiB: route.maxRequestBodyMiB,
            securityHeaders: true,
            restricted: route.restricted,
            proxied,
            ...(RELEASED_SERVICES.includes(route.service) ? { released: true } : {}),
        });
    }
    for (const app of settings.apps) {
        http.push({
            name: app.key,
            hostname: hostnameFor(settings, app.subdomain),
            upstream: { host: dockerName(settings.stack, app.key), port: app.port },
            maxRequestBodyMiB: APP_MAX_REQUEST_BODY_MIB,
            securityHeaders: true,
            restricted: false,
            proxied,
            released: true,
        });
    }
    // GitLab SSH is routed only where something carries it: the relay, or a published host port.
    const sshPort = !settings.features.gitlab ? 0 : settings.tunnel.enabled ? settings.tunnel.sshRemotePort : settings.publish.ssh;
    const tcp: TcpRoute[] =
        sshPort > 0
            ? [
                  {
                      name: "gitlab-ssh",
                      hostname: hostnameFor(settings, GITLAB_SSH_SUBDOMAIN),
                      upstream: { host: dockerName(settings.stack, services.gitlab.container), port: servicePort("gitlab", "ssh") },
                      remotePort: sshPort,
                  },
              ]
            : [];
    // A stack reached on published ports has Caddy listen on those same ports inside, so its
    // redirects carry the port clients use.
    const published = !settings.tunnel.enabled;
    const httpPort = published && settings.publish.http > 0 ? settings.publish.http : servicePort("caddy", "http");
    const httpsPort = published && settings.publish.https > 0 ? settings.publish.https : servicePort("caddy", "https");
    return { stack: settings.stack, httpPort, httpsPort, http, tcp };
}

/** The route of that route name; throws when the stack does not route it (a wiring bug, not a config error). */
export function routeOf(table: RouteTable, routeName: string): HttpRoute {
    const route = table.http.find((r) => r.name === routeName);
    if (!route) throw new Error(`no route named "${routeName}" in stack ${table.stack}`);
    return route;
}

/** Where users clone over SSH, when the stack routes SSH at all. */
export function gitlabSshRoute(table: RouteTable): TcpRoute | undefined {
    return table.tcp.find((r) => r.name === "gitlab-ssh");
}

/** Public URL of a route: https, with the port when it is not 443 (the public HTTPS port, whatever Caddy's default). */
export function routeUrl(table: Pick<RouteTable, "httpsPort">, route: Pick<HttpRoute, "hostname">): string {
    return `https://${route.hostname}${table.httpsPort === 443 ? "" : `:${table.httpsPort}`}`;
}

/** Public URL of the route of that route name. */
export function urlOf(table: RouteTable, routeName: string): string {
    return routeUrl(table, routeOf(table, routeName));
}
