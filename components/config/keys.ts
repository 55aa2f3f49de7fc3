// Which `nexora:` keys exist: declared scalars with their defaults (mirrored in Pulumi.yaml), object keys, secret keys and when a config requires them.
import { offsiteRepositoryProblem } from "../backup/manifest";
import { adoptsOutlineApplication } from "./adoption";
import { hasOwn, isConfigKeyName, isEnvName, ownEntries } from "../validators";
import { APP_KEY } from "./apps";
import { productSecretKeys } from "./products";
import { keyPart } from "./checker";
import { CONFIG_NAMESPACE } from "./types";

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
    // The ops bot's webhook endpoint every product project sends events to; "" = no hooks.
    gitlabHookUrl: "",
    postgresDataMajor: "16",
    // Default by environment (readBackupSettings): on for staging and prod, off for dev.
    backupEnabled: undefined,
    backupSchedule: "30 */6 * * *",
    backupMaxAgeHours: "13",
    backupOffsiteRepository: "",
    backupOffsiteKnownHosts: "",
    monitoringEnabled: "false",
    monitoringScrapeSeconds: "30",
    alertAfterSeconds: "120",
    alertGroupWaitSeconds: "30",
    alertRepeatHours: "24",
    alertWebhookFormat: "slack",
    alertDiskFreePercent: "10",
    alertCertificateDays: "14",
    healMaxRestarts: "3",
    healWindowMinutes: "60",
    healIntervalSeconds: "15",
    uptimeKumaUser: "",
    appHealthIntervalSeconds: "30",
    appHealthRetries: "5",
    appHealthStartSeconds: "60",
    reviewsEnabled: "false",
    reviewMaxConcurrent: "3",
    reviewMemoryMiB: "512",
} as const satisfies Record<string, string | undefined>;
export type ScalarKey = keyof typeof SCALAR_DEFAULTS;

/** Structured keys (JSON objects; Pulumi.yaml cannot type objects, so they are validated here). */
export const OBJECT_KEYS = ["images", "apps", "backupRetention", "gitlabGroups", "products", "monitorOverrides", "adoptImports"] as const;
/** Secret backup keys: the alert webhook and heartbeat URLs embed tokens; off-host credentials. */
export const BACKUP_SECRET_KEYS = [
    "backupAlertWebhook",
    "backupHeartbeatUrl",
    "backupOffsiteAccessKeyId",
    "backupOffsiteSecretAccessKey",
    "backupOffsiteSshKey",
] as const;
/** The platform's own keys whose values must be stored as secrets (which ones a config requires: requiredSecretKeys). */
/** Secret monitoring keys: the alert webhook's URL embeds its token; AutoKuma's Uptime Kuma password. */
export const MONITORING_SECRET_KEYS = ["alertWebhook", "uptimeKumaPassword"] as const;
/** The client secret of the Outline OAuth application adoptImports imports: GitLab never reads it back after an import. */
export const ADOPTION_SECRET_KEYS = ["adoptOutlineClientSecret"] as const;
export const SECRET_KEYS = [
    "frpToken",
    "gitlabApiToken",
    "gitlabHookToken",
    ...BACKUP_SECRET_KEYS,
    ...MONITORING_SECRET_KEYS,
    ...ADOPTION_SECRET_KEYS,
] as const;

export const knownKeys = new Set<string>([...Object.keys(SCALAR_DEFAULTS), ...OBJECT_KEYS, ...SECRET_KEYS]);

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
        out.push({
            key: "frpToken",
            reportAt: "frpToken",
            message: "the frps auth token as a secret (pulumi config set --secret frpToken ...; tunnelEnabled is true)",
        });
    }
    if (value("monitoringEnabled") === "true") {
        out.push({
            key: "alertWebhook",
            reportAt: "alertWebhook",
            message: "the alert bot's incoming webhook URL as a secret (pulumi config set --secret alertWebhook https://...; monitoringEnabled is true)",
        });
        if ((value("uptimeKumaUser") ?? "") !== "" && value("uptimeKumaEnabled") === "true") {
            out.push({
                key: "uptimeKumaPassword",
                reportAt: "uptimeKumaPassword",
                message: "the Uptime Kuma password of uptimeKumaUser as a secret (pulumi config set --secret uptimeKumaPassword ...; AutoKuma logs in with it)",
            });
        }
    }
    if (adoptsOutlineApplication(raw.adoptImports)) {
        out.push({
            key: "adoptOutlineClientSecret",
            reportAt: "adoptOutlineClientSecret",
            message:
                "the imported Outline application's client secret as a secret (npm run adopt writes it from the Compose Outline's env; adoptImports.outlineOAuthApplication is set)",
        });
    }
    const repository = value("backupOffsiteRepository") ?? "";
    if (repository !== "" && offsiteRepositoryProblem(repository) === undefined) {
        if (repository.startsWith("sftp:")) {
            const message = "the SSH private key for the sftp target as a secret (pulumi config set --secret backupOffsiteSshKey < key)";
            out.push({ key: "backupOffsiteSshKey", reportAt: "backupOffsiteSshKey", message });
        } else {
            for (const key of ["backupOffsiteAccessKeyId", "backupOffsiteSecretAccessKey"]) {
                out.push({
                    key,
                    reportAt: key,
                    message: `the S3 credential as a secret (pulumi config set --secret ${key} ...; backupOffsiteRepository is s3)`,
                });
            }
        }
    }
    let products: unknown;
    try {
        products = hasOwn(raw, "products") ? JSON.parse(raw.products!) : undefined;
    } catch {
        products = undefined;
    }
    const hasProducts = products !== null && typeof products === "object" && !Array.isArray(products) && Object.keys(products).length > 0;
    if (hasProducts && (value("gitlabHookUrl") ?? "") !== "") {
        out.push({
            key: "gitlabHookToken",
            reportAt: "gitlabHookToken",
            message: "the ops bot's webhook token as a secret (pulumi config set --secret gitlabHookToken ...; gitlabHookUrl is set)",
        });
    }
    for (const ref of productSecretKeys(products)) {
        if (knownKeys.has(ref.key)) continue;
        out.push({
            key: ref.key,
            reportAt: ref.reportAt,
            message: `secret config key ${CONFIG_NAMESPACE}:${ref.key} to be set (pulumi config set --secret ${ref.key} ...)`,
        });
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
