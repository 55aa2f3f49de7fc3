/**
 * Renders GitLab's omnibus configuration (gitlab.rb, Ruby) from typed settings. Plain data in,
 * text out: the GitLab component puts the result in the container's GITLAB_OMNIBUS_CONFIG, which
 * omnibus evaluates on every start. Every string goes through {@link rubyString}, so a secret
 * can never end a literal or run code.
 */
import { isIP } from "node:net";
import { servicePort } from "../catalog";
import { postgresIdentifierPattern } from "../postgres/sql";
import { isHostname, isIpOrCidr, isPort } from "../validators";

/** Connection to the external PostgreSQL database GitLab uses instead of its bundled one. */
export interface GitlabDatabaseSettings {
    /** Host name of the PostgreSQL server on the stack's data network, e.g. "nexora-prod-postgres". */
    readonly host: string;
    /** TCP port of the PostgreSQL server, e.g. 5432. */
    readonly port: number;
    /** GitLab's login role (lowercase SQL identifier). */
    readonly username: string;
    /** The role's password. */
    readonly password: string;
    /** GitLab's database (lowercase SQL identifier), which already has GitLab's extensions. */
    readonly name: string;
}

/**
 * What the rendered gitlab.rb sets. Redis stays bundled on purpose: it holds GitLab's Sidekiq
 * queues and sessions, which must not share fate (flushes, eviction, restarts) with Outline's cache.
 */
export interface GitlabOmnibusSettings {
    /** Public URL users browse to, e.g. "https://gitlab.nexora.restry.cn". https only: Caddy terminates TLS. No path. */
    readonly externalUrl: string;
    /** Host name users clone from over SSH, e.g. "git.nexora.restry.cn" (a DNS-only name routed through the tunnel). */
    readonly sshHost: string;
    /**
     * Port users clone from over SSH (shown in clone URLs); forwarded to the container's port 22.
     * @default 2222
     */
    readonly sshPort?: number;
    /**
     * Addresses or CIDRs of the reverse proxies in front of GitLab (the stack's Docker edge subnet).
     * nginx takes the client address from X-Forwarded-For only when the request comes from one
     * of these, and Rails does the same; without them every user looks like Caddy to rate limits.
     */
    readonly trustedProxies: readonly string[];
    /**
     * Addresses or CIDRs allowed to read /-/health, /-/readiness, /-/liveness and /-/metrics, on
     * top of loopback (127.0.0.0/8, ::1/128), which is always added because the container's own
     * health check calls from inside. The platform adds nothing: on the edge subnet every client
     * arrives from frpc's address, so allowing it would open /-/metrics to the internet.
     */
    readonly monitoringWhitelist: readonly string[];
    /** External PostgreSQL connection; the bundled PostgreSQL is turned off. */
    readonly database: GitlabDatabaseSettings;
    /** Password of the `root` user, applied when the database is first seeded and ignored afterwards. At least 8 characters. */
    readonly initialRootPassword: string;
    /**
     * Public URL of the container registry, e.g. "https://registry.nexora.restry.cn"; https, no path.
     * @default undefined — the registry is turned off
     */
    readonly registryExternalUrl?: string;
    /**
     * Instance time zone (IANA name): the default for users who set none, and for scheduled jobs.
     * @default "Asia/Shanghai" — where the team works
     */
    readonly timeZone?: string;
    /**
     * Puma worker processes (0 = single process). Each worker costs 0.5–1 GB; 2 serves a team of
     * this size on a shared host.
     * @default 2
     */
    readonly pumaWorkerProcesses?: number;
    /**
     * Sidekiq threads (`sidekiq['concurrency']`; `max_concurrency` was removed in GitLab 17.0).
     * 10 (from GitLab's memory-constrained guide) keeps background jobs moving for ~30
     * repositories at half the default's 20 threads.
     * @default 10
     */
    readonly sidekiqConcurrency?: number;
}

const defaults = {
    sshPort: 2222,
    timeZone: "Asia/Shanghai",
    pumaWorkerProcesses: 2,
    sidekiqConcurrency: 10,
} as const;

const loopback: readonly string[] = ["127.0.0.0/8", "::1/128"];

// The proxy terminated TLS: tell Rails the request was https. Omnibus merges these into its default headers.
const httpsProxyHeaders: Readonly<Record<string, string>> = { "X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on" };

/**
 * Render gitlab.rb for GITLAB_OMNIBUS_CONFIG. Deterministic: same settings, same text.
 * @throws Error naming the setting when a value is missing, malformed or unsafe.
 */
export function renderGitlabOmnibusConfig(settings: GitlabOmnibusSettings): string {
    const externalUrl = httpsOrigin(settings.externalUrl, "externalUrl");
    const registryUrl = settings.registryExternalUrl === undefined ? undefined : httpsOrigin(settings.registryExternalUrl, "registryExternalUrl");
    if (registryUrl === externalUrl) throw new Error("registryExternalUrl: must differ from externalUrl (the registry needs its own host name)");
    const sshHost = hostName(settings.sshHost, "sshHost");
    const sshPort = port(settings.sshPort ?? defaults.sshPort, "sshPort");
    const trustedProxies = addresses(settings.trustedProxies, "trustedProxies");
    if (trustedProxies.length === 0) throw new Error("trustedProxies: needs at least the Docker subnet Caddy connects from");
    const monitoringWhitelist = [...new Set([...loopback, ...addresses(settings.monitoringWhitelist, "monitoringWhitelist")])];
    const database = settings.database;
    const dbHost = hostName(database.host, "database.host");
    const dbPort = port(database.port, "database.port");
    const dbUsername = identifier(database.username, "database.username");
    const dbName = identifier(database.name, "database.name");
    secret(database.password, "database.password");
    secret(settings.initialRootPassword, "initialRootPassword");
    // GitLab refuses to seed a root password shorter than its minimum length of 8.
    if ([...settings.initialRootPassword].length < 8) throw new Error("initialRootPassword: must be at least 8 characters (GitLab's minimum)");
    const timeZone = validTimeZone(settings.timeZone ?? defaults.timeZone, "timeZone");
    const pumaWorkers = integerIn(settings.pumaWorkerProcesses ?? defaults.pumaWorkerProcesses, 0, 32, "pumaWorkerProcesses");
    const sidekiqConcurrency = integerIn(settings.sidekiqConcurrency ?? defaults.sidekiqConcurrency, 1, 50, "sidekiqConcurrency");

    const realIp = (section: string): string[] => [
        `${section}['proxy_set_headers'] = ${rubyHash(httpsProxyHeaders)}`,
        `${section}['real_ip_trusted_addresses'] = ${rubyArray(trustedProxies)}`,
        `${section}['real_ip_header'] = 'X-Forwarded-For'`,
        `${section}['real_ip_recursive'] = 'on'`,
    ];

    const lines: string[] = [
        "# Nexora GitLab omnibus config (GITLAB_OMNIBUS_CONFIG). Generated: do not edit.",
        `external_url ${rubyString(externalUrl)}`,
        `gitlab_rails['time_zone'] = ${rubyString(timeZone)}`,
        "",
        "## Clone over SSH: users reach the container's sshd on this host and port.",
        `gitlab_rails['gitlab_ssh_host'] = ${rubyString(sshHost)}`,
        `gitlab_rails['gitlab_shell_ssh_port'] = ${sshPort}`,
        "",
        "## Seeds root on the first boot only; the stack's secrets hold it, so it is neither printed nor kept in /etc/gitlab.",
        `gitlab_rails['initial_root_password'] = ${rubyString(settings.initialRootPassword)}`,
        "gitlab_rails['display_initial_root_password'] = false",
        "gitlab_rails['store_initial_root_password'] = false",
        "",
        "## TLS ends at Caddy: plain HTTP inside; client addresses come from trusted proxies' X-Forwarded-For.",
        "letsencrypt['enable'] = false",
        // The web UI, API and Git over HTTP, plain HTTP behind Caddy.
        `nginx['listen_port'] = ${servicePort("gitlab", "http")}`,
        "nginx['listen_https'] = false",
        ...realIp("nginx"),
        `gitlab_rails['trusted_proxies'] = ${rubyArray(trustedProxies)}`,
        "",
        "## Health and metrics endpoints answer only these addresses.",
        `gitlab_rails['monitoring_whitelist'] = ${rubyArray(monitoringWhitelist)}`,
        "",
        "## The stack's shared PostgreSQL instead of the bundled one.",
        "postgresql['enable'] = false",
        "gitlab_rails['db_adapter'] = 'postgresql'",
        "gitlab_rails['db_encoding'] = 'unicode'",
        `gitlab_rails['db_host'] = ${rubyString(dbHost)}`,
        `gitlab_rails['db_port'] = ${dbPort}`,
        `gitlab_rails['db_username'] = ${rubyString(dbUsername)}`,
        `gitlab_rails['db_password'] = ${rubyString(database.password)}`,
        `gitlab_rails['db_database'] = ${rubyString(dbName)}`,
        "",
    ];
    if (registryUrl === undefined) {
        lines.push(
            "## Container registry: off (said explicitly, so omnibus never turns it on by itself).",
            "registry['enable'] = false",
            "gitlab_rails['registry_enabled'] = false",
        );
    } else {
        lines.push(
            "## Container registry on its own host name, plain HTTP behind Caddy like the web UI.",
            `registry_external_url ${rubyString(registryUrl)}`,
            `registry_nginx['listen_port'] = ${servicePort("gitlab", "registry")}`,
            "registry_nginx['listen_https'] = false",
            ...realIp("registry_nginx"),
        );
    }
    lines.push(
        "",
        "## One shared host: bounded Puma and Sidekiq; no bundled Prometheus and exporters (several hundred MB),",
        "## the platform watches GitLab through its health endpoints instead.",
        `puma['worker_processes'] = ${pumaWorkers}`,
        `sidekiq['concurrency'] = ${sidekiqConcurrency}`,
        "prometheus_monitoring['enable'] = false",
    );
    return `${lines.join("\n")}\n`;
}

/**
 * A single-quoted Ruby string: only `\\` and `\'` are escapes there, so `#{…}`, `$`, `"` and every
 * other character stay literal. Control characters are refused: they never belong in these values.
 */
export function rubyString(value: string): string {
    if (controlCharacters.test(value)) throw new Error("a gitlab.rb string must not contain control characters (NUL, newline, tab…)");
    return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function rubyArray(values: readonly string[]): string {
    return `[${values.map(rubyString).join(", ")}]`;
}

function rubyHash(entries: Readonly<Record<string, string>>): string {
    return `{ ${Object.entries(entries)
        .map(([key, value]) => `${rubyString(key)} => ${rubyString(value)}`)
        .join(", ")} }`;
}

const controlCharacters = /[\u0000-\u001f\u007f]/;

function httpsOrigin(value: string, field: string): string {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        throw new Error(`${field}: ${JSON.stringify(value)} is not a URL; expected https://<host>`);
    }
    if (url.protocol !== "https:") throw new Error(`${field}: ${JSON.stringify(value)} must use https (Caddy terminates TLS in front of GitLab)`);
    if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "" || (url.pathname !== "/" && url.pathname !== "")) {
        throw new Error(`${field}: ${JSON.stringify(value)} must be only https://<host>[:port], without path, query or credentials`);
    }
    hostName(url.hostname, field);
    return url.origin;
}

/** An RFC 1123 host name (the validators' rule; DNS names are case-insensitive) or an IP address. */
function hostName(value: string, field: string): string {
    if (!isHostname(value.toLowerCase()) && isIP(value) === 0) throw new Error(`${field}: ${JSON.stringify(value)} is not a host name or IP address`);
    return value;
}

function port(value: number, field: string): number {
    if (!isPort(value)) throw new Error(`${field}: ${value} must be an integer from 1 to 65535`);
    return value;
}

function integerIn(value: number, min: number, max: number, field: string): number {
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${field}: ${value} must be an integer from ${min} to ${max}`);
    return value;
}

function identifier(value: string, field: string): string {
    if (!postgresIdentifierPattern.test(value)) throw new Error(`${field}: ${JSON.stringify(value)} must match ${postgresIdentifierPattern.source}`);
    return value;
}

function secret(value: string, field: string): void {
    if (value.length === 0) throw new Error(`${field}: must not be empty`);
    if (controlCharacters.test(value))
        throw new Error(`${field}: must not contain control characters (NUL, newline, tab…); check for a trailing newline in the secret`);
}

function addresses(values: readonly string[], field: string): string[] {
    for (const value of values) {
        if (!isIpOrCidr(value)) throw new Error(`${field}: ${JSON.stringify(value)} is not an IP address or CIDR (e.g. 172.18.0.0/16)`);
    }
    return [...new Set(values)];
}

function validTimeZone(value: string, field: string): string {
    // The default needs no check (tests/gitlab/omnibus.test.ts checks it once): asking Intl loads
    // ICU's time-zone data, tens of milliseconds of every plan, more under memory pressure.
    if (value === defaults.timeZone) return value;
    try {
        new Intl.DateTimeFormat("en", { timeZone: value });
    } catch {
        throw new Error(`${field}: ${JSON.stringify(value)} is not an IANA time zone (e.g. "Asia/Shanghai", "UTC")`);
    }
    // Intl also accepts offsets like "+08:00", which Rails does not.
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(value)) throw new Error(`${field}: ${JSON.stringify(value)} is not an IANA time zone name`);
    return value;
}
