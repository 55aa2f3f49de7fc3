import { stringify } from "smol-toml";
import type { RouteTable } from "./types";
import { isHostOrIpv4, isPort } from "../validators";
import { assertValidRouteTable } from "./validate";

export interface FrpcOptions {
    /** Address of the relay's frps (IP or DNS name). */
    readonly serverAddr: string;
    /** frps bind port. */
    readonly serverPort: number;
    /** frps auth token. It lands in the rendered file in plaintext: the caller keeps the file secret. */
    readonly authToken: string;
    /**
     * frp user of this stack, e.g. "nexora-prod". frps prefixes every proxy name with
     * "{user}.", so the stacks sharing one relay never collide on proxy names.
     */
    readonly user: string;
    /** Container name of this stack's Caddy on the edge network. */
    readonly caddyHost: string;
    /**
     * Port Caddy serves plain HTTP on (ACME HTTP-01 and redirects to HTTPS).
     * @default 80
     */
    readonly caddyHttpPort?: number;
    /**
     * Port Caddy serves HTTPS on.
     * @default 443
     */
    readonly caddyHttpsPort?: number;
    /**
     * Port of frpc's admin API on the container's loopback, which `frpc reload` calls to apply
     * proxy changes without dropping the other proxies' connections.
     * @default undefined — no admin API; config changes need a restart
     */
    readonly adminPort?: number;
    /**
     * Globs of further proxy files (frp's `includes`, re-read by `frpc reload`): review
     * environments drop theirs there. frpc refuses to start when a glob's directory is missing.
     * @default undefined — none
     */
    readonly includes?: readonly string[];
}

/** Where review environments put their proxies in a review host's frpc container. */
export const REVIEW_PROXIES_DIR = "/etc/frp/reviews";
export const REVIEW_PROXIES_GLOB = `${REVIEW_PROXIES_DIR}/*.toml`;
const INCLUDE_GLOB = /^(\/[A-Za-z0-9._-]+)+\/[A-Za-z0-9._-]*\*?[A-Za-z0-9._-]*$/;

/** One `[[proxies]]` entry of frpc.toml (frp ≥ 0.52 TOML names). */
export interface FrpcProxy {
    readonly name: string;
    readonly type: "http" | "https" | "tcp";
    readonly localIP: string;
    readonly localPort: number;
    readonly customDomains?: readonly string[];
    readonly remotePort?: number;
}

/** No "." so "{user}.{proxy}" splits one way; nothing TOML-breaking reaches a file anyway (smol-toml quotes). */
const FRP_USER = /^[A-Za-z0-9_-]+$/;
const HOST = /^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/;

/**
 * The proxies of the stack's frpc: for each HTTP route, an `http` proxy (port 80: ACME HTTP-01,
 * redirects) and an `https` proxy (frps routes by SNI and passes TLS through untouched) to
 * this stack's Caddy; for each TCP route, a `tcp` proxy straight to its upstream.
 *
 * One proxy per hostname and type rather than one per type carrying every customDomain:
 * frps registers a proxy's domains all-or-nothing, so a single name it rejects (already
 * claimed by another client of the shared relay) would take every hostname of the stack
 * down with it; per-hostname proxies also show up one by one on the frps dashboard.
 */
export function frpcProxies(table: RouteTable, options: FrpcOptions): FrpcProxy[] {
    const caddy = options.caddyHost;
    // Caddy listens on the route table's ports (plain HTTP: ACME HTTP-01 and redirects).
    const { httpPort, httpsPort } = table;
    const web = [...table.http]
        .sort((a, b) => compareStrings(a.hostname, b.hostname))
        .flatMap(({ hostname }): FrpcProxy[] => [
            { name: `${hostname}-http`, type: "http", localIP: caddy, localPort: httpPort, customDomains: [hostname] },
            { name: `${hostname}-https`, type: "https", localIP: caddy, localPort: httpsPort, customDomains: [hostname] },
        ]);
    const tcp = [...table.tcp]
        .sort((a, b) => compareStrings(a.hostname, b.hostname))
        .map((route): FrpcProxy => ({
            name: `${route.hostname}-tcp`,
            type: "tcp",
            localIP: route.upstream.host,
            localPort: route.upstream.port,
            remotePort: route.remotePort,
        }));
    return [...web, ...tcp];
}

/**
 * Renders the stack's frpc.toml (frp ≥ 0.52). Same input, same bytes, so a hash of it can
 * trigger the frpc restart. Throws on an invalid route table or options; the error never
 * contains the token.
 */
export function renderFrpcToml(table: RouteTable, options: FrpcOptions): string {
    assertValidRouteTable(table);
    const problems = optionProblems(options);
    if (problems.length > 0) {
        throw new Error(`invalid frpc options for stack ${JSON.stringify(table.stack)}:\n  - ${problems.join("\n  - ")}`);
    }
    const config = {
        serverAddr: options.serverAddr,
        serverPort: options.serverPort,
        user: options.user,
        // frpc exits when its first login fails (frp's default); a relay outage at boot would
        // then leave the tunnel down or restart-looping. Later disconnects always retry.
        loginFailExit: false,
        auth: { method: "token", token: options.authToken },
        ...(options.includes === undefined ? {} : { includes: [...options.includes] }),
        // Loopback only: nothing outside the container can reach the admin API.
        ...(options.adminPort === undefined ? {} : { webServer: { addr: "127.0.0.1", port: options.adminPort } }),
        proxies: frpcProxies(table, options),
    };
    const header = `# frpc.toml of stack ${table.stack}, rendered from its route table: change the table, not this file.`;
    return `${header}\n${stringify(config).trimEnd()}\n`;
}

function optionProblems(options: FrpcOptions): string[] {
    const problems: string[] = [];
    if (!isHostOrIpv4(options.serverAddr)) problems.push(`serverAddr ${JSON.stringify(options.serverAddr)} is not an IP address or host name`);
    if (!isPort(options.serverPort)) problems.push(`serverPort must be an integer from 1 to 65535, got ${String(options.serverPort)}`);
    // Only emptiness is checked and reported: the value is a secret.
    if (options.authToken.length === 0) problems.push("authToken is empty");
    if (!FRP_USER.test(options.user)) problems.push(`user ${JSON.stringify(options.user)} must be letters, digits, "_" or "-"`);
    if (!HOST.test(options.caddyHost)) problems.push(`caddyHost ${JSON.stringify(options.caddyHost)} is not a container name`);
    if (options.adminPort !== undefined && !isPort(options.adminPort))
        problems.push(`adminPort must be an integer from 1 to 65535, got ${String(options.adminPort)}`);
    for (const glob of options.includes ?? []) {
        if (!INCLUDE_GLOB.test(glob)) problems.push(`includes entry ${JSON.stringify(glob)} must be an absolute path with at most one "*" in its last segment`);
    }
    return problems;
}

/**
 * The proxies of one review environment, as a file its host's frpc includes: the same http and
 * https proxies to the host's Caddy as the host's own routes get (frpcProxies), nothing else.
 */
export function renderFrpcProxiesFile(table: RouteTable, options: Pick<FrpcOptions, "caddyHost">): string {
    assertValidRouteTable(table);
    if (!HOST.test(options.caddyHost)) throw new Error(`invalid frpc proxies file: caddyHost ${JSON.stringify(options.caddyHost)} is not a container name`);
    if (table.tcp.length > 0) throw new Error("invalid frpc proxies file: a review environment routes no TCP");
    const proxies = frpcProxies(table, { serverAddr: "", serverPort: 0, authToken: "", user: "", caddyHost: options.caddyHost });
    const header = `# frpc proxies of ${table.stack}, included by its host's frpc.toml: rendered from its route table.`;
    return `${header}\n${stringify({ proxies }).trimEnd()}\n`;
}

/** Code-unit order: unlike localeCompare it cannot change with the machine's locale. */
function compareStrings(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
