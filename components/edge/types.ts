/**
 * The route table: the one place hostnames live. The Caddyfile, the Cloudflare DNS records,
 * the FRP client config, OAuth redirect URLs, monitors and stack outputs are all derived from it.
 * Plain data: no Pulumi types, so renderers and tests use it without the Pulumi runtime.
 */

/** An HTTP(S) site served by this stack's Caddy. */
export interface HttpRoute {
    /** Route name: a catalog web route's name or an app's key, e.g. "gitlab", "uptime", "registry", "pyerp" (docs/architecture.md, "Glossary"). */
    readonly name: string;
    /** Fully qualified public hostname, e.g. "staging-gitlab.nexora.restry.cn". */
    readonly hostname: string;
    /** Container name on the stack's edge network and the port the service listens on. */
    readonly upstream: { readonly host: string; readonly port: number };
    /**
     * Largest request body Caddy accepts, in MiB (GitLab pushes and uploads need a large one).
     * @default undefined — no limit set by Caddy
     */
    readonly maxRequestBodyMiB?: number;
    /** Adds HSTS, nosniff, frame and referrer headers. */
    readonly securityHeaders: boolean;
    /** Admin UI: behind HTTP basic auth with the stack's edge admin credential. */
    readonly restricted: boolean;
    /** Cloudflare orange cloud for this name (DNS-only when false). */
    readonly proxied: boolean;
    /**
     * Released with health-gated, zero-downtime releases: Caddy imports the upstream from the
     * file the release switches (components/edge/upstreams.ts) instead of `upstream.host`, which
     * is then the service's base name (each release adds an id to it). @default false
     */
    readonly released?: boolean;
}

/** A raw TCP service exposed through the tunnel (GitLab SSH). Never proxied by Cloudflare. */
export interface TcpRoute {
    /** Route name, e.g. "gitlab-ssh". */
    readonly name: string;
    /** DNS-only hostname clients connect to, e.g. "git.nexora.restry.cn". */
    readonly hostname: string;
    readonly upstream: { readonly host: string; readonly port: number };
    /** Port opened on the relay (frps) for this stack; unique per stack. */
    readonly remotePort: number;
}

export interface RouteTable {
    readonly stack: string;
    /** Port Caddy serves plain HTTP on (ACME HTTP-01, redirects): the published host port, or Caddy's own. */
    readonly httpPort: number;
    /** Port Caddy serves HTTPS on and clients reach it on: the published host port, or Caddy's own through the relay. */
    readonly httpsPort: number;
    readonly http: readonly HttpRoute[];
    readonly tcp: readonly TcpRoute[];
}
