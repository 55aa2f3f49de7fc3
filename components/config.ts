import * as pulumi from "@pulumi/pulumi";
import { coreServiceKeys } from "./catalog";
import { DEFAULT_IMAGES, ImageName, imageNames, parseImageRef } from "./images";
import type { OAuthScope } from "./sso/consumers";

/**
 * The only reader of Pulumi config. Raw strings go through `parseSettings` (pure, fully
 * validated, every problem reported at once) before any resource is registered; secrets
 * are wrapped as Outputs here so no component ever sees them as plain strings.
 */

export const CONFIG_NAMESPACE = "nexora";

export type Environment = "dev" | "staging" | "prod";
export const environments: readonly Environment[] = ["dev", "staging", "prod"];
export type TlsMode = "acme" | "internal";

/** Scopes an app may ask for in config: sign-in and read access only; write scopes need code review. */
export const APP_OAUTH_SCOPES: readonly OAuthScope[] = ["openid", "profile", "email", "read_user", "read_api"];

export interface AppSsoSettings {
    /** Path on the app's own hostname GitLab redirects back to, e.g. "/oauth/callback". */
    readonly redirectPath: string;
    /** @default ["openid", "profile", "email"] */
    readonly scopes: readonly OAuthScope[];
}

/** One business web app from `nexora:apps`: its container, optional MySQL database, route and SSO. */
export interface AppSettings {
    /** Catalog key (the key under `nexora:apps`), also the container's service label. */
    readonly key: string;
    /** The `{service}` part of its hostname. @default the key */
    readonly subdomain: string;
    readonly image: string;
    /** Port the app listens on inside its container. */
    readonly port: number;
    /** HTTP path answering 2xx when the app is healthy. @default "/" */
    readonly healthPath: string;
    /** Plain environment variables. */
    readonly env: Readonly<Record<string, string>>;
    /** Environment variables filled from secret stack config: ENV name → config key under `nexora:`. */
    readonly secretEnv: Readonly<Record<string, string>>;
    /** Environment variables filled with a generated 48-character secret. */
    readonly generatedSecrets: readonly string[];
    /** Gets a database + user on the consolidated MySQL (DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD). */
    readonly database: boolean;
    /** Gets a GitLab OAuth application (OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_ISSUER). */
    readonly sso?: AppSsoSettings;
    /** Memory limit in MiB. @default no limit */
    readonly memoryMiB?: number;
}

export interface DnsSettings {
    readonly enabled: boolean;
    /** Cloudflare zone (domain) the records go in; its id is looked up. */
    readonly zone: string;
    /** Public IPv4 of the relay host running frps. */
    readonly relayAddress: string;
    /** Cloudflare proxy (orange cloud) for the web hostnames; the SSH name is always DNS-only. */
    readonly proxied: boolean;
}

export interface TunnelSettings {
    readonly enabled: boolean;
    readonly serverAddr: string;
    readonly serverPort: number;
    /** Port frps opens on the relay for this stack's GitLab SSH; unique per stack. */
    readonly sshRemotePort: number;
}

/** Host ports published by this stack (0 = not published). Only for stacks without a tunnel. */
export interface PublishSettings {
    readonly http: number;
    readonly https: number;
    readonly ssh: number;
}

/** Switchable platform services (`nexora:<name>Enabled`). */
export interface PlatformFeatures {
    /** GitLab CE, the identity provider: SSO, Outline, Grafana, the runner and the registry need it. */
    readonly gitlab: boolean;
    readonly outline: boolean;
    readonly uptimeKuma: boolean;
    readonly portainer: boolean;
    readonly portal: boolean;
    readonly grafana: boolean;
    readonly runner: boolean;
    readonly registry: boolean;
}

/** Config key of each feature switch. */
export const FEATURE_KEYS = {
    gitlab: "gitlabEnabled",
    outline: "outlineEnabled",
    uptimeKuma: "uptimeKumaEnabled",
    portainer: "portainerEnabled",
    portal: "portalEnabled",
    grafana: "grafanaEnabled",
    runner: "runnerEnabled",
    registry: "registryEnabled",
} as const satisfies Record<keyof PlatformFeatures, string>;

/** Features that exist only with GitLab: they log in through it, or are part of it. */
const NEEDS_GITLAB: readonly (keyof PlatformFeatures)[] = ["outline", "grafana", "runner", "registry"];

/** Plain, validated settings: everything but secret values. */
export interface PlatformSettings {
    readonly project: string;
    readonly stack: string;
    readonly environment: Environment;
    readonly baseDomain: string;
    /** Hostname pattern with `{service}` (and optionally `{domain}`), e.g. "staging-{service}.{domain}". */
    readonly hostnamePattern: string;
    /** Docker host: `unix:///var/run/docker.sock` or `ssh://user@host`. */
    readonly dockerHost: string;
    readonly tls: TlsMode;
    readonly acmeEmail: string;
    /** Subnets of the stack's two Docker networks; distinct per stack on one host. */
    readonly edgeSubnet: string;
    readonly dataSubnet: string;
    readonly publish: PublishSettings;
    readonly dns: DnsSettings;
    readonly tunnel: TunnelSettings;
    /** Which platform services run. PostgreSQL and Redis always run: they are the data stores. */
    readonly features: PlatformFeatures;
    readonly images: Readonly<Record<ImageName, string>>;
    /** Public URL of the external Mattermost that gets a GitLab OAuth app; "" = none. */
    readonly mattermostUrl: string;
    /** Change to rotate the generated GitLab admin API token. */
    readonly gitlabTokenRotation: string;
    readonly apps: readonly AppSettings[];
    /** Names of the secret config keys that were set (values are never kept here). */
    readonly secretKeysSet: readonly string[];
}

/** Settings plus the secret values, wrapped as secret Outputs. */
export interface PlatformConfig extends PlatformSettings {
    readonly secrets: {
        /** frps auth token; present when the tunnel is on. */
        readonly frpToken?: pulumi.Output<string>;
        /** API token of an existing GitLab; when absent the program creates one. */
        readonly gitlabApiToken?: pulumi.Output<string>;
        /** Values of every secret config key apps reference, by config key. */
        readonly appSecrets: Readonly<Record<string, pulumi.Output<string>>>;
    };
}

/** One problem with the stack config: the key and what was expected. */
export interface ConfigIssue {
    readonly key: string;
    readonly expected: string;
}

/**
 * Bad stack config. A `RunError` so the Pulumi CLI prints the message without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly issues: readonly ConfigIssue[]) {
        super(
            `invalid stack config (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
                issues.map((i) => `  - ${i.key}: expected ${i.expected}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Declared scalar keys (mirrored, with types and defaults, in Pulumi.yaml). */
export const SCALAR_DEFAULTS = {
    environment: undefined,
    baseDomain: "nexora.restry.cn",
    hostnamePattern: "{service}.{domain}",
    dockerHost: "unix:///var/run/docker.sock",
    tls: "internal",
    acmeEmail: "",
    edgeSubnet: undefined,
    dataSubnet: undefined,
    publishHttpPort: "0",
    publishHttpsPort: "0",
    publishSshPort: "0",
    dnsEnabled: "false",
    cloudflareZone: "restry.cn",
    relayAddress: "",
    dnsProxied: "false",
    tunnelEnabled: "false",
    frpServerAddr: "",
    frpServerPort: "7000",
    sshRemotePort: "0",
    gitlabEnabled: "true",
    outlineEnabled: "true",
    uptimeKumaEnabled: "true",
    portainerEnabled: "true",
    portalEnabled: "true",
    grafanaEnabled: "false",
    runnerEnabled: "false",
    registryEnabled: "false",
    mattermostUrl: "",
    gitlabTokenRotation: "1",
    postgresDataMajor: "16",
} as const satisfies Record<string, string | undefined>;
export type ScalarKey = keyof typeof SCALAR_DEFAULTS;

/** Structured keys (JSON objects; Pulumi.yaml cannot type objects, so they are validated here). */
export const OBJECT_KEYS = ["images", "apps"] as const;
/** Keys whose values must be stored as secrets. */
export const SECRET_KEYS = ["frpToken", "gitlabApiToken"] as const;

const knownKeys = new Set<string>([...Object.keys(SCALAR_DEFAULTS), ...OBJECT_KEYS, ...SECRET_KEYS]);

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const APP_KEY = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Env names the platform sets itself for apps; config must not override them silently. */
const APP_MANAGED_ENV = ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET", "OAUTH_ISSUER"];

export function isDnsLabel(value: string): boolean {
    return DNS_LABEL.test(value);
}

export function isIpv4(value: string): boolean {
    const parts = value.split(".");
    return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** Parses "a.b.c.d/n" into a numeric range, or undefined when it is not an IPv4 CIDR. */
export function parseCidr(value: string): { start: number; end: number; prefix: number } | undefined {
    const [ip, prefixText, ...rest] = value.split("/");
    if (rest.length > 0 || !isIpv4(ip ?? "") || !/^\d{1,2}$/.test(prefixText ?? "")) return undefined;
    const prefix = Number(prefixText);
    if (prefix < 8 || prefix > 29) return undefined;
    const n = ip!.split(".").reduce((acc, p) => acc * 256 + Number(p), 0);
    const size = 2 ** (32 - prefix);
    if (n % size !== 0) return undefined;
    return { start: n, end: n + size - 1, prefix };
}

export function cidrsOverlap(a: string, b: string): boolean {
    const x = parseCidr(a);
    const y = parseCidr(b);
    return !!x && !!y && x.start <= y.end && y.start <= x.end;
}

/** Accumulates issues so one run reports every bad key. */
class Checker {
    readonly issues: ConfigIssue[] = [];
    fail(key: string, expected: string): void {
        this.issues.push({ key: `${CONFIG_NAMESPACE}:${key}`, expected });
    }
}

function describe(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
}

function readBoolean(c: Checker, key: string, raw: string): boolean {
    if (raw === "true") return true;
    if (raw === "false") return false;
    c.fail(key, `true or false, got ${describe(raw)}`);
    return false;
}

function readPort(c: Checker, key: string, raw: unknown, allowZero: boolean): number {
    const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (Number.isInteger(n) && n <= 65535 && (n >= 1 || (allowZero && n === 0))) return n;
    c.fail(key, `${allowZero ? "0 (off) or " : ""}a port number 1-65535, got ${describe(raw)}`);
    return 0;
}

function readEnum<T extends string>(c: Checker, key: string, raw: string | undefined, allowed: readonly T[]): T {
    if (raw !== undefined && (allowed as readonly string[]).includes(raw)) return raw as T;
    c.fail(key, `one of ${allowed.join(", ")}, got ${describe(raw)}`);
    return allowed[0]!;
}

function readJsonObject(c: Checker, key: string, raw: string | undefined): Record<string, unknown> {
    if (raw === undefined || raw === "") return {};
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        c.fail(key, "an object (YAML mapping)");
        return {};
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        c.fail(key, `an object (YAML mapping), got ${describe(parsed)}`);
        return {};
    }
    return parsed as Record<string, unknown>;
}

function readImages(c: Checker, raw: string | undefined): Record<ImageName, string> {
    const overrides = readJsonObject(c, "images", raw);
    const images: Record<ImageName, string> = { ...DEFAULT_IMAGES };
    for (const [name, value] of Object.entries(overrides)) {
        if (!(imageNames as readonly string[]).includes(name)) {
            c.fail(`images.${name}`, `one of the known images (${imageNames.join(", ")})`);
            continue;
        }
        if (typeof value !== "string") {
            c.fail(`images.${name}`, `an image reference string, got ${describe(value)}`);
            continue;
        }
        images[name as ImageName] = value;
    }
    for (const name of imageNames) checkPinned(c, `images.${name}`, images[name]);

    // GitLab 19 dropped PostgreSQL 16: pairing them would fail only at GitLab's first boot.
    const gitlabMajor = Number(parseImageRef(images.gitlab)?.tag?.split(".")[0]);
    const postgresMajor = Number(parseImageRef(images.postgres)?.tag?.split(/[.-]/)[0]);
    if (gitlabMajor >= 19 && postgresMajor < 17) {
        c.fail(
            "images.gitlab",
            `a GitLab 18.x image with PostgreSQL ${postgresMajor} (GitLab ${gitlabMajor} requires PostgreSQL 17+; first upgrade PostgreSQL itself, which is a dump and restore or pg_upgrade of its data, not an image bump: README "Upgrading PostgreSQL")`,
        );
    }
    return images;
}

/**
 * A PostgreSQL server refuses a data directory initialised by another major version, so the image's
 * major must stay the one the stack's data volume was created with (`nexora:postgresDataMajor`).
 * A major upgrade is a migration of the data (dump and restore, or pg_upgrade: README "Upgrading
 * PostgreSQL"); once it is done, the operator records the new major in the same change as the image.
 * A fact rather than an "upgrade: true" switch: a switch left on would disarm the check for good.
 */
function checkPostgresDataMajor(c: Checker, postgresImage: string, rawDataMajor: string): void {
    if (!/^[1-9]\d?$/.test(rawDataMajor)) {
        c.fail("postgresDataMajor", `the PostgreSQL major version the stack's data directory was initialised with (e.g. 16), got ${describe(rawDataMajor)}`);
        return;
    }
    const tag = parseImageRef(postgresImage)?.tag;
    const imageMajor = tag === undefined ? undefined : /^(\d+)(?:$|[.-])/.exec(tag)?.[1];
    if (imageMajor === undefined) {
        c.fail("images.postgres", `a tag that starts with the PostgreSQL major version (e.g. postgres:${rawDataMajor}.15-bookworm), so it can be checked against postgresDataMajor, got ${describe(postgresImage)}`);
    } else if (imageMajor !== rawDataMajor) {
        c.fail(
            "images.postgres",
            `PostgreSQL ${rawDataMajor}, the major the data directory was initialised with (nexora:postgresDataMajor), got ${imageMajor}: ` +
                `PostgreSQL ${imageMajor} refuses to start on it. A major upgrade is a dump and restore (or pg_upgrade), README "Upgrading PostgreSQL"; ` +
                `after it, set nexora:postgresDataMajor to ${imageMajor} together with the image`,
        );
    }
}

function checkPinned(c: Checker, key: string, image: string): void {
    const ref = parseImageRef(image);
    if (!ref) c.fail(key, `an image reference like "repo/name:1.2.3", got ${describe(image)}`);
    else if (!ref.tag && !ref.digest) c.fail(key, `a pinned tag or digest, got ${describe(image)} (no tag means latest)`);
    else if (ref.tag === "latest") c.fail(key, `a pinned tag, got "latest"`);
}

function readStringMap(c: Checker, key: string, raw: unknown, valueCheck: (v: string) => string | undefined): Record<string, string> {
    if (raw === undefined) return {};
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        c.fail(key, `a mapping of NAME: value, got ${describe(raw)}`);
        return {};
    }
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) {
        if (!ENV_NAME.test(name)) {
            c.fail(`${key}.${name}`, "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
            continue;
        }
        const v = typeof value === "number" || typeof value === "boolean" ? String(value) : value;
        if (typeof v !== "string") {
            c.fail(`${key}.${name}`, `a string, got ${describe(value)}`);
            continue;
        }
        const problem = valueCheck(v);
        if (problem) c.fail(`${key}.${name}`, problem);
        else out[name] = v;
    }
    return out;
}

const APP_FIELDS = ["image", "port", "subdomain", "healthPath", "env", "secretEnv", "generatedSecrets", "database", "sso", "memoryMiB"];

function readApp(c: Checker, key: string, raw: unknown, secretRaw: Record<string, string>): AppSettings | undefined {
    const at = `apps.${key}`;
    if (!APP_KEY.test(key)) {
        c.fail(at, "an app name of 2-32 characters: lowercase letters, digits and hyphens, starting with a letter");
        return undefined;
    }
    if ((coreServiceKeys as readonly string[]).includes(key)) {
        c.fail(at, `an app name that is not a platform service (${coreServiceKeys.join(", ")} are taken)`);
        return undefined;
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        c.fail(at, `a mapping with image and port, got ${describe(raw)}`);
        return undefined;
    }
    const app = raw as Record<string, unknown>;
    for (const field of Object.keys(app)) {
        if (!APP_FIELDS.includes(field)) c.fail(`${at}.${field}`, `a known app field (${APP_FIELDS.join(", ")})`);
    }
    let image = "";
    if (typeof app.image !== "string") c.fail(`${at}.image`, "an image reference string");
    else {
        image = app.image;
        checkPinned(c, `${at}.image`, image);
    }
    const port = readPort(c, `${at}.port`, app.port, false);

    const subdomain = app.subdomain ?? key;
    if (typeof subdomain !== "string" || !isDnsLabel(subdomain)) {
        c.fail(`${at}.subdomain`, `a DNS label (a-z, 0-9, inner hyphens, at most 63), got ${describe(subdomain)}`);
    } else if ((coreServiceKeys as readonly string[]).includes(subdomain)) {
        c.fail(`${at}.subdomain`, `a subdomain not used by a platform service, got ${describe(subdomain)}`);
    }

    const healthPath = app.healthPath ?? "/";
    if (typeof healthPath !== "string" || !/^\/[\x21-\x7e]*$/.test(healthPath)) {
        c.fail(`${at}.healthPath`, `a URL path starting with "/", got ${describe(healthPath)}`);
    }

    const env = readStringMap(c, `${at}.env`, app.env, (v) => (v.includes("\n") || v.includes("\0") ? "a single-line string" : undefined));
    const secretEnv = readStringMap(c, `${at}.secretEnv`, app.secretEnv, (v) => {
        if (!CONFIG_KEY.test(v)) return `the name of a secret config key under ${CONFIG_NAMESPACE}:, got ${describe(v)}`;
        if (secretRaw[v] === undefined) return `secret config key ${CONFIG_NAMESPACE}:${v} to be set (pulumi config set --secret ${v} ...)`;
        return undefined;
    });

    const generatedRaw = app.generatedSecrets ?? [];
    const generatedSecrets: string[] = [];
    if (!Array.isArray(generatedRaw)) c.fail(`${at}.generatedSecrets`, `a list of environment variable names, got ${describe(generatedRaw)}`);
    else {
        for (const [i, name] of generatedRaw.entries()) {
            if (typeof name !== "string" || !ENV_NAME.test(name)) c.fail(`${at}.generatedSecrets[${i}]`, "an environment variable name");
            else generatedSecrets.push(name);
        }
    }

    const database = app.database ?? false;
    if (typeof database !== "boolean") c.fail(`${at}.database`, `true or false, got ${describe(database)}`);

    let sso: AppSsoSettings | undefined;
    if (app.sso !== undefined && app.sso !== false) {
        const s = (app.sso === true ? {} : app.sso) as Record<string, unknown>;
        if (s === null || typeof s !== "object" || Array.isArray(s)) {
            c.fail(`${at}.sso`, `true, false or a mapping with redirectPath and scopes, got ${describe(app.sso)}`);
        } else {
            const redirectPath = s.redirectPath ?? "/oauth/callback";
            const scopes = s.scopes ?? ["openid", "profile", "email"];
            if (typeof redirectPath !== "string" || !redirectPath.startsWith("/")) {
                c.fail(`${at}.sso.redirectPath`, `a URL path starting with "/", got ${describe(redirectPath)}`);
            }
            if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((x) => (APP_OAUTH_SCOPES as readonly unknown[]).includes(x))) {
                c.fail(`${at}.sso.scopes`, `a non-empty list of GitLab scopes (${APP_OAUTH_SCOPES.join(", ")}), got ${describe(scopes)}`);
            } else {
                sso = { redirectPath: redirectPath as string, scopes: scopes as OAuthScope[] };
            }
        }
    }

    let memoryMiB: number | undefined;
    if (app.memoryMiB !== undefined) {
        if (typeof app.memoryMiB !== "number" || !Number.isInteger(app.memoryMiB) || app.memoryMiB < 16) {
            c.fail(`${at}.memoryMiB`, `an integer number of MiB >= 16, got ${describe(app.memoryMiB)}`);
        } else memoryMiB = app.memoryMiB;
    }

    // A name set twice would be ambiguous: which value wins depends on ordering.
    const names = [...Object.keys(env), ...Object.keys(secretEnv), ...generatedSecrets];
    const seen = new Set<string>();
    for (const name of names) {
        if (seen.has(name)) c.fail(`${at}.env`, `each environment variable set once across env, secretEnv and generatedSecrets; ${name} is set twice`);
        seen.add(name);
        if (APP_MANAGED_ENV.includes(name) && (name.startsWith("DB_") ? database === true : sso !== undefined)) {
            c.fail(`${at}.env.${name}`, `not to be set: the platform sets ${name} for this app`);
        }
    }

    return {
        key,
        subdomain: typeof subdomain === "string" ? subdomain : key,
        image,
        port,
        healthPath: typeof healthPath === "string" ? healthPath : "/",
        env,
        secretEnv,
        generatedSecrets,
        database: database === true,
        sso,
        memoryMiB,
    };
}

export interface ParseContext {
    readonly project: string;
    readonly stack: string;
}

/**
 * Validates raw config (key without namespace → raw string, as Pulumi stores it; objects as
 * JSON) and returns plain settings plus the raw secret values by key. Throws ConfigError
 * listing every problem. Pure: no Pulumi runtime needed.
 */
export function parseSettings(raw: Readonly<Record<string, string>>, ctx: ParseContext): { settings: PlatformSettings; secretValues: Record<string, string> } {
    const c = new Checker();
    const appsRaw = readJsonObject(c, "apps", raw.apps);
    const referencedSecrets = new Set<string>();
    for (const app of Object.values(appsRaw)) {
        const se = (app as { secretEnv?: unknown } | null)?.secretEnv;
        if (se && typeof se === "object") for (const v of Object.values(se)) if (typeof v === "string") referencedSecrets.add(v);
    }
    for (const key of Object.keys(raw)) {
        if (!knownKeys.has(key) && !referencedSecrets.has(key)) {
            c.fail(key, `a known key (${[...knownKeys].sort().join(", ")}) or a secret referenced by an app's secretEnv`);
        }
    }
    const get = (key: ScalarKey): string | undefined => raw[key] ?? SCALAR_DEFAULTS[key];

    const environmentValid = (environments as readonly (string | undefined)[]).includes(get("environment"));
    const environment = readEnum(c, "environment", get("environment"), environments);
    // Only a valid environment can disagree with the stack name (readEnum's fallback would mislead).
    if (environmentValid && ctx.stack !== environment && !ctx.stack.startsWith(`${environment}-`)) {
        c.fail("environment", `the stack's environment ("${ctx.stack}" runs environment "${environment}"; name the stack ${environment} or ${environment}-<suffix>)`);
    }
    if (!/^[a-z][a-z0-9-]{0,20}$/.test(ctx.stack)) {
        c.fail("(stack name)", `a stack name of lowercase letters, digits and hyphens (it prefixes every Docker name), got ${describe(ctx.stack)}`);
    }

    const baseDomain = get("baseDomain")!;
    const domainLabels = baseDomain.split(".");
    if (domainLabels.length < 2 || !domainLabels.every(isDnsLabel)) c.fail("baseDomain", `a DNS domain like "nexora.restry.cn", got ${describe(baseDomain)}`);

    const hostnamePattern = get("hostnamePattern")!;
    if (hostnamePattern.split("{service}").length !== 2) {
        c.fail("hostnamePattern", `a pattern containing {service} exactly once, like "staging-{service}.{domain}", got ${describe(hostnamePattern)}`);
    } else {
        const sample = hostnamePattern.replace("{service}", "svc").replace("{domain}", baseDomain);
        if (sample.length > 253 || !sample.split(".").every(isDnsLabel)) {
            c.fail("hostnamePattern", `a pattern that yields valid hostnames (got ${describe(sample)} for service "svc")`);
        }
    }

    const dockerHost = get("dockerHost")!;
    if (!/^unix:\/\/\/\S+$/.test(dockerHost) && !/^ssh:\/\/[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:\d+)?$/.test(dockerHost) && !/^tcp:\/\/[A-Za-z0-9.-]+:\d+$/.test(dockerHost)) {
        c.fail("dockerHost", `unix:///path/to/docker.sock, ssh://user@host[:port] or tcp://host:port, got ${describe(dockerHost)}`);
    }

    const tls = readEnum(c, "tls", get("tls"), ["acme", "internal"] as const);
    const acmeEmail = get("acmeEmail")!;
    if (tls === "acme" && !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(acmeEmail)) c.fail("acmeEmail", `an email address for ACME (tls is acme), got ${describe(acmeEmail)}`);

    const edgeSubnet = get("edgeSubnet") ?? "";
    const dataSubnet = get("dataSubnet") ?? "";
    for (const [key, value] of [["edgeSubnet", edgeSubnet], ["dataSubnet", dataSubnet]] as const) {
        if (!parseCidr(value)) c.fail(key, `an IPv4 network in CIDR form, /8 to /29, unique to this stack on its Docker host (e.g. 172.30.10.0/24), got ${describe(value)}`);
    }
    if (cidrsOverlap(edgeSubnet, dataSubnet)) c.fail("dataSubnet", "a subnet that does not overlap edgeSubnet");

    const publish: PublishSettings = {
        http: readPort(c, "publishHttpPort", get("publishHttpPort"), true),
        https: readPort(c, "publishHttpsPort", get("publishHttpsPort"), true),
        ssh: readPort(c, "publishSshPort", get("publishSshPort"), true),
    };
    const published = Object.entries({ publishHttpPort: publish.http, publishHttpsPort: publish.https, publishSshPort: publish.ssh }).filter(([, p]) => p > 0);
    for (const [i, [key, port]] of published.entries()) {
        if (published.slice(0, i).some(([, p]) => p === port)) c.fail(key, `a host port not already published by this stack, got ${port}`);
    }

    const dns: DnsSettings = {
        enabled: readBoolean(c, "dnsEnabled", get("dnsEnabled")!),
        zone: get("cloudflareZone")!,
        relayAddress: get("relayAddress")!,
        proxied: readBoolean(c, "dnsProxied", get("dnsProxied")!),
    };
    if (dns.enabled) {
        if (!dns.zone.split(".").every(isDnsLabel) || !(baseDomain === dns.zone || baseDomain.endsWith(`.${dns.zone}`))) {
            c.fail("cloudflareZone", `the Cloudflare zone that contains baseDomain ${describe(baseDomain)} (dnsEnabled is true), got ${describe(dns.zone)}`);
        }
        if (!isIpv4(dns.relayAddress)) c.fail("relayAddress", `the relay's public IPv4 address (dnsEnabled is true), got ${describe(dns.relayAddress)}`);
    }

    const features = Object.fromEntries(
        Object.entries(FEATURE_KEYS).map(([feature, key]) => [feature, readBoolean(c, key, get(key)!)]),
    ) as unknown as PlatformFeatures;
    if (!features.gitlab) {
        for (const feature of NEEDS_GITLAB) {
            if (features[feature]) c.fail(FEATURE_KEYS[feature], `false when gitlabEnabled is false (${feature} needs GitLab), got true`);
        }
    }
    const tunnel: TunnelSettings = {
        enabled: readBoolean(c, "tunnelEnabled", get("tunnelEnabled")!),
        serverAddr: get("frpServerAddr")!,
        serverPort: readPort(c, "frpServerPort", get("frpServerPort"), false),
        sshRemotePort: readPort(c, "sshRemotePort", get("sshRemotePort"), true),
    };
    if (tunnel.enabled) {
        if (!isIpv4(tunnel.serverAddr) && !/^[a-z0-9.-]+\.[a-z]{2,}$/.test(tunnel.serverAddr)) c.fail("frpServerAddr", `the relay's frps address (tunnelEnabled is true), got ${describe(tunnel.serverAddr)}`);
        if (tunnel.sshRemotePort === 0 && features.gitlab) c.fail("sshRemotePort", "the relay port for this stack's GitLab SSH (tunnelEnabled and gitlabEnabled are true)");
        if (raw.frpToken === undefined) c.fail("frpToken", "the frps auth token as a secret (pulumi config set --secret frpToken ...; tunnelEnabled is true)");
        if (publish.http || publish.https) c.fail("tunnelEnabled", "false when publishHttpPort/publishHttpsPort are set (a stack is reached through the tunnel or through host ports, not both)");
    }
    if (tls === "acme" && !tunnel.enabled && !publish.http) {
        c.fail("tls", "internal when neither the tunnel nor publishHttpPort lets ACME reach Caddy");
    }

    const images = readImages(c, raw.images);
    checkPostgresDataMajor(c, images.postgres, get("postgresDataMajor")!);

    const mattermostUrl = get("mattermostUrl")!;
    if (mattermostUrl !== "" && !/^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(mattermostUrl)) {
        c.fail("mattermostUrl", `"" or the https:// origin of the external Mattermost (no path), got ${describe(mattermostUrl)}`);
    } else if (mattermostUrl !== "" && !features.gitlab) {
        c.fail("mattermostUrl", `"" when gitlabEnabled is false (Mattermost logs in through GitLab), got ${describe(mattermostUrl)}`);
    }

    const apps: AppSettings[] = [];
    for (const [key, value] of Object.entries(appsRaw)) {
        const app = readApp(c, key, value, raw);
        if (app) apps.push(app);
    }
    for (const [i, app] of apps.entries()) {
        if (app.sso && !features.gitlab) c.fail(`apps.${app.key}.sso`, "false or absent when gitlabEnabled is false (SSO logs in through GitLab)");
        const clash = apps.slice(0, i).find((a) => a.subdomain === app.subdomain);
        if (clash) c.fail(`apps.${app.key}.subdomain`, `a subdomain no other app uses ("${app.subdomain}" is also apps.${clash.key})`);
    }

    if (c.issues.length > 0) throw new ConfigError(c.issues);

    const secretValues: Record<string, string> = {};
    for (const key of [...SECRET_KEYS, ...referencedSecrets]) if (raw[key] !== undefined) secretValues[key] = raw[key]!;
    const settings: PlatformSettings = {
        project: ctx.project,
        stack: ctx.stack,
        environment,
        baseDomain,
        hostnamePattern,
        dockerHost,
        tls,
        acmeEmail,
        edgeSubnet,
        dataSubnet,
        publish,
        dns,
        tunnel,
        features,
        images,
        mattermostUrl,
        gitlabTokenRotation: get("gitlabTokenRotation")!,
        apps: apps.sort((a, b) => a.key.localeCompare(b.key)),
        secretKeysSet: Object.keys(secretValues).sort(),
    };
    return { settings: deepFreeze(settings), secretValues };
}

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object") {
        for (const v of Object.values(value)) deepFreeze(v);
        Object.freeze(value);
    }
    return value;
}

/** Wraps parsed settings and secret values into the config components receive. */
export function toPlatformConfig(settings: PlatformSettings, secretValues: Readonly<Record<string, string>>): PlatformConfig {
    const appSecrets: Record<string, pulumi.Output<string>> = {};
    for (const app of settings.apps) {
        for (const key of Object.values(app.secretEnv)) appSecrets[key] = pulumi.secret(secretValues[key]!);
    }
    return {
        ...settings,
        secrets: {
            frpToken: secretValues.frpToken === undefined ? undefined : pulumi.secret(secretValues.frpToken),
            gitlabApiToken: secretValues.gitlabApiToken === undefined ? undefined : pulumi.secret(secretValues.gitlabApiToken),
            appSecrets,
        },
    };
}

/** Reads this stack's `nexora:*` config from the Pulumi runtime. The program's single config entry. */
export function readPlatformConfig(): PlatformConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
    }
    const { settings, secretValues } = parseSettings(raw, { project: pulumi.getProject(), stack: pulumi.getStack() });
    return toPlatformConfig(settings, secretValues);
}
