// One business app from `nexora:apps`: its container, database, env, secrets, SSO and limits, each field checked.
import { coreServiceKeys } from "../catalog";
import { carriesCredential, isCredentialName } from "../credentials";
import { BUSINESS_APP_SSO_DEFAULT, type OAuthScope } from "../sso/consumers";
import { isConfigKeyName, isDnsLabel, isEnvName, isUrlPath, isUrlPathWithQuery, nullProtoMap, ownEntries } from "../validators";
import { Checker, describe, didYouMean, keyPart, readPort, readStringMap } from "./checker";
import { checkPinned } from "./image-pins";
import { knownKeys } from "./keys";
import { APP_OAUTH_SCOPES, type AppSettings, type AppSsoSettings, CONFIG_NAMESPACE } from "./types";

export const APP_KEY = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
/** An app image written `@project:<tag>` is its product project's image in this stack's GitLab registry. */
export const PROJECT_IMAGE_PREFIX = "@project:";
/** Env names the platform sets itself for apps; config must not override them silently. */
const APP_MANAGED_ENV = ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET", "OAUTH_ISSUER", "OAUTH_CA_FILE"];
/** Names MySQL keeps for itself; an app's database and user are its key with "_" for "-". */
const MYSQL_RESERVED = ["root", "sys", "mysql", "information_schema", "performance_schema", "mysql_sys", "mysql_session", "mysql_infoschema"];
/**
 * First words of the Docker names the platform itself generates (containers, volumes,
 * networks): an app key or a stack suffix starting with one could take another's name.
 */
export const PLATFORM_NAME_WORDS = ["edge", "data", "apps", "admin", "nexora"];
/** Memory limits: below 16 MiB no app image starts; above 256 GiB is a typo. */
const MEMORY_MIB_MIN = 16;
const MEMORY_MIB_MAX = 262144;
/**
 * How long a release waits for the new container's health check to pass before it is refused:
 * 10 s is less than any app needs to start, 20 minutes is the provider's whole create budget.
 */
export const RELEASE_TIMEOUT_MIN_SECONDS = 10;
export const RELEASE_TIMEOUT_MAX_SECONDS = 1200;
export const RELEASE_TIMEOUT_DEFAULT_SECONDS = 180;
const APP_FIELDS = [
    "image",
    "port",
    "subdomain",
    "healthPath",
    "env",
    "secretEnv",
    "generatedSecrets",
    "database",
    "sso",
    "memoryMiB",
    "releaseTimeoutSeconds",
];

/** What readApp needs to know about the rest of the stack config. */
interface AppContext {
    readonly raw: Readonly<Record<string, string>>;
    /** Whether a `nexora:` key is stored as a secret; undefined when the runtime cannot tell. */
    readonly isSecret: (key: string) => boolean | undefined;
}

export function readApp(c: Checker, key: string, index: number, raw: unknown, ctx: AppContext): AppSettings | undefined {
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
        if (!APP_FIELDS.includes(field)) c.fail(`${at}.${keyPart(field, i)}`, `a known app field (${APP_FIELDS.join(", ")})`, didYouMean(field, i, APP_FIELDS));
    }
    let image = "";
    if (typeof app.image !== "string") c.fail(`${at}.image`, "an image reference string");
    else {
        image = app.image;
        // The product project's own registry image: resolved (and checked against products) in parseSettings.
        if (image.startsWith(PROJECT_IMAGE_PREFIX)) {
            const tag = image.slice(PROJECT_IMAGE_PREFIX.length);
            if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag) || tag === "latest")
                c.fail(`${at}.image`, `${PROJECT_IMAGE_PREFIX}<tag> with a pinned tag (letters, digits, "_", ".", "-"; not latest), got ${describe(image)}`);
        } else checkPinned(c, `${at}.image`, image);
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
        c.fail(
            `${at}.healthPath`,
            `a URL path starting with "/" (letters, digits, - . _ ~ ! : @ + , = %XX; an optional ?query may add & / ?), got ${describe(healthPath)}`,
        );
    }

    const env = readStringMap(c, `${at}.env`, app.env, (name, v) => {
        if (v.includes("\n") || v.includes("\r") || v.includes("\0")) return "a single-line string";
        const upper = name.toUpperCase();
        // Reported below as "the platform sets it" when the platform does.
        const managed = APP_MANAGED_ENV.includes(upper) && (upper.startsWith("DB_") ? app.database === true : app.sso !== undefined && app.sso !== false);
        if (!managed && isCredentialName(name))
            return `a variable that is not a credential: ${name} names one; store the value with pulumi config set --secret <key> and map ${name} to that key under secretEnv`;
        if (carriesCredential(v))
            return "a value without a credential in it (a password in a URL or DSN, a password=/token= parameter or flag, or a token-shaped string was found; not shown): store it with pulumi config set --secret <key> and reference it under secretEnv";
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
                if (field !== "redirectPath" && field !== "scopes")
                    c.fail(`${at}.sso.${keyPart(field, i)}`, "a known sso field (redirectPath, scopes)", didYouMean(field, i, ["redirectPath", "scopes"]));
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

    let releaseTimeoutSeconds = RELEASE_TIMEOUT_DEFAULT_SECONDS;
    if (app.releaseTimeoutSeconds !== undefined) {
        const t = app.releaseTimeoutSeconds;
        if (typeof t !== "number" || !Number.isInteger(t) || t < RELEASE_TIMEOUT_MIN_SECONDS || t > RELEASE_TIMEOUT_MAX_SECONDS) {
            c.fail(
                `${at}.releaseTimeoutSeconds`,
                `an integer number of seconds >= ${RELEASE_TIMEOUT_MIN_SECONDS} and <= ${RELEASE_TIMEOUT_MAX_SECONDS}, got ${describe(t)}`,
            );
        } else releaseTimeoutSeconds = t;
    }

    // A name set twice would be ambiguous: which value wins depends on ordering. Case-insensitive:
    // generated secrets name resources after the lowercased variable, and Windows-built images fold case.
    const names = [...Object.keys(env), ...Object.keys(secretEnv), ...generatedSecrets];
    const seen = new Set<string>();
    for (const name of names) {
        const folded = name.toUpperCase();
        if (seen.has(folded))
            c.fail(`${at}.env`, `each environment variable set once (case-insensitively) across env, secretEnv and generatedSecrets; ${name} is set twice`);
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
        releaseTimeoutSeconds,
    };
}
