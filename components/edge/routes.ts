import { GITLAB_SSH_SUBDOMAIN, hostnameFor, webServices } from "../catalog";
import type { PlatformSettings } from "../config";
import { gitlabContainerSshPort } from "../gitlab/omnibus";
import { dockerName } from "../naming";
import type { HttpRoute, RouteTable, TcpRoute } from "./types";

/** Request-body limit for business apps, in MiB. */
const APP_MAX_REQUEST_BODY_MIB = 100;

/**
 * Builds the stack's route table from the service catalog and the stack's apps. Everything
 * hostname-related (Caddyfile, DNS, frpc.toml, OAuth redirect URLs, monitors, outputs) reads it.
 */
export function buildRouteTable(settings: PlatformSettings): RouteTable {
    const proxied = settings.dns.proxied;
    const http: HttpRoute[] = [];
    for (const svc of webServices) {
        if (!svc.enabled(settings.features)) continue;
        http.push({
            service: svc.key,
            hostname: hostnameFor(settings, svc.subdomain),
            upstream: { host: dockerName(settings.stack, svc.container ?? svc.key), port: svc.port },
            maxRequestBodyMiB: svc.maxRequestBodyMiB,
            securityHeaders: true,
            restricted: svc.restricted,
            proxied,
        });
    }
    for (const app of settings.apps) {
        http.push({
            service: app.key,
            hostname: hostnameFor(settings, app.subdomain),
            upstream: { host: dockerName(settings.stack, app.key), port: app.port },
            maxRequestBodyMiB: APP_MAX_REQUEST_BODY_MIB,
            securityHeaders: true,
            restricted: false,
            proxied,
        });
    }
    // GitLab SSH is routed only where something carries it: the relay, or a published host port.
    const sshPort = !settings.features.gitlab ? 0 : settings.tunnel.enabled ? settings.tunnel.sshRemotePort : settings.publish.ssh;
    const tcp: TcpRoute[] =
        sshPort > 0
            ? [
                  {
                      service: "gitlab-ssh",
                      hostname: hostnameFor(settings, GITLAB_SSH_SUBDOMAIN),
                      upstream: { host: dockerName(settings.stack, "gitlab"), port: gitlabContainerSshPort },
                      remotePort: sshPort,
                  },
              ]
            : [];
    const httpsPort = !settings.tunnel.enabled && settings.publish.https > 0 ? settings.publish.https : 443;
    return { stack: settings.stack, httpsPort, http, tcp };
}

/** The route of a service; throws when the stack does not route it (a wiring bug, not a config error). */
export function routeOf(table: RouteTable, service: string): HttpRoute {
    const route = table.http.find((r) => r.service === service);
    if (!route) throw new Error(`no route for service "${service}" in stack ${table.stack}`);
    return route;
}

/** Where users clone over SSH, when the stack routes SSH at all. */
export function gitlabSshRoute(table: RouteTable): TcpRoute | undefined {
    return table.tcp.find((r) => r.service === "gitlab-ssh");
}

/** Public URL of a route: https, with the port when it is not 443. */
export function routeUrl(table: Pick<RouteTable, "httpsPort">, route: Pick<HttpRoute, "hostname">): string {
    return `https://${route.hostname}${table.httpsPort === 443 ? "" : `:${table.httpsPort}`}`;
}

export function urlOf(table: RouteTable, service: string): string {
    return routeUrl(table, routeOf(table, service));
}
