import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { coreServiceKeys } from "./catalog";
import { FEATURE_KEYS, NEEDS_GITLAB, type PlatformFeatures } from "./features";
import { buildRouteTable } from "./edge/routes";
import type { RouteTable } from "./edge/types";
import { validateRouteTable } from "./edge/validate";
import { DEFAULT_IMAGES, ImageName, imageNames, parseImageRef } from "./images";
import { BUSINESS_APP_SSO_DEFAULT, type OAuthScope } from "./sso/consumers";
import { carriesCredential, isCredentialName } from "./credentials";
import {
    cidrContains,
    cidrsOverlap,
    dockerHostAddress,
    dockerHostProblem,
    hasOwn,
    isConfigKeyName,
    isDnsLabel,
    isDomain,
    isEmail,
    isEnvName,
    isHostOrIpv4,
    isHttpsOrigin,
    isIpv4,
    isPrivateCidr,
    isPublicIpv4,
    isUnderDomain,
    isUrlPath,
    isUrlPathWithQuery,
    nullProtoMap,
    ownEntries,
    parseCidr,
} from "./validators";

export { cidrsOverlap, isDnsLabel, isIpv4, parseCidr };
export { FEATURE_KEYS, type PlatformFeatures };
import { cronProblem, offsiteRepositoryProblem, type Retention } from "./backup/manifest";

/**
 * The only reader of Pulumi config. Raw strings go through `parseSettings` (pure, fully
 * validated, every problem reported at once) before any resource is registered; secrets
 * are wrapped as Outputs here so no component ever sees them as plain strings.
 *
 * Written by hand rather than with a schema library such as zod, after weighing it: zod would
 * collect every issue with its path just as well, but the shape checks are the small part here.
 * Most rules span keys (tunnel against published ports, features that need GitLab, subnets
 * against the Docker host and the relay, sibling stacks' names, which keys the engine stores as
 * secrets, the route table built from all of them), so they would be `superRefine` callbacks, the
 * same code as now. Every message must also pass the hostile-value rule (`describe`: a credential
 * or payload is never echoed into CI logs) and say what was expected in the key's own terms, so
 * zod's default messages would all be replaced by a custom error map. And the engine hands over flat strings
 * with objects as JSON, without YAML positions, so a library would add no line numbers either.
 * The syntax predicates themselves (validators.ts) are shared with the renderers either way.
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
    readonly backup: BackupSettings;
    /** The stack's route table, built from the settings above and validated with them. */
    readonly routes: RouteTable;
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
        /** Secret backup settings that were set (webhook URLs, off-host credentials). */
        readonly backup: BackupSecrets;
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
    // Default by environment (readBackupSettings): on for staging and prod, off for dev.
    backupEnabled: undefined,
    backupSchedule: "30 */6 * * *",
    backupMaxAgeHours: "13",
    backupOffsiteRepository: "",
    backupOffsiteKnownHosts: "",
} as const satisfies Record<string, string | undefined>;
export type ScalarKey = keyof typeof SCALAR_DEFAULTS;

/** Structured keys (JSON objects; Pulumi.yaml cannot type objects, so they are validated here). */
export const OBJECT_KEYS = ["images", "apps", "backupRetention"] as const;
/** Secret backup keys: the alert webhook and heartbeat URLs embed tokens; off-host credentials. */
export const BACKUP_SECRET_KEYS = ["backupAlertWebhook", "backupHeartbeatUrl", "backupOffsiteAccessKeyId", "backupOffsiteSecretAccessKey", "backupOffsiteSshKey"] as const;
/** The platform's own keys whose values must be stored as secrets (which ones a config requires: requiredSecretKeys). */
export const SECRET_KEYS = ["frpToken", "gitlabApiToken", ...BACKUP_SECRET_KEYS] as const;

const knownKeys = new Set<string>([...Object.keys(SCALAR_DEFAULTS), ...OBJECT_KEYS, ...SECRET_KEYS]);

/** A secret config key a config requires: where to report it missing, and what to say. */
export interface RequiredSecret {
    /** The key under `nexora:` that must hold the secret. */
    readonly key: string;
    /** The config key a missing secret is reported under. */
    readonly reportAt: string;
    /** What the key must hold, for the message (the ConfigError's "expected ..."). */
    readonly message: string;
}

/**
 * The secret keys a raw config (key without namespace → raw string, as parseSettings takes it)
 * requires: the one home of rules such as "tunnelEnabled true needs frpToken". parseSettings
 * reports each one missing; the offline plan gives each one a placeholder, since real secrets
 * are never committed. Reads raw values leniently: a malformed value is parseSettings' to report.
 */
export function requiredSecretKeys(raw: Readonly<Record<string, string>>): RequiredSecret[] {
    const value = (key: ScalarKey): string | undefined => (hasOwn(raw, key) ? raw[key] : SCALAR_DEFAULTS[key]);
    const out: RequiredSecret[] = [];
    if (value("tunnelEnabled") === "true") {
        out.push({ key: "frpToken", reportAt: "frpToken", message: "the frps auth token as a secret (pulumi config set --secret frpToken ...; tunnelEnabled is true)" });
    }
    const repository = value("backupOffsiteRepository") ?? "";
    if (repository !== "" && offsiteRepositoryProblem(repository) === undefined) {
        if (repository.startsWith("sftp:")) {
            const message = "the SSH private key for the sftp target as a secret (pulumi config set --secret backupOffsiteSshKey < key)";
            out.push({ key: "backupOffsiteSshKey", reportAt: "backupOffsiteSshKey", message });
        } else {
            for (const key of ["backupOffsiteAccessKeyId", "backupOffsiteSecretAccessKey"]) {
                out.push({ key, reportAt: key, message: `the S3 credential as a secret (pulumi config set --secret ${key} ...; backupOffsiteRepository is s3)` });
            }
        }
    }
    let apps: unknown;
    try {
        apps = hasOwn(raw, "apps") ? JSON.parse(raw.apps!) : undefined;
    } catch {
        apps = undefined;
    }
    for (const [app, spec] of apps !== null && typeof apps === "object" && !Array.isArray(apps) ? ownEntries(apps) : []) {
        if (!APP_KEY.test(app)) continue;
        const secretEnv = spec !== null && typeof spec === "object" && hasOwn(spec, "secretEnv") ? (spec as { secretEnv: unknown }).secretEnv : undefined;
        if (secretEnv === null || typeof secretEnv !== "object" || Array.isArray(secretEnv)) continue;
        for (const [i, [name, key]] of ownEntries(secretEnv).entries()) {
            if (!isEnvName(name) || name === "__proto__" || typeof key !== "string" || !isConfigKeyName(key) || knownKeys.has(key)) continue;
            const message = `secret config key ${CONFIG_NAMESPACE}:${key} to be set (pulumi config set --secret ${key} ...)`;
            out.push({ key, reportAt: `apps.${app}.secretEnv.${keyPart(name, i)}`, message });
        }
    }
    return out;
}

const APP_KEY = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
/** Env names the platform sets itself for apps; config must not override them silently. */
const APP_MANAGED_ENV = ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET", "OAUTH_ISSUER", "OAUTH_CA_FILE"];
/** Names MySQL keeps for itself; an app's database and user are its key with "_" for "-". */
const MYSQL_RESERVED = ["root", "sys", "mysql", "information_schema", "performance_schema", "mysql_sys", "mysql_session", "mysql_infoschema"];
/**
 * First words of the Docker names the platform itself generates (containers, volumes,
 * networks): an app key or a stack suffix starting with one could take another's name.
 */
const PLATFORM_NAME_WORDS = ["edge", "data", "apps", "admin", "nexora"];
/** Memory limits: below 16 MiB no app image starts; above 256 GiB is a typo. */
const MEMORY_MIB_MIN = 16;
const MEMORY_MIB_MAX = 262144;
/** Ports the relay itself serves (SSH, HTTP, HTTPS): a stack's SSH tunnel must not take one. */
const RELAY_OWN_PORTS = [22, 80, 443];

/** Accumulates issues so one run reports every bad key. */
class Checker {
    readonly issues: ConfigIssue[] = [];
    fail(key: string, expected: string): void {
        this.issues.push({ key: `${CONFIG_NAMESPACE}:${key}`, expected });
    }
}

/**
 * A value for an error message: echoed only when it is short and plain. Anything carrying a
 * credential, shell or config syntax is described, not shown, so an error never repeats a
 * secret or a payload into CI logs.
 */
function describe(value: unknown): string {
    if (typeof value === "string") {
        if (carriesCredential(value)) return `a value that carries a credential (not shown, ${value.length} characters)`;
        if (value.length <= 80 && /^[A-Za-z0-9._:/@+=,-]*$/.test(value.replace(/\{(service|domain)\}/g, ""))) return JSON.stringify(value);
        return `a string of ${value.length} characters with characters not allowed here (not shown)`;
    }
    if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
    return Array.isArray(value) ? `a list of ${value.length}` : "a mapping";
}

/** A name from the stack file as part of a message key: shown when plain, else by position. */
function keyPart(name: string, index: number): string {
    return /^[A-Za-z0-9 _.-]{1,64}$/.test(name) ? name : `<name #${index + 1}, not shown>`;
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
    if (raw === undefined || raw === "") return nullProtoMap([]);
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        c.fail(key, "an object (YAML mapping)");
        return nullProtoMap([]);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        c.fail(key, `an object (YAML mapping), got ${describe(parsed)}`);
        return nullProtoMap([]);
    }
    // Null prototype: keys like "constructor" or "toString" are entries, never inherited members.
    return nullProtoMap(ownEntries(parsed));
}

function readImages(c: Checker, raw: string | undefined): Record<ImageName, string> {
    const overrides = readJsonObject(c, "images", raw);
    const images: Record<ImageName, string> = { ...DEFAULT_IMAGES };
    for (const [i, [name, value]] of Object.entries(overrides).entries()) {
        if (!(imageNames as readonly string[]).includes(name)) {
            c.fail(`images.${keyPart(name, i)}`, `one of the known images (${imageNames.join(", ")})`);
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

function readStringMap(c: Checker, key: string, raw: unknown, valueCheck: (name: string, v: string) => string | undefined): Record<string, string> {
    const out = nullProtoMap<string>([]);
    if (raw === undefined) return out;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        c.fail(key, `a mapping of NAME: value, got ${describe(raw)}`);
        return out;
    }
    for (const [i, [name, value]] of ownEntries(raw).entries()) {
        const at = `${key}.${keyPart(name, i)}`;
        if (!isEnvName(name) || name === "__proto__") {
            c.fail(at, "an environment variable name ([A-Za-z_][A-Za-z0-9_]*, at most 128 characters, not __proto__)");
            continue;
        }
        const v = typeof value === "number" || typeof value === "boolean" ? String(value) : value;
        if (typeof v !== "string") {
            c.fail(at, `a string, got ${describe(value)}`);
            continue;
        }
        const problem = valueCheck(name, v);
        if (problem) c.fail(at, problem);
        else out[name] = v;
    }
    return out;
}

const APP_FIELDS = ["image", "port", "subdomain", "healthPath", "env", "secretEnv", "generatedSecrets", "database", "sso", "memoryMiB"];

/** What readApp needs to know about the rest of the stack config. */
interface AppContext {
    readonly raw: Readonly<Record<string, string>>;
    /** Whether a `nexora:` key is stored as a secret; undefined when the runtime cannot tell. */
    readonly isSecret: (key: string) => boolean | undefined;
}

function readApp(c: Checker, key: string, index: number, raw: unknown, ctx: AppContext): AppSettings | undefined {
    const at = `apps.${keyPart(key, index)}`;
    if (!APP_KEY.test(key)) {
        c.fail(at, "an app name of 2-32 characters: lowercase letters, digits and hyphens, starting with a letter");
        return undefined;
    }
    const firstWord = key.split("-")[0]!;
    if (coreServiceKeys().includes(key)) {
        c.fail(at, `an app name that is not a platform service (${coreServiceKeys().join(", ")} are taken)`);
        return undefined;
    }
    if (key.includes("-") && ([...coreServiceKeys(), ...PLATFORM_NAME_WORDS] as readonly string[]).includes(firstWord)) {
        c.fail(at, `an app name that does not start with a platform name ("${firstWord}-" is the platform's: its containers, volumes and hostnames use it)`);
        return undefined;
    }
    if (MYSQL_RESERVED.includes(key.replace(/-/g, "_"))) {
        c.fail(at, `an app name that is not a name MySQL reserves (${MYSQL_RESERVED.join(", ")}): it becomes the app's database and user`);
        return undefined;
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        c.fail(at, `a mapping with image and port, got ${describe(raw)}`);
        return undefined;
    }
    const app = nullProtoMap(ownEntries(raw));
    for (const [i, field] of Object.keys(app).entries()) {
        if (!APP_FIELDS.includes(field)) c.fail(`${at}.${keyPart(field, i)}`, `a known app field (${APP_FIELDS.join(", ")})`);
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
    } else if (coreServiceKeys().includes(subdomain)) {
        c.fail(`${at}.subdomain`, `a subdomain not used by a platform service, got ${describe(subdomain)}`);
    }

    // The health check runs it in a shell: the grammar admits no shell syntax, and the check quotes it anyway.
    const healthPath = app.healthPath ?? "/";
    if (typeof healthPath !== "string" || !isUrlPathWithQuery(healthPath)) {
        c.fail(`${at}.healthPath`, `a URL path starting with "/" (letters, digits, - . _ ~ ! : @ + , = %XX; an optional ?query may add & / ?), got ${describe(healthPath)}`);
    }

    const env = readStringMap(c, `${at}.env`, app.env, (name, v) => {
        if (v.includes("\n") || v.includes("\r") || v.includes("\0")) return "a single-line string";
        const upper = name.toUpperCase();
        // Reported below as "the platform sets it" when the platform does.
        const managed = APP_MANAGED_ENV.includes(upper) && (upper.startsWith("DB_") ? app.database === true : app.sso !== undefined && app.sso !== false);
        if (!managed && isCredentialName(name)) return `a variable that is not a credential: ${name} names one; store the value with pulumi config set --secret <key> and map ${name} to that key under secretEnv`;
        if (carriesCredential(v)) return "a value without a credential in it (a password in a URL or DSN, a password=/token= parameter or flag, or a token-shaped string was found; not shown): store it with pulumi config set --secret <key> and reference it under secretEnv";
        return undefined;
    });
    const secretEnv = readStringMap(c, `${at}.secretEnv`, app.secretEnv, (_name, v) => {
        if (!isConfigKeyName(v)) return `the name of a secret config key under ${CONFIG_NAMESPACE}:, got ${describe(v)}`;
        if (knownKeys.has(v)) return `an app secret's own key, not the platform's ${CONFIG_NAMESPACE}:${v}`;
        // Not set at all: reported with every other missing secret (requiredSecretKeys).
        if (ctx.isSecret(v) === false) return `${CONFIG_NAMESPACE}:${v} to be stored as a secret (pulumi config set --secret ${v} ...), not in plaintext`;
        if (ctx.raw[v] === "") return `${CONFIG_NAMESPACE}:${v} to be non-empty`;
        return undefined;
    });

    const generatedRaw = app.generatedSecrets ?? [];
    const generatedSecrets: string[] = [];
    if (!Array.isArray(generatedRaw)) c.fail(`${at}.generatedSecrets`, `a list of environment variable names, got ${describe(generatedRaw)}`);
    else {
        for (const [i, name] of generatedRaw.entries()) {
            if (typeof name !== "string" || !isEnvName(name) || name === "__proto__") c.fail(`${at}.generatedSecrets[${i}]`, "an environment variable name");
            else generatedSecrets.push(name);
        }
    }

    const database = app.database ?? false;
    if (typeof database !== "boolean") c.fail(`${at}.database`, `true or false, got ${describe(database)}`);

    let sso: AppSsoSettings | undefined;
    if (app.sso !== undefined && app.sso !== false) {
        const s = app.sso === true ? nullProtoMap<unknown>([]) : app.sso;
        if (s === null || typeof s !== "object" || Array.isArray(s)) {
            c.fail(`${at}.sso`, `true, false or a mapping with redirectPath and scopes, got ${describe(app.sso)}`);
        } else {
            const fields = nullProtoMap(ownEntries(s));
            for (const [i, field] of Object.keys(fields).entries()) {
                if (field !== "redirectPath" && field !== "scopes") c.fail(`${at}.sso.${keyPart(field, i)}`, "a known sso field (redirectPath, scopes)");
            }
            const redirectPath = fields.redirectPath ?? BUSINESS_APP_SSO_DEFAULT.redirectPath;
            const scopes = fields.scopes ?? [...BUSINESS_APP_SSO_DEFAULT.scopes];
            // GitLab compares redirect URIs exactly: no query, fragment, spaces or dot segments.
            if (typeof redirectPath !== "string" || !isUrlPath(redirectPath)) {
                c.fail(`${at}.sso.redirectPath`, `a URL path starting with "/" without query, fragment, spaces or dot segments, got ${describe(redirectPath)}`);
            } else if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((x) => (APP_OAUTH_SCOPES as readonly unknown[]).includes(x))) {
                c.fail(`${at}.sso.scopes`, `a non-empty list of GitLab scopes (${APP_OAUTH_SCOPES.join(", ")}), got ${describe(scopes)}`);
            } else if (new Set(scopes).size !== scopes.length) {
                c.fail(`${at}.sso.scopes`, "each scope once");
            } else {
                sso = { redirectPath, scopes: scopes as OAuthScope[] };
            }
        }
    }

    let memoryMiB: number | undefined;
    if (app.memoryMiB !== undefined) {
        if (typeof app.memoryMiB !== "number" || !Number.isInteger(app.memoryMiB) || app.memoryMiB < MEMORY_MIB_MIN || app.memoryMiB > MEMORY_MIB_MAX) {
            c.fail(`${at}.memoryMiB`, `an integer number of MiB >= ${MEMORY_MIB_MIN} and <= ${MEMORY_MIB_MAX}, got ${describe(app.memoryMiB)}`);
        } else memoryMiB = app.memoryMiB;
    }

    // A name set twice would be ambiguous: which value wins depends on ordering. Case-insensitive:
    // generated secrets name resources after the lowercased variable, and Windows-built images fold case.
    const names = [...Object.keys(env), ...Object.keys(secretEnv), ...generatedSecrets];
    const seen = new Set<string>();
    for (const name of names) {
        const folded = name.toUpperCase();
        if (seen.has(folded)) c.fail(`${at}.env`, `each environment variable set once (case-insensitively) across env, secretEnv and generatedSecrets; ${name} is set twice`);
        seen.add(folded);
        if (APP_MANAGED_ENV.includes(folded) && (folded.startsWith("DB_") ? database === true : sso !== undefined)) {
            c.fail(`${at}.env.${name}`, `not to be set: the platform sets ${folded} for this app`);
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
    /**
     * Whether a config key (full name, e.g. "nexora:frpToken", "cloudflare:apiToken") is stored
     * as a secret; undefined when unknown.
     * @default unknown for every key
     */
    readonly isSecret?: (fullKey: string) => boolean | undefined;
    /** Config keys set outside the `nexora:` namespace that the program reads (cloudflare:apiToken). @default none */
    readonly otherKeys?: readonly string[];
    /**
     * The other stacks of this project known here (their stack files), with their app keys: a
     * stack suffix may not equal the first word of a sibling's app key, or the Docker names collide.
     * @default none
     */
    readonly siblingStacks?: readonly { readonly stack: string; readonly appKeys: readonly string[] }[];
}

/** Config keys (full names) whose value, where set, must be stored as a secret and be a plain token. */
const SECRET_CONFIG_KEYS = ["nexora:frpToken", "nexora:gitlabApiToken", "cloudflare:apiToken"];

/**
 * Validates raw config (key without namespace → raw string, as Pulumi stores it; objects as
 * JSON) and returns plain settings plus the raw secret values by key. Throws ConfigError
 * listing every problem. Pure: no Pulumi runtime needed.
 */
export function parseSettings(rawInput: Readonly<Record<string, string>>, ctx: ParseContext): { settings: PlatformSettings; secretValues: Record<string, string> } {
    const c = new Checker();
    // Null prototype: a key named "constructor" or "toString" is looked up as an entry, never inherited.
    const raw = nullProtoMap(ownEntries(rawInput).map(([k, v]) => [k, String(v)] as const));
    const isSecret = (fullKey: string): boolean | undefined => ctx.isSecret?.(fullKey);
    const appsRaw = readJsonObject(c, "apps", raw.apps);
    const referencedSecrets = new Set<string>();
    for (const app of Object.values(appsRaw)) {
        const se = app !== null && typeof app === "object" && hasOwn(app, "secretEnv") ? (app as { secretEnv?: unknown }).secretEnv : undefined;
        if (se && typeof se === "object") for (const [, v] of ownEntries(se)) if (typeof v === "string" && !knownKeys.has(v)) referencedSecrets.add(v);
    }
    for (const [i, key] of Object.keys(raw).entries()) {
        if (!knownKeys.has(key) && !referencedSecrets.has(key)) {
            c.fail(keyPart(key, i), `a known key (${[...knownKeys].sort().join(", ")}) or a secret referenced by an app's secretEnv`);
        }
    }
    const get = (key: ScalarKey): string | undefined => (hasOwn(raw, key) ? raw[key] : SCALAR_DEFAULTS[key]);

    const environmentValid = (environments as readonly (string | undefined)[]).includes(get("environment"));
    const environment = readEnum(c, "environment", get("environment"), environments);
    // Only a valid environment can disagree with the stack name (readEnum's fallback would mislead).
    if (environmentValid && ctx.stack !== environment && !ctx.stack.startsWith(`${environment}-`)) {
        c.fail("environment", `the stack's environment ("${ctx.stack}" runs environment "${environment}"; name the stack ${environment} or ${environment}-<suffix>)`);
    }
    if (!/^[a-z][a-z0-9-]{0,20}$/.test(ctx.stack)) {
        c.fail("(stack name)", `a stack name of lowercase letters, digits and hyphens (it prefixes every Docker name), got ${describe(ctx.stack)}`);
    } else if (environmentValid && ctx.stack.startsWith(`${environment}-`)) {
        // nexora-<stack>-<name> must parse one way on a shared host: "dev-alice" + "gitlab" and
        // "dev" + "alice-gitlab" would both be nexora-dev-alice-gitlab.
        const suffix = ctx.stack.slice(environment.length + 1);
        const sibling = ctx.siblingStacks?.find((st) => st.stack === environment && st.appKeys.some((k) => k.split("-")[0] === suffix));
        if (!/^[a-z0-9]+$/.test(suffix)) {
            c.fail("(stack name)", `${environment}-<suffix> with a suffix of lowercase letters and digits only (a hyphen in it makes Docker names ambiguous), got ${describe(ctx.stack)}`);
        } else if (([...coreServiceKeys(), ...PLATFORM_NAME_WORDS] as readonly string[]).includes(suffix)) {
            c.fail("(stack name)", `a suffix that is not a platform name (nexora-${ctx.stack}-… would collide with stack ${environment}'s own ${suffix} names), got ${describe(ctx.stack)}`);
        } else if (sibling) {
            c.fail("(stack name)", `a suffix that is not the first word of an app of stack ${environment} (its apps ${suffix}-… are named nexora-${ctx.stack}-…), got ${describe(ctx.stack)}`);
        }
    }
    for (const sibling of ctx.siblingStacks ?? []) {
        if (!sibling.stack.startsWith(`${ctx.stack}-`)) continue;
        const suffix = sibling.stack.slice(ctx.stack.length + 1);
        for (const key of Object.keys(appsRaw)) {
            if (key.startsWith(`${suffix}-`)) c.fail(`apps.${keyPart(key, 0)}`, `an app name that does not start with "${suffix}-": stack ${sibling.stack} owns the Docker names nexora-${sibling.stack}-…`);
        }
    }

    const baseDomain = get("baseDomain")!;
    if (!isDomain(baseDomain)) c.fail("baseDomain", `a DNS domain like "nexora.restry.cn", got ${describe(baseDomain)}`);

    const hostnamePattern = get("hostnamePattern")!;
    if (hostnamePattern.split("{service}").length !== 2 || hostnamePattern.split("{domain}").length > 2) {
        c.fail("hostnamePattern", `a pattern containing {service} exactly once (and {domain} at most once), like "staging-{service}.{domain}", got ${describe(hostnamePattern)}`);
    } else {
        const sample = hostnamePattern.replace("{service}", "svc").replace("{domain}", baseDomain);
        if (sample.length > 253 || !sample.split(".").every(isDnsLabel)) {
            c.fail("hostnamePattern", `a pattern that yields valid hostnames (got ${describe(sample)} for service "svc")`);
        } else if (isDomain(baseDomain) && (!isUnderDomain(sample, baseDomain) || sample === baseDomain)) {
            c.fail("hostnamePattern", `a pattern whose hostnames lie under baseDomain ${describe(baseDomain)} (got ${describe(sample)} for service "svc")`);
        }
    }

    const dockerHost = get("dockerHost")!;
    const dockerHostIssue = dockerHostProblem(dockerHost);
    if (dockerHostIssue) c.fail("dockerHost", `${dockerHostIssue}; got ${describe(dockerHost)}`);

    const tls = readEnum(c, "tls", get("tls"), ["acme", "internal"] as const);
    const acmeEmail = get("acmeEmail")!;
    if ((tls === "acme" || acmeEmail !== "") && !isEmail(acmeEmail)) c.fail("acmeEmail", `an email address for ACME${tls === "acme" ? " (tls is acme)" : ' or ""'}, got ${describe(acmeEmail)}`);

    const edgeSubnet = get("edgeSubnet") ?? "";
    const dataSubnet = get("dataSubnet") ?? "";
    const hostAddress = dockerHostIssue ? undefined : dockerHostAddress(dockerHost);
    for (const [key, value] of [["edgeSubnet", edgeSubnet], ["dataSubnet", dataSubnet]] as const) {
        if (!parseCidr(value)) c.fail(key, `an IPv4 network in CIDR form, /8 to /29, unique to this stack on its Docker host (e.g. 172.30.10.0/24), got ${describe(value)}`);
        else if (!isPrivateCidr(value)) c.fail(key, `a private network (inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16), got ${describe(value)}`);
        else if (hostAddress !== undefined && isIpv4(hostAddress) && cidrContains(value, hostAddress)) {
            c.fail(key, `a subnet that does not contain the Docker host's own address ${hostAddress} (the host would lose its route to the LAN)`);
        }
    }
    if (cidrsOverlap(edgeSubnet, dataSubnet)) c.fail("dataSubnet", "a subnet that does not overlap edgeSubnet");
    // Caddy takes a fixed address on the edge network (GitLab trusts forwarded headers from it only).
    if (parseCidr(edgeSubnet) && parseCidr(edgeSubnet)!.prefix > 28) c.fail("edgeSubnet", "a subnet of /28 or larger (Caddy takes a fixed address in it)");

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
        if (!isDomain(dns.zone) || !isUnderDomain(baseDomain, dns.zone)) {
            c.fail("cloudflareZone", `the Cloudflare zone that contains baseDomain ${describe(baseDomain)} (dnsEnabled is true), got ${describe(dns.zone)}`);
        }
        if (!isPublicIpv4(dns.relayAddress)) c.fail("relayAddress", `the relay's public IPv4 address in canonical dotted form (dnsEnabled is true; private, loopback, documentation and multicast ranges are refused), got ${describe(dns.relayAddress)}`);
        const token = (ctx.otherKeys ?? []).includes("cloudflare:apiToken");
        if (token && isSecret("cloudflare:apiToken") === false) {
            c.fail("cloudflare:apiToken", "to be stored as a secret (pulumi config set --secret cloudflare:apiToken ...), not in plaintext");
        }
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
        if (!isHostOrIpv4(tunnel.serverAddr)) c.fail("frpServerAddr", `the relay's frps address, an IPv4 address or host name (tunnelEnabled is true), got ${describe(tunnel.serverAddr)}`);
        else {
            for (const [key, subnet] of [["edgeSubnet", edgeSubnet], ["dataSubnet", dataSubnet]] as const) {
                if (cidrContains(subnet, tunnel.serverAddr)) c.fail(key, `a subnet that does not contain the relay address ${tunnel.serverAddr}`);
            }
        }
        if (tunnel.sshRemotePort === 0 && features.gitlab) c.fail("sshRemotePort", "the relay port for this stack's GitLab SSH (tunnelEnabled and gitlabEnabled are true)");
        if (tunnel.sshRemotePort !== 0 && [...RELAY_OWN_PORTS, tunnel.serverPort].includes(tunnel.sshRemotePort)) {
            c.fail("sshRemotePort", `a relay port the relay does not use itself (not 22, 80, 443 or frpServerPort ${tunnel.serverPort}), got ${tunnel.sshRemotePort}`);
        }
        if (publish.http || publish.https || publish.ssh) {
            c.fail("tunnelEnabled", "false when publishHttpPort/publishHttpsPort/publishSshPort are set (a stack is reached through the tunnel or through host ports, not both)");
        }
    }
    for (const required of requiredSecretKeys(raw)) if (!hasOwn(raw, required.key)) c.fail(required.reportAt, required.message);
    for (const fullKey of SECRET_CONFIG_KEYS.filter((k) => k.startsWith(`${CONFIG_NAMESPACE}:`))) {
        const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
        if (!hasOwn(raw, key)) continue;
        const value = raw[key]!;
        if (isSecret(fullKey) === false) c.fail(key, `to be stored as a secret (pulumi config set --secret ${key} ...), not in plaintext`);
        // Checked here, where it is read: the renderers only see it inside an apply.
        else if (value.trim() === "" || /[\s\u0000-\u001f\u007f]/.test(value)) c.fail(key, "a non-empty token without spaces or control characters (not shown)");
    }
    if (tls === "acme" && !tunnel.enabled && !publish.http) {
        c.fail("tls", "internal when neither the tunnel nor publishHttpPort lets ACME reach Caddy");
    }
    // With Caddy's internal CA only the SSO consumers are given its root (README "Dev SSO"): the
    // runner's job containers clone from GitLab's public URL and would not trust it.
    if (tls === "internal" && features.gitlabRunner && features.gitlab) {
        c.fail("runnerEnabled", "false when tls is internal (job containers would not trust Caddy's internal CA), got true");
    }

    const gitlabTokenRotation = get("gitlabTokenRotation")!;
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(gitlabTokenRotation)) c.fail("gitlabTokenRotation", `1-64 letters, digits, ".", "_" or "-", got ${describe(gitlabTokenRotation)}`);

    const images = readImages(c, raw.images);
    const backup = readBackupSettings(c, raw, environment, Object.keys(appsRaw));
    checkPostgresDataMajor(c, images.postgres, get("postgresDataMajor")!);

    const mattermostUrl = get("mattermostUrl")!;
    if (mattermostUrl !== "" && !isHttpsOrigin(mattermostUrl)) {
        c.fail("mattermostUrl", `"" or the https:// origin of the external Mattermost (no path), got ${describe(mattermostUrl)}`);
    } else if (mattermostUrl !== "" && !features.gitlab) {
        c.fail("mattermostUrl", `"" when gitlabEnabled is false (Mattermost logs in through GitLab), got ${describe(mattermostUrl)}`);
    } else if (mattermostUrl !== "" && tls === "internal") {
        c.fail("mattermostUrl", `"" when tls is internal (an external Mattermost neither reaches nor trusts this stack's GitLab), got ${describe(mattermostUrl)}`);
    }

    const apps: AppSettings[] = [];
    for (const [i, [key, value]] of Object.entries(appsRaw).entries()) {
        const app = readApp(c, key, i, value, { raw, isSecret: (k) => isSecret(`${CONFIG_NAMESPACE}:${k}`) });
        if (app) apps.push(app);
    }
    for (const [i, app] of apps.entries()) {
        if (app.sso && !features.gitlab) c.fail(`apps.${app.key}.sso`, "false or absent when gitlabEnabled is false (SSO logs in through GitLab)");
        const clash = apps.slice(0, i).find((a) => a.subdomain === app.subdomain);
        if (clash) c.fail(`apps.${app.key}.subdomain`, `a subdomain no other app uses ("${app.subdomain}" is also apps.${clash.key})`);
    }

    // Sorted before routing: the route table's order is the urls output's and the monitors'.
    apps.sort((a, b) => a.key.localeCompare(b.key));
    const routeInputs = { stack: ctx.stack, hostnamePattern, baseDomain, features, dns, tunnel, publish };
    const routes = checkRoutes(c, routeInputs, apps);

    if (c.issues.length > 0) throw new ConfigError(c.issues);

    const secretValues = nullProtoMap<string>([]);
    for (const key of [...SECRET_KEYS, ...referencedSecrets]) if (hasOwn(raw, key)) secretValues[key] = raw[key]!;
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
        gitlabTokenRotation,
        apps,
        secretKeysSet: Object.keys(secretValues).sort(),
        backup,
        routes,
    };
    return { settings: deepFreeze(settings), secretValues };
}

/**
 * Builds the route table from the parsed settings and reports each of its problems under the key
 * that causes it: an app's route under `apps.<key>.subdomain`, a platform route under
 * `hostnamePattern`, Caddy's ports under the publish keys. Routes whose inputs already failed are
 * left out, so one bad value is reported once.
 */
function checkRoutes(c: Checker, settings: Omit<Parameters<typeof buildRouteTable>[0], "apps">, apps: readonly AppSettings[]): RouteTable {
    const failed = (prefix: string) => c.issues.some((i) => i.key === `${CONFIG_NAMESPACE}:${prefix}` || i.key.startsWith(`${CONFIG_NAMESPACE}:${prefix}.`));
    const patternFailed = ["hostnamePattern", "baseDomain", "(stack name)"].some(failed);
    const routedApps = apps.filter((a) => !failed(`apps.${a.key}`));
    const table = buildRouteTable({ ...settings, apps: routedApps });
    if (patternFailed) return table;
    const appKeys = new Set(routedApps.map((a) => a.key));
    const sshKey = settings.tunnel.enabled ? "sshRemotePort" : "publishSshPort";
    const failedBefore = new Set(["publishHttpPort", "publishHttpsPort", sshKey, ...routedApps.map((a) => `apps.${a.key}.subdomain`)].filter(failed));
    for (const problem of validateRouteTable(table)) {
        // Each problem starts with its entry: "http route #2 (…)", "tcp route #0 (…)" or "route table:".
        const entry = /^(http|tcp) route #(\d+) /.exec(problem);
        let key: string;
        if (entry?.[1] === "http") {
            const service = table.http[Number(entry[2])]?.service ?? "";
            key = appKeys.has(service) ? `apps.${service}.subdomain` : "hostnamePattern";
        } else if (entry?.[1] === "tcp") {
            key = problem.includes("remotePort") ? sshKey : "hostnamePattern";
        } else {
            key = problem.includes("httpsPort") ? "publishHttpsPort" : problem.includes("httpPort") ? "publishHttpPort" : "(stack name)";
        }
        if (!failedBefore.has(key)) c.fail(key, `a value that yields a valid route: ${problem}`);
    }
    return table;
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
    const appSecrets = nullProtoMap<pulumi.Output<string>>([]);
    for (const app of settings.apps) {
        for (const key of Object.values(app.secretEnv)) appSecrets[key] = pulumi.secret(secretValues[key]!);
    }
    return {
        ...settings,
        secrets: {
            frpToken: secretValues.frpToken === undefined ? undefined : pulumi.secret(secretValues.frpToken),
            gitlabApiToken: secretValues.gitlabApiToken === undefined ? undefined : pulumi.secret(secretValues.gitlabApiToken),
            appSecrets,
            backup: backupSecretsOf(settings.backup, secretValues),
        },
    };
}

/** Whether the runtime stores a config key as a secret: `isConfigSecret` is internal to @pulumi/pulumi 3.x, so it is feature-tested. */
function runtimeIsSecret(fullKey: string): boolean | undefined {
    const fn = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    return typeof fn === "function" ? fn(fullKey) : undefined;
}

/** The project's other stack files in the working directory, with their app keys (for the Docker-name collision check). */
export function readSiblingStacks(dir: string, project: string): { stack: string; appKeys: string[] }[] {
    const out: { stack: string; appKeys: string[] }[] = [];
    let files: string[] = [];
    try {
        files = readdirSync(dir).filter((f) => /^Pulumi\.[a-z][a-z0-9-]*\.yaml$/.test(f));
    } catch {
        return out;
    }
    for (const file of files) {
        try {
            const doc = parseYaml(readFileSync(join(dir, file), "utf8")) as { config?: Record<string, unknown> } | null;
            const apps = doc?.config?.[`${CONFIG_NAMESPACE}:apps`];
            out.push({ stack: file.slice("Pulumi.".length, -".yaml".length), appKeys: apps && typeof apps === "object" ? Object.keys(apps) : [] });
        } catch {
            // A sibling's broken file is that stack's problem, reported when it is planned.
        }
    }
    return out.filter((s) => s.stack !== project);
}

/** Reads this stack's `nexora:*` config from the Pulumi runtime. The program's single config entry. */
export function readPlatformConfig(): PlatformConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const entries: [string, string][] = [];
    const otherKeys: string[] = [];
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) entries.push([key.slice(prefix.length), value]);
        else otherKeys.push(key);
    }
    const stack = pulumi.getStack();
    const { settings, secretValues } = parseSettings(nullProtoMap(entries), {
        project: pulumi.getProject(),
        stack,
        isSecret: runtimeIsSecret,
        otherKeys,
        siblingStacks: readSiblingStacks(process.cwd(), pulumi.getProject()).filter((s) => s.stack !== stack),
    });
    return toPlatformConfig(settings, secretValues);
}

// --- backups ------------------------------------------------------------------------------------

export type BackupSecretKey = (typeof BACKUP_SECRET_KEYS)[number];

/** @default 7 daily, 4 weekly, 6 monthly snapshots per store */
export const DEFAULT_BACKUP_RETENTION: Retention = Object.freeze({ daily: 7, weekly: 4, monthly: 6 });

export interface BackupOffsiteSettings {
    /** restic repository URL: `sftp:user@host:/path` or `s3:https://host/bucket/path`. */
    readonly repository: string;
    readonly kind: "sftp" | "s3";
    /** known_hosts line(s) of the SFTP host (host keys are checked). */
    readonly knownHosts: string;
}

export interface BackupSettings {
    /** @default true for staging and prod, false for dev */
    readonly enabled: boolean;
    /** Five-field cron expression, UTC. @default "30 *\/6 * * *" (every 6 hours) */
    readonly schedule: string;
    readonly retention: Retention;
    /** A store whose last good snapshot is older than this is reported stale. @default 13 */
    readonly maxAgeHours: number;
    readonly offsite?: BackupOffsiteSettings;
}

export interface BackupSecrets {
    readonly alertWebhook?: pulumi.Output<string>;
    readonly heartbeatUrl?: pulumi.Output<string>;
    readonly offsiteAccessKeyId?: pulumi.Output<string>;
    readonly offsiteSecretAccessKey?: pulumi.Output<string>;
    readonly offsiteSshKey?: pulumi.Output<string>;
}

function readBackupSettings(c: Checker, raw: Readonly<Record<string, string>>, environment: Environment, appKeys: readonly string[]): BackupSettings {
    const get = (key: ScalarKey): string | undefined => raw[key] ?? SCALAR_DEFAULTS[key];
    const enabled = raw.backupEnabled === undefined ? environment !== "dev" : readBoolean(c, "backupEnabled", raw.backupEnabled);

    const schedule = get("backupSchedule")!.trim();
    const problem = cronProblem(schedule);
    if (problem) c.fail("backupSchedule", `a cron expression (UTC) like "30 */6 * * *": ${problem}`);

    const retention = { ...DEFAULT_BACKUP_RETENTION };
    const retentionRaw = readJsonObject(c, "backupRetention", raw.backupRetention);
    for (const [key, value] of Object.entries(retentionRaw)) {
        if (!(key in retention)) {
            c.fail(`backupRetention.${key}`, "one of daily, weekly, monthly");
            continue;
        }
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 1000) {
            c.fail(`backupRetention.${key}`, `a whole number of snapshots 0-1000, got ${describe(value)}`);
            continue;
        }
        retention[key as keyof Retention] = value;
    }
    if (retention.daily + retention.weekly + retention.monthly === 0) {
        c.fail("backupRetention", "at least one snapshot kept (daily, weekly and monthly are all 0: every snapshot would be deleted)");
    }

    const maxAgeRaw = get("backupMaxAgeHours")!;
    const maxAgeHours = /^\d+$/.test(maxAgeRaw) ? Number(maxAgeRaw) : NaN;
    if (!(maxAgeHours >= 1 && maxAgeHours <= 24 * 45)) c.fail("backupMaxAgeHours", `a whole number of hours 1-1080, got ${describe(maxAgeRaw)}`);

    let offsite: BackupOffsiteSettings | undefined;
    const repository = get("backupOffsiteRepository")!;
    if (repository !== "") {
        const repoProblem = offsiteRepositoryProblem(repository);
        if (repoProblem) c.fail("backupOffsiteRepository", repoProblem);
        else {
            const kind = repository.startsWith("sftp:") ? "sftp" : "s3";
            const knownHosts = get("backupOffsiteKnownHosts")!;
            if (kind === "sftp") {
                if (!/^\S+ (ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256) [A-Za-z0-9+/=]+/.test(knownHosts)) {
                    c.fail("backupOffsiteKnownHosts", `the sftp host's known_hosts line ("host ssh-ed25519 AAAA..."; ssh-keyscan), got ${describe(knownHosts)}`);
                }
            }
            offsite = { repository, kind, knownHosts };
        }
    }
    for (const key of ["backupAlertWebhook", "backupHeartbeatUrl"] as const) {
        const value = raw[key];
        // Only the form is checked (an encrypted value the offline plan cannot read has a placeholder).
        if (value !== undefined && (!/^[^\s"'\\]+$/.test(value) || (value.includes("://") && !/^https?:\/\//.test(value)))) {
            c.fail(key, "an http(s) URL without spaces or quotes (its value is not shown)");
        }
    }
    if (enabled && appKeys.includes("backup")) c.fail("apps.backup", "an app name other than backup (the backup container is nexora-<stack>-backup)");
    return { enabled, schedule, retention, maxAgeHours: Number.isNaN(maxAgeHours) ? 13 : maxAgeHours, offsite };
}

function backupSecretsOf(settings: BackupSettings, secretValues: Readonly<Record<string, string>>): BackupSecrets {
    const secret = (key: BackupSecretKey) => (secretValues[key] === undefined ? undefined : pulumi.secret(secretValues[key]!));
    return {
        alertWebhook: secret("backupAlertWebhook"),
        heartbeatUrl: secret("backupHeartbeatUrl"),
        offsiteAccessKeyId: settings.offsite?.kind === "s3" ? secret("backupOffsiteAccessKeyId") : undefined,
        offsiteSecretAccessKey: settings.offsite?.kind === "s3" ? secret("backupOffsiteSecretAccessKey") : undefined,
        offsiteSshKey: settings.offsite?.kind === "sftp" ? secret("backupOffsiteSshKey") : undefined,
    };
}
