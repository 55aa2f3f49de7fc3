import type { HttpRoute, RouteTable, TcpRoute } from "../../components/edge/types";

/**
 * Realistic route tables for the edge renderers' tests, shaped like the platform's: core
 * services, an admin UI behind basic auth, business apps, GitLab SSH as the one TCP route.
 */
export function stackRouteTable(stack: "dev" | "staging" | "prod", sshRemotePort: number): RouteTable {
    const hostname = (route: string): string => (stack === "prod" ? `${route}.nexora.restry.cn` : `${stack}-${route}.nexora.restry.cn`);
    const web = (name: string, port: number, extra: Partial<HttpRoute> = {}): HttpRoute => ({
        name,
        hostname: hostname(name),
        upstream: { host: `nexora-${stack}-${name}`, port },
        securityHeaders: true,
        restricted: false,
        proxied: true,
        ...extra,
    });
    const ssh: TcpRoute = {
        name: "gitlab-ssh",
        hostname: hostname("ssh"),
        upstream: { host: `nexora-${stack}-gitlab`, port: 22 },
        remotePort: sshRemotePort,
    };
    return {
        stack,
        httpPort: 80,
        httpsPort: 443,
        http: [
            web("gitlab", 80, { maxRequestBodyMiB: 1024 }),
            web("outline", 3000, { maxRequestBodyMiB: 100 }),
            web("uptime", 3001),
            web("portainer", 9000, { restricted: true }),
            web("www", 80, { securityHeaders: false }),
            web("pyerp", 8000, { maxRequestBodyMiB: 100 }),
        ],
        tcp: [ssh],
    };
}

export const prodTable = stackRouteTable("prod", 2222);
export const stagingTable = stackRouteTable("staging", 2223);
export const devTable = stackRouteTable("dev", 2224);

/** A real bcrypt hash (from `caddy hash-password`) for unit tests that never check a password against it. */
export const UNIT_BCRYPT_HASH = "$2a$14$H1v5mSDGA0Wi8vVAiJzma.T8gvqWKhmzmx6U9msCdpXfn0HuhA0VO";
