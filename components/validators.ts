/**
 * The syntax rules every value from a stack file is checked against: config/ applies them
 * where it reads a value, and the renderers (Caddyfile, frpc.toml, gitlab.rb, health checks)
 * apply the same functions before they interpolate. One rule per kind of value, so a value the
 * config accepts is always one its renderer accepts.
 *
 * Hand-written: each rule is a few lines of RFC grammar, and the libraries that exist
 * (validator.js, ip-address) accept forms the renderers must not see (IPv6 zones, octal or
 * non-canonical IPv4, URLs with userinfo).
 */
import { isIP } from "node:net";

/** RFC 1035 §2.3.4 as read by RFC 1123 §2.1: a name in text form without the trailing dot. */
export const MAX_HOSTNAME_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;
/** Lowercase only: Caddy, Cloudflare and frps all compare names case-sensitively somewhere. */
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** One lowercase DNS label (RFC 1123): 1–63 of [a-z0-9-], no hyphen at either end. */
export function isDnsLabel(value: string): boolean {
    return value.length <= MAX_LABEL_LENGTH && DNS_LABEL.test(value);
}

/**
 * Why `hostname` is not a usable public hostname, or undefined when it is: RFC 1123 labels,
 * at most 253 characters, and a last label that is not all digits (RFC 3696 §2), so an IP
 * address is never taken for a hostname.
 */
export function hostnameProblem(hostname: string): string | undefined {
    if (hostname.length === 0) return "hostname is empty";
    if (hostname.length > MAX_HOSTNAME_LENGTH) {
        return `hostname is ${hostname.length} characters long, more than ${MAX_HOSTNAME_LENGTH}`;
    }
    const labels = hostname.split(".");
    for (const label of labels) {
        if (label.length === 0) return "hostname has an empty label (leading, trailing or double dot)";
        if (label.length > MAX_LABEL_LENGTH) {
            return `label ${JSON.stringify(label)} is ${label.length} characters long, more than ${MAX_LABEL_LENGTH}`;
        }
        if (!DNS_LABEL.test(label)) {
            return `label ${JSON.stringify(label)} must be lowercase letters, digits and inner hyphens only`;
        }
    }
    if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return "hostname ends in an all-numeric label (an IP address?)";
    return undefined;
}

export function isHostname(value: string): boolean {
    return hostnameProblem(value) === undefined;
}

/** A domain of at least two labels (a zone or a base domain). */
export function isDomain(value: string): boolean {
    return isHostname(value) && value.includes(".");
}

/** True when `hostname` is `domain` or a name under it. */
export function isUnderDomain(hostname: string, domain: string): boolean {
    return hostname === domain || hostname.endsWith(`.${domain}`);
}

/** True for an integer TCP/UDP port usable by a listener or a dial (0 means "any" and is not). */
export function isPort(value: number): boolean {
    return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Dotted-quad IPv4 in canonical form: four decimal octets 0–255, no leading zeros (which some parsers read as octal). */
export function isIpv4(value: string): boolean {
    const parts = value.split(".");
    return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

export function ipv4ToNumber(value: string): number {
    return value.split(".").reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function numberToIpv4(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

interface Range {
    readonly start: number;
    readonly end: number;
}

function range(cidr: string): Range {
    const parsed = parseCidr(cidr, 0, 32)!;
    return { start: parsed.start, end: parsed.end };
}

/** RFC 1918 private ranges: what a Docker network on a LAN host may use. */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(range);

/**
 * Ranges that are not the public internet (RFC 6890 special-purpose registry, IPv4): a DNS
 * record pointing there sends visitors nowhere, or somewhere of an attacker's choosing on their LAN.
 */
const NON_PUBLIC_RANGES = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
].map(range);

function inRanges(n: number, ranges: readonly Range[]): boolean {
    return ranges.some((r) => r.start <= n && n <= r.end);
}

/** A canonical IPv4 address that is routable on the public internet. */
export function isPublicIpv4(value: string): boolean {
    return isIpv4(value) && !inRanges(ipv4ToNumber(value), NON_PUBLIC_RANGES);
}

/**
 * Parses "a.b.c.d/n" into a numeric range, or undefined when it is not a canonical IPv4 CIDR
 * with a prefix in [minPrefix, maxPrefix] and no host bits set.
 */
export function parseCidr(value: string, minPrefix = 8, maxPrefix = 29): { start: number; end: number; prefix: number } | undefined {
    const [ip, prefixText, ...rest] = value.split("/");
    if (rest.length > 0 || !isIpv4(ip ?? "") || !/^(0|[1-9][0-9]?)$/.test(prefixText ?? "")) return undefined;
    const prefix = Number(prefixText);
    if (prefix < minPrefix || prefix > maxPrefix) return undefined;
    const n = ipv4ToNumber(ip!);
    const size = 2 ** (32 - prefix);
    if (n % size !== 0) return undefined;
    return { start: n, end: n + size - 1, prefix };
}

export function cidrsOverlap(a: string, b: string): boolean {
    const x = parseCidr(a);
    const y = parseCidr(b);
    return !!x && !!y && x.start <= y.end && y.start <= x.end;
}

/** A CIDR entirely inside the RFC 1918 private ranges. */
export function isPrivateCidr(value: string): boolean {
    const c = parseCidr(value);
    return !!c && PRIVATE_RANGES.some((r) => r.start <= c.start && c.end <= r.end);
}

export function cidrContains(cidr: string, address: string): boolean {
    const c = parseCidr(cidr);
    if (!c || !isIpv4(address)) return false;
    const n = ipv4ToNumber(address);
    return c.start <= n && n <= c.end;
}

/** The `index`-th host address of a subnet (1 = the first after the network address). */
export function hostAddress(cidr: string, index: number): string {
    const c = parseCidr(cidr);
    if (!c || index < 1 || c.start + index >= c.end) throw new Error(`subnet ${JSON.stringify(cidr)} has no host address #${index}`);
    return numberToIpv4(c.start + index);
}

/** The last host address of a subnet (before the broadcast address): Docker hands out addresses from the bottom, so a fixed one here does not collide. */
export function lastHostAddress(cidr: string): string {
    const c = parseCidr(cidr, 8, 30);
    if (!c) throw new Error(`not an IPv4 subnet: ${JSON.stringify(cidr)}`);
    return numberToIpv4(c.end - 1);
}

/** An IP address (v4 canonical or v6) or a CIDR of one: what Caddy's trusted_proxies and GitLab's trusted addresses take. */
export function isIpOrCidr(value: string): boolean {
    const [address, prefix, ...rest] = value.split("/");
    const family = address !== undefined && isIpv4(address) ? 4 : isIP(address ?? "") === 6 ? 6 : 0;
    if (family === 0 || rest.length > 0) return false;
    if (prefix === undefined) return true;
    return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** An IP address or host name something dials (frps, a relay): no port, no scheme, nothing a config file reads as syntax. */
export function isHostOrIpv4(value: string): boolean {
    return isIpv4(value) || (isHostname(value) && !/^[0-9.]+$/.test(value));
}

/**
 * Addresses no client can dial (RFC 6890): "this network" and the unspecified 0.0.0.0, multicast,
 * and the reserved 240/4 with the limited broadcast 255.255.255.255. IPv6 is not accepted where
 * this is used, so "::" never gets here.
 */
const UNDIALLABLE_RANGES: readonly (readonly [Range, string])[] = [
    [range("0.0.0.0/8"), "an unspecified or this-network address (0.0.0.0/8)"],
    [range("224.0.0.0/4"), "a multicast address (224.0.0.0/4)"],
    [range("240.0.0.0/4"), "a reserved or broadcast address (240.0.0.0/4, 255.255.255.255)"],
];

/**
 * Why `host` (an IPv4 address or host name that passed isHostOrIpv4) cannot be dialled, or
 * undefined. `fromContainer`: the dialling happens inside a container (frpc, restic), where
 * loopback is the container itself, never the host or the relay.
 */
export function undiallableHost(host: string, fromContainer: boolean): string | undefined {
    if (isIpv4(host)) {
        const n = ipv4ToNumber(host);
        const hit = UNDIALLABLE_RANGES.find(([r]) => r.start <= n && n <= r.end);
        if (hit) return hit[1];
        if (fromContainer && n >>> 24 === 127) return "a loopback address (inside the container it is the container itself)";
        return undefined;
    }
    if (fromContainer && /(^|\.)localhost$/i.test(host)) return "localhost (inside the container it is the container itself)";
    return undefined;
}

/** The address form Caddy's `email` directive and ACME accept (what the Caddyfile renderer checks). */
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
export function isEmail(value: string): boolean {
    return value.length <= 254 && EMAIL.test(value) && isDomain(value.slice(value.indexOf("@") + 1).toLowerCase());
}

/**
 * An https origin: `https://host[:port]`, lowercase host name, port 1–65535, no userinfo, path,
 * query or fragment.
 */
export function isHttpsOrigin(value: string): boolean {
    const m = /^https:\/\/([^/:?#@\s]+)(?::([0-9]{1,5}))?$/.exec(value);
    if (!m) return false;
    if (!isHostname(m[1]!)) return false;
    return m[2] === undefined || (/^[1-9]/.test(m[2]) && isPort(Number(m[2])));
}

// RFC 3986 pchar without the sub-delims a shell, Ruby or Caddyfile reads as syntax ($ ' ( ) * ;),
// so a path is safe unquoted everywhere but still covers real paths: /api/v1/health, /-/ready, /status.json, /a%20b.
const PATH_CHAR = "A-Za-z0-9._~!:@+,=\\-";
const PCT = "%[0-9A-Fa-f]{2}";
const PATH_SEGMENTS = `(?:/(?:[${PATH_CHAR}]|${PCT})*)+`;
const URL_PATH = new RegExp(`^${PATH_SEGMENTS}$`);
/** Query: the same characters plus "&", "/" and "?" (RFC 3986 §3.4). */
const URL_PATH_WITH_QUERY = new RegExp(`^${PATH_SEGMENTS}(?:\\?(?:[${PATH_CHAR}&/?]|${PCT})*)?$`);
const MAX_PATH_LENGTH = 512;

/** An absolute URL path, no query or fragment (an OAuth redirect path: GitLab compares redirect URIs exactly). */
export function isUrlPath(value: string): boolean {
    return value.length <= MAX_PATH_LENGTH && URL_PATH.test(value) && !value.includes("//") && !/(^|\/)\.\.?(\/|$)/.test(value);
}

/** An absolute URL path with an optional query (a health check path such as "/health?x=1&y=2"). */
export function isUrlPathWithQuery(value: string): boolean {
    const path = value.split("?")[0]!;
    return value.length <= MAX_PATH_LENGTH && URL_PATH_WITH_QUERY.test(value) && !path.includes("//") && !/(^|\/)\.\.?(\/|$)/.test(path);
}

/** Environment variable names a container takes ([A-Za-z_][A-Za-z0-9_]*). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export function isEnvName(value: string): boolean {
    return ENV_NAME.test(value);
}

/** A Pulumi config key name under the project namespace. */
export function isConfigKeyName(value: string): boolean {
    return /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(value);
}

/**
 * Why a Docker host address is unusable, or undefined: `unix:///absolute/path`,
 * `ssh://user@host[:port]` or `tcp://host:port`. The value reaches `ssh` and the docker CLI as
 * DOCKER_HOST, so a user or host starting with "-" (an ssh option like -oProxyCommand) is refused.
 */
export function dockerHostProblem(value: string): string | undefined {
    if (value.startsWith("unix://")) {
        return /^unix:\/\/(\/[A-Za-z0-9._-]+)+$/.test(value) && !/\/\.\.?(\/|$)/.test(value.slice(7))
            ? undefined
            : "a unix:// socket path of letters, digits, '.', '_', '-'";
    }
    const m = /^(ssh|tcp):\/\/(?:([^@]*)@)?([^:@]*)(?::([^:@]*))?$/.exec(value);
    if (!m) return "unix:///path/to/docker.sock, ssh://user@host[:port] or tcp://host:port";
    const [, scheme, user, host, port] = m;
    if (scheme === "ssh" && (user === undefined || !/^[a-z_][a-z0-9_.-]{0,31}$/i.test(user)))
        return "an ssh:// address with a user name (letters, digits, '.', '_', '-', not starting with '-')";
    if (scheme === "tcp" && user !== undefined) return "a tcp:// address without a user";
    if (!isHostOrIpv4(host!)) return "a host name or IPv4 address after the scheme";
    const undiallable = undiallableHost(host!, false);
    if (undiallable) return `a host to connect to after the scheme, not ${undiallable}`;
    if (port === undefined) return scheme === "tcp" ? "a tcp:// address with a port" : undefined;
    return /^[1-9][0-9]{0,4}$/.test(port) && isPort(Number(port)) ? undefined : "a port 1-65535";
}

/** The host part of a Docker host address (undefined for a unix socket). */
/**
 * Path of the Docker daemon's socket on the Docker host, for containers that manage it (Portainer,
 * the runner, the backup): the path of a `unix://` dockerHost, else Docker's default
 * `/var/run/docker.sock` on the remote host (`ssh://` talks to exactly that socket).
 */
export function dockerSocketPath(value: string): string {
    return value.startsWith("unix://") ? value.slice("unix://".length) : "/var/run/docker.sock";
}

export function dockerHostAddress(value: string): string | undefined {
    return /^(?:ssh|tcp):\/\/(?:[^@]*@)?([^:@]*)/.exec(value)?.[1];
}

/** A word that needs no quoting in POSIX sh: no metacharacter, glob, quote, space or expansion. */
const SHELL_SAFE = /^[A-Za-z0-9/._~%:@+,=-]+$/;

/** Quotes a string for POSIX sh as one word. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `value` as one sh word: unchanged when nothing in it is syntax, single-quoted otherwise. */
export function shellWord(value: string): string {
    return SHELL_SAFE.test(value) && !value.startsWith("~") ? value : shellQuote(value);
}

/** Keys that would reach a prototype's property instead of an own entry of a map. */
export function isPrototypeName(key: string): boolean {
    return key === "__proto__" || key in Object.prototype;
}

/** The own entries of a parsed mapping, safe to index with any key. */
export function ownEntries(value: object): [string, unknown][] {
    return Object.keys(value).map((k) => [k, Object.getOwnPropertyDescriptor(value, k)!.value as unknown]);
}

/** A null-prototype copy: lookups of "constructor" or "toString" find only own entries. */
export function nullProtoMap<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
    const out = Object.create(null) as Record<string, T>;
    for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
}

export function hasOwn(value: object, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(value, key);
}

/** A stack name: the environment, or `<environment>-<suffix>`; short, so Docker names stay readable. */
export function isStackName(value: string): boolean {
    return /^[a-z][a-z0-9-]{0,20}$/.test(value);
}
