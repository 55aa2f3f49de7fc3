import { servicePort } from "../catalog";
import type { HttpRoute, RouteTable } from "./types";
import { isEmail, isIpOrCidr, isPort } from "../validators";
import { assertValidRouteTable } from "./validate";
import { releaseUpstreamImport } from "./upstreams";

/** Credential for the basic auth in front of restricted routes (admin UIs). */
export interface CaddyAdminAuth {
    /** Letters, digits, ".", "_" and "-". */
    readonly username: string;
    /** bcrypt hash of the password ($2a$/$2b$/$2y$), e.g. RandomPassword.bcryptHash or `caddy hash-password`. */
    readonly passwordHash: string;
}

export interface CaddyfileOptions {
    /**
     * Where site certificates come from: "acme" asks a public CA (HTTP-01 / TLS-ALPN-01 through
     * the relay, which forwards 80/443 untouched); "internal" uses Caddy's own local CA, for a
     * laptop dev stack with no public name and for tests.
     */
    readonly tls: "acme" | "internal";
    /**
     * ACME account email (expiry notices, rate-limit recovery). Required when `tls` is "acme".
     * @default undefined — not rendered; ignored when `tls` is "internal"
     */
    readonly acmeEmail?: string;
    /**
     * IPs or CIDRs of proxies in front of Caddy whose X-Forwarded-* headers Caddy passes on as
     * trusted. Empty trusts nobody, which is what the platform passes: frpc forwards TLS without
     * the client's address, so trusting its address would let any client forge X-Forwarded-For.
     */
    readonly trustedProxies: readonly string[];
    /**
     * Basic-auth credential for routes with `restricted: true`; required when any route is restricted.
     * @default undefined — no route may be restricted
     */
    readonly adminAuth?: CaddyAdminAuth;
    /**
     * Port Caddy serves plain HTTP on (ACME HTTP-01, redirects to HTTPS).
     * @default the route table's httpPort
     */
    readonly httpPort?: number;
    /**
     * Port Caddy serves HTTPS on.
     * @default the route table's httpsPort
     */
    readonly httpsPort?: number;
    /**
     * Admin endpoint address (host:port), or "off". `caddy reload` reads it from the new
     * config to know where to post it, so it must stay reachable inside the container.
     * @default localhost on Caddy's admin port in the service catalog
     */
    readonly admin?: string;
    /**
     * Absolute glob of further site files imported after the stack's own sites (review
     * environments drop theirs there and reload Caddy). A glob matching no file imports nothing.
     * @default undefined — nothing imported
     */
    readonly importGlob?: string;
}

/** Where review environments put their site snippets in a review host's Caddy container. */
export const REVIEW_SITES_DIR = "/etc/caddy/reviews";
export const REVIEW_SITES_GLOB = `${REVIEW_SITES_DIR}/*.caddy`;
/** An absolute path of plain segments, with at most a "*" in its last one: nothing Caddyfile syntax. */
const IMPORT_GLOB = /^(\/[A-Za-z0-9._-]+)+\/[A-Za-z0-9._-]*\*?[A-Za-z0-9._-]*$/;

/** Nothing with spaces, quotes, braces or "#", which would be Caddyfile syntax. */
const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;
/** bcrypt modular crypt format: version, two-digit cost, 22-char salt + 31-char hash. */
const BCRYPT_HASH = /^\$2[abxy]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;
const ADMIN_ADDRESS = /^(?:[A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5})$/;

/**
 * Response headers added to routes with `securityHeaders`. The "?" prefix sets a header only
 * when the upstream did not: an app's own policy (GitLab's frame rules, say) wins, Caddy fills the gaps.
 * They are applied as a proxied response is written, so Caddy's own bodiless error responses
 * (basic auth's 401) go out without them.
 */
const SECURITY_HEADERS: readonly string[] = [
    // Siblings, not a parent: includeSubDomains would pin HTTPS on names this stack does not serve.
    "?Strict-Transport-Security max-age=31536000",
    "?X-Content-Type-Options nosniff",
    "?X-Frame-Options SAMEORIGIN",
    "?Referrer-Policy strict-origin-when-cross-origin",
    // Deletions wait until the response is written, so the upstream's Server header goes too, not just Caddy's.
    "-Server",
];

/**
 * Renders the stack's Caddyfile: a global options block, then one site block per HTTP route,
 * sorted by hostname. Same input, same bytes: a hash of the text triggers the Caddy reload.
 * The syntax is what both Debian's caddy 2.6 (tests) and the current 2.x image accept.
 * Throws on an invalid route table or options, so nothing unchecked is ever interpolated.
 */
export function renderCaddyfile(table: RouteTable, given: CaddyfileOptions): string {
    assertValidRouteTable(table);
    const options: CaddyfileOptions = {
        ...given,
        httpPort: given.httpPort ?? table.httpPort,
        httpsPort: given.httpsPort ?? table.httpsPort,
        admin: given.admin ?? `localhost:${servicePort("caddy", "admin")}`,
    };
    const problems = optionProblems(table, options);
    if (problems.length > 0) {
        throw new Error(`invalid Caddyfile options for stack ${JSON.stringify(table.stack)}:\n  - ${problems.join("\n  - ")}`);
    }

    const routes = [...table.http].sort((a, b) => compareStrings(a.hostname, b.hostname));
    const sections = [globalOptions(options), ...routes.map((route) => siteBlock(route, options))];
    if (options.importGlob !== undefined) sections.push([`import ${options.importGlob}`]);
    const header = `# Caddyfile of stack ${table.stack}, rendered from its route table: change the table, not this file.`;
    return `${header}\n${sections.map((lines) => lines.join("\n")).join("\n\n")}\n`;
}

/**
 * The site blocks alone (no global options): a file another stack's Caddyfile imports, as a review
 * environment's route in its host's Caddy. Same checks and layout as renderCaddyfile's sites.
 */
export function renderSiteSnippet(table: RouteTable, given: Pick<CaddyfileOptions, "tls" | "trustedProxies">): string {
    assertValidRouteTable(table);
    const options: CaddyfileOptions = { ...given, httpPort: table.httpPort, httpsPort: table.httpsPort };
    const problems = optionProblems(table, options).concat(
        table.http.some((r) => r.restricted) ? ["a snippet has no admin credential: no route may be restricted"] : [],
    );
    if (problems.length > 0) throw new Error(`invalid Caddy site snippet for stack ${JSON.stringify(table.stack)}:\n  - ${problems.join("\n  - ")}`);
    const routes = [...table.http].sort((a, b) => compareStrings(a.hostname, b.hostname));
    const header = `# Sites of ${table.stack}, imported by its host's Caddyfile: rendered from its route table.`;
    return `${header}\n${routes.map((route) => siteBlock(route, options).join("\n")).join("\n\n")}\n`;
}

function globalOptions(options: CaddyfileOptions): string[] {
    const lines = [`admin ${options.admin!}`, `http_port ${options.httpPort!}`, `https_port ${options.httpsPort!}`];
    if (options.tls === "acme") lines.push(`email ${options.acmeEmail!}`);
    // The local CA's root goes to no trust store: a container has none worth writing, and tests must not touch the host's.
    else lines.push("skip_install_trust");
    return block("", lines);
}

function siteBlock(route: HttpRoute, options: CaddyfileOptions): string[] {
    const lines: string[] = [];
    if (options.tls === "internal") lines.push("tls internal");
    if (route.maxRequestBodyMiB !== undefined) {
        lines.push(...block("request_body", [`max_size ${route.maxRequestBodyMiB}MiB`]));
    }
    if (route.securityHeaders) lines.push(...block("header", SECURITY_HEADERS));
    if (route.restricted) {
        const { username, passwordHash } = options.adminAuth!;
        // "basicauth", not "basic_auth": 2.6 only knows the old name; 2.8+ keeps it as a deprecated alias.
        lines.push(...block("basicauth", [`${username} ${passwordHash}`]));
    }
    const upstream = `${route.upstream.host}:${route.upstream.port}`;
    // WebSocket upgrades need nothing here: reverse_proxy passes them through by default.
    // trusted_proxies lives on reverse_proxy, not in the global `servers` option, which 2.6.2 lacks.
    if (route.released) lines.push(releaseUpstreamImport(route.name));
    else if (options.trustedProxies.length === 0) lines.push(`reverse_proxy ${upstream}`);
    else lines.push(...block(`reverse_proxy ${upstream}`, [`trusted_proxies ${options.trustedProxies.join(" ")}`]));
    return block(route.hostname, lines);
}

/** `header { body }` with tab indentation, the layout `caddy fmt` produces; an empty header opens the global block. */
function block(header: string, body: readonly string[]): string[] {
    return [header === "" ? "{" : `${header} {`, ...body.map((line) => `\t${line}`), "}"];
}

function optionProblems(table: RouteTable, options: CaddyfileOptions): string[] {
    const problems: string[] = [];
    // A released route's reverse_proxy line lives in its upstream file, which carries no options.
    const released = table.http.filter((r) => r.released).map((r) => r.name);
    if (released.length > 0 && options.trustedProxies.length > 0) {
        problems.push(`trustedProxies cannot apply to released routes (${released.join(", ")}): their upstream file holds only the reverse_proxy line`);
    }
    if (options.tls !== "acme" && options.tls !== "internal") {
        problems.push(`tls must be "acme" or "internal", got ${JSON.stringify(options.tls)}`);
    }
    if (options.tls === "acme") {
        if (options.acmeEmail === undefined) problems.push('acmeEmail is required when tls is "acme"');
        else if (!isEmail(options.acmeEmail)) problems.push(`acmeEmail ${JSON.stringify(options.acmeEmail)} is not an email address`);
    }
    for (const proxy of options.trustedProxies) {
        if (!isIpOrCidr(proxy)) problems.push(`trustedProxies entry ${JSON.stringify(proxy)} is not an IP address or CIDR`);
    }
    const restricted = table.http.filter((route) => route.restricted).map((route) => route.hostname);
    if (options.adminAuth === undefined) {
        if (restricted.length > 0) problems.push(`adminAuth is required for the restricted routes ${restricted.join(", ")}`);
    } else {
        if (!USERNAME.test(options.adminAuth.username)) {
            problems.push(`adminAuth.username ${JSON.stringify(options.adminAuth.username)} must be 1–64 letters, digits, ".", "_" or "-"`);
        }
        // The hash itself stays out of the message: it is credential material.
        if (!BCRYPT_HASH.test(options.adminAuth.passwordHash)) problems.push("adminAuth.passwordHash is not a bcrypt hash ($2a$/$2b$/$2y$)");
    }
    for (const key of ["httpPort", "httpsPort"] as const) {
        const port = options[key];
        if (port !== undefined && !isPort(port)) problems.push(`${key} must be an integer from 1 to 65535, got ${String(port)}`);
    }
    if (options.importGlob !== undefined && !IMPORT_GLOB.test(options.importGlob)) {
        problems.push(
            `importGlob ${JSON.stringify(options.importGlob)} must be an absolute path of letters, digits, ".", "_" and "-" with at most one "*" in its last segment`,
        );
    }
    const httpPort = options.httpPort;
    if (httpPort === options.httpsPort) problems.push(`httpPort and httpsPort are both ${httpPort}`);
    if (options.admin !== undefined && options.admin !== "off") {
        const match = ADMIN_ADDRESS.exec(options.admin);
        if (match === null || !isPort(Number(match[1]))) problems.push(`admin ${JSON.stringify(options.admin)} must be "off" or host:port`);
    }
    return problems;
}

/** Code-unit order: unlike localeCompare it cannot change with the machine's locale. */
function compareStrings(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
