// Which `nexora:` keys exist: every key's declaration (type, default, what it means), from which Pulumi.yaml's config section and the docs' config table are generated (npm run gen:config); secret keys and when a config requires them.
import { type Retention, offsiteRepositoryProblem } from "../backup/manifest";
import { adoptsOutlineApplication } from "./adoption";
import { hasOwn, isConfigKeyName, isEnvName, ownEntries } from "../validators";
import { APP_KEY } from "./apps";
import { productSecretKeys } from "./products";
import { keyPart } from "./checker";
import { CONFIG_NAMESPACE, type Environment } from "./types";

/** @default 7 daily, 4 weekly, 6 monthly snapshots per store (nexora:backupRetention's default, declared below) */
export const DEFAULT_BACKUP_RETENTION: Retention = Object.freeze({ daily: 7, weekly: 4, monthly: 6 });

/** What every declared key says about itself; Pulumi.yaml and docs/configuration.md are generated from it. */
interface KeyDeclarationBase {
    /** One line of plain text: Pulumi.yaml's description (or its comment line, for object and secret keys). */
    readonly description: string;
    /** The config table's "meaning" cell (Markdown). @default the description */
    readonly doc?: string;
    /** Shares the config table's row of this key, declared right before it (the row's meaning is the first key's). */
    readonly docRowOf?: string;
}

/** A scalar key: Pulumi.yaml declares it with its type and default. */
export interface ScalarKeyDeclaration extends KeyDeclarationBase {
    readonly kind: "scalar";
    /** Pulumi.yaml's type; the value reaches the program as a string either way (parseSettings checks its form). */
    readonly type: "string" | "integer" | "boolean";
    /** The value when unset, as Pulumi stores it (a string). Neither this nor defaultByEnvironment: the key is required. */
    readonly default?: string;
    /** The value when unset, per environment (no single default for Pulumi.yaml to declare). */
    readonly defaultByEnvironment?: Readonly<Record<Environment, string>>;
    /** The only environments the key may be turned on in (parseSettings refuses it elsewhere). @default every environment */
    readonly onlyIn?: readonly Environment[];
}

/** A structured key (a JSON object; Pulumi.yaml cannot type objects, so it only lists them in a comment). */
export interface ObjectKeyDeclaration extends KeyDeclarationBase {
    readonly kind: "object";
    /** The config table's default cell (Markdown). */
    readonly docDefault: string;
}

/** A key whose value must be stored as a secret (`pulumi config set --secret`); no default. */
export interface SecretKeyDeclaration extends KeyDeclarationBase {
    readonly kind: "secret";
}

export type KeyDeclaration = ScalarKeyDeclaration | ObjectKeyDeclaration | SecretKeyDeclaration;

/**
 * Every `nexora:` key the platform reads, in the order the config table lists them (Pulumi.yaml
 * declares the scalar ones in the same order). A new key is one entry here (its check goes where
 * parseSettings reads it), then `npm run gen:config` rewrites Pulumi.yaml's config section and the
 * table in docs/configuration.md; tests/config/generated.test.ts fails while either is stale.
 */
export const CONFIG_KEYS = {
    environment: {
        kind: "scalar",
        type: "string",
        description: "dev, staging or prod; must match the stack name (or prefix it: dev-alice)",
        doc: "`dev`, `staging` or `prod`; the stack name is it or starts with `<it>-`",
    },
    baseDomain: { kind: "scalar", type: "string", default: "nexora.restry.cn", description: "the domain every hostname ends in" },
    hostnamePattern: {
        kind: "scalar",
        type: "string",
        default: "{service}.{domain}",
        description: "hostname of each service; {service} is the subdomain, {domain} the baseDomain (staging-{service}.{domain})",
        doc: "hostname of each service: `{service}` is the subdomain, `{domain}` the `baseDomain` (`staging-{service}.{domain}`, `dev-{service}.{domain}`)",
    },
    dockerHost: {
        kind: "scalar",
        type: "string",
        default: "unix:///var/run/docker.sock",
        description: "Docker daemon of the stack, unix:///var/run/docker.sock or ssh://user@host",
        doc: "Docker daemon of the stack: `ssh://user@host[:port]` (or `tcp://host:port`) for a remote daemon",
    },
    tls: {
        kind: "scalar",
        type: "string",
        default: "internal",
        description: "acme (public certificates through the relay) or internal (Caddy's local CA)",
        doc: "`acme` (public certificates through the relay) or `internal` (Caddy's local CA)",
    },
    acmeEmail: { kind: "scalar", type: "string", default: "", description: "ACME account email; required when tls is acme" },
    edgeSubnet: {
        kind: "scalar",
        type: "string",
        description: "subnet of the stack's edge Docker network (unique per stack on a host), e.g. 172.30.10.0/24",
        doc: "per-stack Docker subnets of the edge and the internal data network, e.g. `172.30.10.0/24`; unique per stack on a host, must not overlap",
    },
    dataSubnet: {
        kind: "scalar",
        type: "string",
        description: "subnet of the stack's internal data network (unique per stack on a host), e.g. 172.30.11.0/24",
        docRowOf: "edgeSubnet",
    },
    publishHttpPort: {
        kind: "scalar",
        type: "integer",
        default: "0",
        description: "host port for Caddy's HTTP (0 = not published; for stacks without the tunnel)",
        doc: "host ports of Caddy's HTTP and HTTPS and of GitLab SSH (0 = not published; for stacks without the tunnel)",
    },
    publishHttpsPort: {
        kind: "scalar",
        type: "integer",
        default: "0",
        description: "host port for Caddy's HTTPS (0 = not published)",
        docRowOf: "publishHttpPort",
    },
    publishSshPort: { kind: "scalar", type: "integer", default: "0", description: "host port for GitLab SSH (0 = not published)", docRowOf: "publishHttpPort" },
    dnsEnabled: {
        kind: "scalar",
        type: "boolean",
        default: "false",
        description: "manage Cloudflare DNS records for every hostname (needs cloudflare:apiToken)",
        doc: "Cloudflare A records for every hostname (needs `cloudflare:apiToken`)",
    },
    cloudflareZone: {
        kind: "scalar",
        type: "string",
        default: "restry.cn",
        description: "Cloudflare zone containing baseDomain",
        doc: "Cloudflare zone containing `baseDomain` (its id is looked up)",
    },
    relayAddress: { kind: "scalar", type: "string", default: "", description: "public IPv4 of the relay host (frps) the DNS records point at" },
    dnsProxied: { kind: "scalar", type: "boolean", default: "false", description: "Cloudflare proxy for web hostnames (the SSH name is always DNS-only)" },
    tunnelEnabled: { kind: "scalar", type: "boolean", default: "false", description: "run the FRP client that connects this stack to the relay" },
    frpServerAddr: {
        kind: "scalar",
        type: "string",
        default: "",
        description: "address of the relay's frps",
        doc: "address and port of the relay's frps",
    },
    frpServerPort: { kind: "scalar", type: "integer", default: "7000", description: "port of the relay's frps", docRowOf: "frpServerAddr" },
    sshRemotePort: {
        kind: "scalar",
        type: "integer",
        default: "0",
        description: "relay port for this stack's GitLab SSH (unique per stack)",
        doc: "relay port of this stack's GitLab SSH, unique per stack (2222 prod, 2223 staging)",
    },
    frpToken: { kind: "secret", description: "frps auth token (required when tunnelEnabled)" },
    gitlabEnabled: {
        kind: "scalar",
        type: "boolean",
        default: "true",
        description:
            "run GitLab CE, the identity provider; off turns SSO off (Outline, Grafana, the runner, the registry, app sso and mattermostUrl then must be off too)",
        doc: "switch a platform service off (a lean host: GitLab alone wants about 4 GB). GitLab is the identity provider: with `gitlabEnabled: false`, Outline, Grafana, the runner, the registry, an app's `sso` and `mattermostUrl` must be off too (a config error names each key that is not), and Portainer keeps its own admin login. PostgreSQL and Redis always run.",
    },
    outlineEnabled: {
        kind: "scalar",
        type: "boolean",
        default: "true",
        description: "run Outline (logs in through GitLab, so needs gitlabEnabled)",
        docRowOf: "gitlabEnabled",
    },
    uptimeKumaEnabled: { kind: "scalar", type: "boolean", default: "true", description: "run Uptime Kuma", docRowOf: "gitlabEnabled" },
    portainerEnabled: {
        kind: "scalar",
        type: "boolean",
        default: "true",
        description: "run Portainer (GitLab login when gitlabEnabled, its own admin login otherwise)",
        docRowOf: "gitlabEnabled",
    },
    portalEnabled: { kind: "scalar", type: "boolean", default: "true", description: "run the company portal (nginx)", docRowOf: "gitlabEnabled" },
    grafanaEnabled: {
        kind: "scalar",
        type: "boolean",
        default: "false",
        description: "run Grafana with GitLab login",
        doc: "roadmap services: Grafana with GitLab login, a GitLab Runner (Docker executor), GitLab's container registry on its own hostname",
    },
    runnerEnabled: { kind: "scalar", type: "boolean", default: "false", description: "run a GitLab Runner (Docker executor)", docRowOf: "grafanaEnabled" },
    registryEnabled: {
        kind: "scalar",
        type: "boolean",
        default: "false",
        description: "turn on GitLab's container registry on its own hostname",
        docRowOf: "grafanaEnabled",
    },
    mattermostUrl: {
        kind: "scalar",
        type: "string",
        default: "",
        description: 'https origin of the external Mattermost that logs in with GitLab ("" = none)',
        doc: 'https origin of an external Mattermost to register as a GitLab OAuth client (`""` = none)',
    },
    gitlabApiToken: { kind: "secret", description: "API token of an existing GitLab (optional; otherwise one is created)" },
    gitlabTokenRotation: {
        kind: "scalar",
        type: "string",
        default: "1",
        description: "change to rotate the generated GitLab admin API token",
        doc: "change it to rotate the minted GitLab admin API token",
    },
    gitlabGroups: {
        kind: "object",
        description: "mapping group full path -> {name, visibility, import} (docs/gitlab-content.md)",
        doc: "GitLab groups by full path (`nexora`, `nexora/apps`): `name`, `visibility`, `import`; see [gitlab-content.md](gitlab-content.md)",
        docDefault: "`{}`",
    },
    products: {
        kind: "object",
        description: "mapping product name -> {group, path, visibility, defaultBranch, app, variables, reviewEnvironments} (docs/gitlab-content.md)",
        doc: "one entry per product: its GitLab project (`group`, `path`, `visibility`, `defaultBranch`), `app`, `variables`, `reviewEnvironments`; see [gitlab-content.md](gitlab-content.md)",
        docDefault: "`{}`",
    },
    gitlabHookUrl: {
        kind: "scalar",
        type: "string",
        default: "",
        description: 'https URL of the ops bot\'s webhook every product project sends events to ("" = no hooks; its token is the secret gitlabHookToken)',
        doc: 'the ops bot\'s webhook URL every product project calls (push, tag, MR, pipeline events; `""` = no hooks)',
    },
    gitlabHookToken: {
        kind: "secret",
        description: "the ops bot's webhook token, sent as X-Gitlab-Token (required when gitlabHookUrl is set and there are products)",
        doc: "the webhook's `X-Gitlab-Token` (required with `gitlabHookUrl` and products)",
    },
    monitoringEnabled: {
        kind: "scalar",
        type: "boolean",
        default: "false",
        description: "Prometheus, blackbox exporter, Alertmanager, node-exporter and the healer (docs/monitoring.md); needs the secret alertWebhook",
        doc: "Prometheus, blackbox exporter, Alertmanager, node-exporter and the healer, from the route table ([monitoring.md](monitoring.md)); needs the secret `alertWebhook`",
    },
    alertWebhook: {
        kind: "secret",
        description: "URL Alertmanager and the healer post to (Mattermost incoming webhook; required when monitoringEnabled)",
        doc: "URL alerts and healer actions are posted to (Mattermost incoming webhook; https outside dev; required with monitoring)",
    },
    alertWebhookFormat: {
        kind: "scalar",
        type: "string",
        default: "slack",
        description: "slack (Slack's payload: Mattermost incoming webhooks) or generic (Alertmanager's JSON)",
        doc: "`slack` (Slack's payload, which Mattermost accepts) or `generic` (Alertmanager's JSON)",
    },
    monitoringScrapeSeconds: { kind: "scalar", type: "integer", default: "30", description: "seconds between probes and rule evaluations (5-300)" },
    alertAfterSeconds: {
        kind: "scalar",
        type: "integer",
        default: "120",
        description: "seconds a probe must fail before its alert fires (0-3600; 0 or at least monitoringScrapeSeconds)",
    },
    alertGroupWaitSeconds: {
        kind: "scalar",
        type: "integer",
        default: "30",
        description: "seconds Alertmanager waits before an outage's first message (0-600)",
    },
    alertRepeatHours: { kind: "scalar", type: "integer", default: "24", description: "hours before an unresolved outage is announced again (1-168)" },
    alertDiskFreePercent: {
        kind: "scalar",
        type: "integer",
        default: "10",
        description: "alert when the disk holding Docker's data has less than this percent free (1-50)",
    },
    alertCertificateDays: {
        kind: "scalar",
        type: "integer",
        default: "14",
        description: "alert when a public certificate expires within this many days (1-60; tls acme only)",
    },
    healMaxRestarts: {
        kind: "scalar",
        type: "integer",
        default: "3",
        description: "restarts of an unhealthy container within healWindowMinutes before the healer gives up (0-20; 0 only reports)",
    },
    healWindowMinutes: { kind: "scalar", type: "integer", default: "60", description: "the healer's window for healMaxRestarts, in minutes (1-1440)" },
    healIntervalSeconds: { kind: "scalar", type: "integer", default: "15", description: "seconds between the healer's checks (5-600)" },
    appHealthIntervalSeconds: {
        kind: "scalar",
        type: "integer",
        default: "30",
        description: "seconds between Docker's health checks of each business app (2-300)",
        doc: "Docker's health check of every business app: seconds between checks (2-300), failures in a row until unhealthy, which the healer acts on (1-20), start grace in seconds whose failures do not count (0-900)",
    },
    appHealthRetries: {
        kind: "scalar",
        type: "integer",
        default: "5",
        description: "failed health checks in a row that make an app unhealthy, which the healer acts on (1-20)",
        docRowOf: "appHealthIntervalSeconds",
    },
    appHealthStartSeconds: {
        kind: "scalar",
        type: "integer",
        default: "60",
        description: "start grace of an app's health check, failures in it do not count (0-900)",
        docRowOf: "appHealthIntervalSeconds",
    },
    monitorOverrides: {
        kind: "object",
        description: "mapping route name -> {healthPath, enabled} (docs/monitoring.md)",
        doc: "per route name: `{healthPath, enabled}` (an unknown route is an error; [monitoring.md](monitoring.md))",
        docDefault: "`{}`",
    },
    uptimeKumaUser: {
        kind: "scalar",
        type: "string",
        default: "",
        description: 'Uptime Kuma login AutoKuma syncs the monitors with ("" = no AutoKuma); needs the secret uptimeKumaPassword',
        doc: 'Uptime Kuma login AutoKuma syncs the same monitors with (`""` = no AutoKuma); needs the secret `uptimeKumaPassword`',
    },
    uptimeKumaPassword: { kind: "secret", description: "Uptime Kuma password of uptimeKumaUser (AutoKuma)", doc: "the password of `uptimeKumaUser`" },
    reviewsEnabled: {
        kind: "scalar",
        type: "boolean",
        default: "false",
        onlyIn: ["dev"],
        description: "host review environments (npm run review); the Caddyfile imports review sites and frpc includes review proxies",
        doc: "host review environments of merge requests ([review-environments.md](review-environments.md)): the Caddyfile imports review sites, frpc includes review proxies",
    },
    reviewMaxConcurrent: { kind: "scalar", type: "integer", default: "3", description: "how many review environments may run on this host at once (1-50)" },
    reviewMemoryMiB: {
        kind: "scalar",
        type: "integer",
        default: "512",
        description: "memory limit of each review environment's app container, in MiB (16-65536)",
    },
    adoptImports: {
        kind: "object",
        description:
            "{outlineOAuthApplication, dnsRecords: route -> <zone_id>/<record_id>, credentials}: existing objects an adopted Compose deployment brings, imported instead of created (npm run adopt writes it; docs/adopt-claw-bot.md)",
        doc: "objects of an adopted Compose deployment the stack imports instead of creating: `outlineOAuthApplication` (GitLab's numeric application id), `dnsRecords` (route name → `<zone_id>/<record_id>`), and `credentials` (which adopted admins take the generated passwords); written by `npm run adopt` from its plan ([adopt-claw-bot.md](adopt-claw-bot.md))",
        docDefault: "`{}`",
    },
    adoptOutlineClientSecret: {
        kind: "secret",
        description: "client secret of the imported Outline OAuth application (required with adoptImports.outlineOAuthApplication)",
        doc: "the imported Outline application's client secret (GitLab never reads it back; `npm run adopt` carries it over from the Compose Outline's env; required with `adoptImports.outlineOAuthApplication`)",
    },
    images: {
        kind: "object",
        description: "mapping image name -> pinned reference, overriding components/images.ts",
        doc: "mapping of image name → pinned reference (`latest` and untagged are rejected; GitLab ≥ 19 with PostgreSQL < 17 is rejected; `postgres` must have the major of `postgresDataMajor`)",
        docDefault: "see `components/images.ts`",
    },
    postgresDataMajor: {
        kind: "scalar",
        type: "integer",
        default: "16",
        description:
            "PostgreSQL major version the stack's data directory was initialised with; images.postgres must have this major (a major upgrade is a dump and restore or pg_upgrade, then change both together; docs/upgrade-postgres.md)",
        doc: "the PostgreSQL major the stack's data volume was initialised with; pinned in every stack file ([upgrade-postgres.md](upgrade-postgres.md))",
    },
    apps: {
        kind: "object",
        description:
            "mapping app name -> {image, port, subdomain, healthPath, env, secretEnv, generatedSecrets, database, sso, memoryMiB, releaseTimeoutSeconds} (docs/add-app.md; releases: docs/releases.md)",
        doc: "business apps: [add-app.md](add-app.md); releases: [releases.md](releases.md)",
        docDefault: "`{}`",
    },
    backupEnabled: {
        kind: "scalar",
        type: "boolean",
        defaultByEnvironment: { dev: "false", staging: "true", prod: "true" },
        description: "scheduled, encrypted backups of every store (docs/backups.md)",
        doc: "scheduled, encrypted backups of every store ([backups.md](backups.md))",
    },
    backupSchedule: {
        kind: "scalar",
        type: "string",
        default: "30 */6 * * *",
        description: "when backups run, a five-field cron expression in UTC (numbers, *, ranges, steps, lists)",
        doc: "when backups run: five-field cron, UTC (numbers, `*`, ranges, steps, lists)",
    },
    backupRetention: {
        kind: "object",
        description: `mapping {daily, weekly, monthly} -> snapshots kept per store (default ${DEFAULT_BACKUP_RETENTION.daily}, ${DEFAULT_BACKUP_RETENTION.weekly}, ${DEFAULT_BACKUP_RETENTION.monthly})`,
        doc: "snapshots kept per store (`restic forget --keep-daily/weekly/monthly`)",
        docDefault: `\`{daily: ${DEFAULT_BACKUP_RETENTION.daily}, weekly: ${DEFAULT_BACKUP_RETENTION.weekly}, monthly: ${DEFAULT_BACKUP_RETENTION.monthly}}\``,
    },
    backupMaxAgeHours: {
        kind: "scalar",
        type: "integer",
        default: "13",
        description: "a store whose last good snapshot is older than this many hours is reported stale",
    },
    backupOffsiteRepository: {
        kind: "scalar",
        type: "string",
        default: "",
        description: 'off-host restic repository, sftp:user@host:/path or s3:https://host/bucket/path ("" = local volume only)',
        doc: 'off-host restic repository: `sftp:user@host:/path` or `s3:https://host/bucket/path` (`""` = the local volume only)',
    },
    backupOffsiteKnownHosts: {
        kind: "scalar",
        type: "string",
        default: "",
        description: "known_hosts line of the sftp host (required with an sftp off-host repository)",
        doc: "the sftp host's `known_hosts` line (required with sftp)",
    },
    backupOffsiteSshKey: {
        kind: "secret",
        description: "SSH private key (sftp: off-host target)",
        doc: "the off-host target's credentials: the SSH private key (sftp), or the S3 access key id and secret access key (s3)",
    },
    backupOffsiteAccessKeyId: { kind: "secret", description: "S3 access key id (s3: off-host target)", docRowOf: "backupOffsiteSshKey" },
    backupOffsiteSecretAccessKey: { kind: "secret", description: "S3 secret access key (s3: off-host target)", docRowOf: "backupOffsiteSshKey" },
    backupAlertWebhook: {
        kind: "secret",
        description: 'URL the backup posts {"text": ...} to when a cycle fails (Mattermost incoming webhook)',
        doc: 'URL a failed cycle posts `{"text": …}` to (a Mattermost incoming webhook of the alert bot\'s channel)',
    },
    backupHeartbeatUrl: {
        kind: "secret",
        description: "URL the backup GETs after every good cycle (an Uptime Kuma push monitor)",
        doc: "URL fetched after every good cycle (an Uptime Kuma push monitor)",
    },
} as const satisfies Record<string, KeyDeclaration>;

type Declared = typeof CONFIG_KEYS;
type KeysOfKind<K extends KeyDeclaration["kind"]> = { [N in keyof Declared]: Declared[N]["kind"] extends K ? N : never }[keyof Declared];
export type ScalarKey = KeysOfKind<"scalar">;
export type ObjectKey = KeysOfKind<"object">;
export type SecretKey = KeysOfKind<"secret">;

const keysOfKind = <K extends KeyDeclaration["kind"]>(kind: K): KeysOfKind<K>[] =>
    (Object.keys(CONFIG_KEYS) as (keyof Declared)[]).filter((k) => CONFIG_KEYS[k].kind === kind) as KeysOfKind<K>[];

/** Declared scalar keys and their defaults (undefined: required, or a default per environment). */
export const SCALAR_DEFAULTS: { readonly [K in ScalarKey]: Declared[K] extends { readonly default: infer D } ? D : undefined } = Object.freeze(
    Object.fromEntries(keysOfKind("scalar").map((k) => [k, (CONFIG_KEYS[k] as ScalarKeyDeclaration).default])),
) as never;

/** Structured keys (JSON objects; Pulumi.yaml cannot type objects, so they are validated here). */
export const OBJECT_KEYS: readonly ObjectKey[] = keysOfKind("object");
/** Secret backup keys: the alert webhook and heartbeat URLs embed tokens; off-host credentials. */
export const BACKUP_SECRET_KEYS = [
    "backupAlertWebhook",
    "backupHeartbeatUrl",
    "backupOffsiteAccessKeyId",
    "backupOffsiteSecretAccessKey",
    "backupOffsiteSshKey",
] as const satisfies readonly SecretKey[];
/** Secret monitoring keys: the alert webhook's URL embeds its token; AutoKuma's Uptime Kuma password. */
export const MONITORING_SECRET_KEYS = ["alertWebhook", "uptimeKumaPassword"] as const satisfies readonly SecretKey[];
/** The platform's own keys whose values must be stored as secrets (which ones a config requires: requiredSecretKeys). */
export const SECRET_KEYS: readonly SecretKey[] = keysOfKind("secret");

export const knownKeys = new Set<string>(Object.keys(CONFIG_KEYS));
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
