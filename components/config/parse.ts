// parseSettings: the whole stack config validated at once (cross-key rules and the route table), and the config components receive.
import * as pulumi from "@pulumi/pulumi";
import { coreServiceKeys } from "../catalog";
import { buildRouteTable } from "../edge/routes";
import { type RouteTable } from "../edge/types";
import { routeTableProblems } from "../edge/validate";
import { featureKeys, featuresNeedingGitlab, type PlatformFeatures } from "../features";
import {
    cidrContains,
    cidrsOverlap,
    dockerHostAddress,
    dockerHostProblem,
    hasOwn,
    isDnsLabel,
    isDomain,
    isEmail,
    isHostOrIpv4,
    undiallableHost,
    isHttpsOrigin,
    isIpv4,
    isPrivateCidr,
    isPublicIpv4,
    isStackName,
    isUnderDomain,
    nullProtoMap,
    ownEntries,
    parseCidr,
} from "../validators";
import { PLATFORM_NAME_WORDS, PROJECT_IMAGE_PREFIX, readApp } from "./apps";
import { checkProducts, type ProductSettings, productSecretKeys, readGitlabGroups, readProduct } from "./products";
import { backupSecretsOf, readBackupSettings } from "./backup";
import { readMonitoringSettings } from "./monitoring";
import { readAdoptionImports } from "./adoption";
import { Checker, describe, didYouMean, keyPart, readBoolean, readEnum, readJsonObject, readPort } from "./checker";
import { generatedSecretName } from "../naming";
import { checkPostgresDataMajor, readImages } from "./image-pins";
import { SCALAR_DEFAULTS, SECRET_KEYS, type ScalarKey, knownKeys, requiredSecretKeys } from "./keys";
import {
    type AppSettings,
    CONFIG_NAMESPACE,
    ConfigError,
    type DnsSettings,
    type PlatformConfig,
    type PlatformSettings,
    type PublishSettings,
    type ReviewSettings,
    type TunnelSettings,
    environments,
} from "./types";

/** Review limits: more than 50 at once or 64 GiB each is a typo on one host; below 16 MiB no app starts. */
const REVIEW_MAX_CONCURRENT_MAX = 50;
const REVIEW_MEMORY_MIB_MIN = 16;
const REVIEW_MEMORY_MIB_MAX = 65536;

/** A decimal integer from `min` to `max`, as Pulumi stores numbers (strings). */
function readBoundedInteger(c: Checker, key: string, raw: string, max: number, min = 1): number {
    const n = /^[0-9]{1,6}$/.test(raw) ? Number(raw) : NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    c.fail(key, `an integer from ${min} to ${max}, got ${describe(raw)}`);
    return min;
}

/** Ports the relay itself serves (SSH, HTTP, HTTPS): a stack's SSH tunnel must not take one. */
const RELAY_OWN_PORTS = [22, 80, 443];
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
const SECRET_CONFIG_KEYS = [
    "nexora:frpToken",
    "nexora:gitlabApiToken",
    "nexora:gitlabHookToken",
    "nexora:alertWebhook",
    "nexora:uptimeKumaPassword",
    "nexora:adoptOutlineClientSecret",
    "cloudflare:apiToken",
];

/**
 * Validates raw config (key without namespace → raw string, as Pulumi stores it; objects as
 * JSON) and returns plain settings plus the raw secret values by key. Throws ConfigError
 * listing every problem. Pure: no Pulumi runtime needed.
 */
export function parseSettings(
    rawInput: Readonly<Record<string, string>>,
    ctx: ParseContext,
): { settings: PlatformSettings; secretValues: Record<string, string> } {
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
    const productsRaw = readJsonObject(c, "products", raw.products);
    const productSecrets = new Set(
        productSecretKeys(productsRaw)
            .map((r) => r.key)
            .filter((k) => !knownKeys.has(k)),
    );
    for (const key of productSecrets) referencedSecrets.add(key);
    for (const [i, key] of Object.keys(raw).entries()) {
        if (!knownKeys.has(key) && !referencedSecrets.has(key)) {
            c.fail(
                keyPart(key, i),
                `a known key (${[...knownKeys].sort().join(", ")}) or a secret referenced by an app's secretEnv or a product's variables`,
                didYouMean(key, i, knownKeys, `${CONFIG_NAMESPACE}:`),
            );
        }
    }
    const get = (key: ScalarKey): string | undefined => (hasOwn(raw, key) ? raw[key] : SCALAR_DEFAULTS[key]);

    const environmentValid = (environments as readonly (string | undefined)[]).includes(get("environment"));
    const environment = readEnum(c, "environment", get("environment"), environments);
    // Only a valid environment can disagree with the stack name (readEnum's fallback would mislead).
    if (environmentValid && ctx.stack !== environment && !ctx.stack.startsWith(`${environment}-`)) {
        c.fail(
            "environment",
            `the stack's environment ("${ctx.stack}" runs environment "${environment}"; name the stack ${environment} or ${environment}-<suffix>)`,
        );
    }
    if (!isStackName(ctx.stack)) {
        c.fail("(stack name)", `a stack name of lowercase letters, digits and hyphens (it prefixes every Docker name), got ${describe(ctx.stack)}`);
    } else if (environmentValid && ctx.stack.startsWith(`${environment}-`)) {
        // nexora-<stack>-<name> must parse one way on a shared host: "dev-alice" + "gitlab" and
        // "dev" + "alice-gitlab" would both be nexora-dev-alice-gitlab.
        const suffix = ctx.stack.slice(environment.length + 1);
        const sibling = ctx.siblingStacks?.find((st) => st.stack === environment && st.appKeys.some((k) => k.split("-")[0] === suffix));
        if (!/^[a-z0-9]+$/.test(suffix)) {
            c.fail(
                "(stack name)",
                `${environment}-<suffix> with a suffix of lowercase letters and digits only (a hyphen in it makes Docker names ambiguous), got ${describe(ctx.stack)}`,
            );
        } else if (([...coreServiceKeys(), ...PLATFORM_NAME_WORDS] as readonly string[]).includes(suffix)) {
            c.fail(
                "(stack name)",
                `a suffix that is not a platform name (nexora-${ctx.stack}-… would collide with stack ${environment}'s own ${suffix} names), got ${describe(ctx.stack)}`,
            );
        } else if (sibling) {
            c.fail(
                "(stack name)",
                `a suffix that is not the first word of an app of stack ${environment} (its apps ${suffix}-… are named nexora-${ctx.stack}-…), got ${describe(ctx.stack)}`,
            );
        }
    }
    for (const sibling of ctx.siblingStacks ?? []) {
        if (!sibling.stack.startsWith(`${ctx.stack}-`)) continue;
        const suffix = sibling.stack.slice(ctx.stack.length + 1);
        for (const key of Object.keys(appsRaw)) {
            if (key.startsWith(`${suffix}-`))
                c.fail(
                    `apps.${keyPart(key, 0)}`,
                    `an app name that does not start with "${suffix}-": stack ${sibling.stack} owns the Docker names nexora-${sibling.stack}-…`,
                );
        }
    }

    const baseDomain = get("baseDomain")!;
    if (!isDomain(baseDomain)) c.fail("baseDomain", `a DNS domain like "nexora.restry.cn", got ${describe(baseDomain)}`);

    const hostnamePattern = get("hostnamePattern")!;
    if (hostnamePattern.split("{service}").length !== 2 || hostnamePattern.split("{domain}").length > 2) {
        c.fail(
            "hostnamePattern",
            `a pattern containing {service} exactly once (and {domain} at most once), like "staging-{service}.{domain}", got ${describe(hostnamePattern)}`,
        );
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
    if ((tls === "acme" || acmeEmail !== "") && !isEmail(acmeEmail))
        c.fail("acmeEmail", `an email address for ACME${tls === "acme" ? " (tls is acme)" : ' or ""'}, got ${describe(acmeEmail)}`);

    const edgeSubnet = get("edgeSubnet") ?? "";
    const dataSubnet = get("dataSubnet") ?? "";
    const hostAddress = dockerHostIssue ? undefined : dockerHostAddress(dockerHost);
    for (const [key, value] of [
        ["edgeSubnet", edgeSubnet],
        ["dataSubnet", dataSubnet],
    ] as const) {
        if (!parseCidr(value))
            c.fail(key, `an IPv4 network in CIDR form, /8 to /29, unique to this stack on its Docker host (e.g. 172.30.10.0/24), got ${describe(value)}`);
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
        if (!isPublicIpv4(dns.relayAddress))
            c.fail(
                "relayAddress",
                `the relay's public IPv4 address in canonical dotted form (dnsEnabled is true; private, loopback, documentation and multicast ranges are refused), got ${describe(dns.relayAddress)}`,
            );
    }

    const switchKeys = featureKeys();
    const features = Object.fromEntries(
        Object.entries(switchKeys).map(([feature, key]) => [feature, readBoolean(c, key, get(key as ScalarKey)!)]),
    ) as unknown as PlatformFeatures;
    if (!features.gitlab) {
        for (const feature of featuresNeedingGitlab()) {
            if (features[feature]) c.fail(switchKeys[feature], `false when gitlabEnabled is false (${feature} needs GitLab), got true`);
        }
    }
    const reviews: ReviewSettings = {
        enabled: readBoolean(c, "reviewsEnabled", get("reviewsEnabled")!),
        maxConcurrent: readBoundedInteger(c, "reviewMaxConcurrent", get("reviewMaxConcurrent")!, REVIEW_MAX_CONCURRENT_MAX),
        memoryMiB: readBoundedInteger(c, "reviewMemoryMiB", get("reviewMemoryMiB")!, REVIEW_MEMORY_MIB_MAX, REVIEW_MEMORY_MIB_MIN),
    };
    if (reviews.enabled && environment !== "dev")
        c.fail("reviewsEnabled", `false outside the dev environment (review environments run on the dev host), got true`);
    const tunnel: TunnelSettings = {
        enabled: readBoolean(c, "tunnelEnabled", get("tunnelEnabled")!),
        serverAddr: get("frpServerAddr")!,
        serverPort: readPort(c, "frpServerPort", get("frpServerPort"), false),
        sshRemotePort: readPort(c, "sshRemotePort", get("sshRemotePort"), true),
    };
    if (tunnel.enabled) {
        if (!isHostOrIpv4(tunnel.serverAddr))
            c.fail("frpServerAddr", `the relay's frps address, an IPv4 address or host name (tunnelEnabled is true), got ${describe(tunnel.serverAddr)}`);
        else if (undiallableHost(tunnel.serverAddr, true))
            c.fail(
                "frpServerAddr",
                `the relay's frps address frpc can dial, not ${undiallableHost(tunnel.serverAddr, true)} (tunnelEnabled is true), got ${describe(tunnel.serverAddr)}`,
            );
        else {
            for (const [key, subnet] of [
                ["edgeSubnet", edgeSubnet],
                ["dataSubnet", dataSubnet],
            ] as const) {
                if (cidrContains(subnet, tunnel.serverAddr)) c.fail(key, `a subnet that does not contain the relay address ${tunnel.serverAddr}`);
            }
        }
        if (tunnel.sshRemotePort === 0 && features.gitlab)
            c.fail("sshRemotePort", "the relay port for this stack's GitLab SSH (tunnelEnabled and gitlabEnabled are true)");
        if (tunnel.sshRemotePort !== 0 && [...RELAY_OWN_PORTS, tunnel.serverPort].includes(tunnel.sshRemotePort)) {
            c.fail(
                "sshRemotePort",
                `a relay port the relay does not use itself (not 22, 80, 443 or frpServerPort ${tunnel.serverPort}), got ${tunnel.sshRemotePort}`,
            );
        }
        if (publish.http || publish.https || publish.ssh) {
            c.fail(
                "tunnelEnabled",
                "false when publishHttpPort/publishHttpsPort/publishSshPort are set (a stack is reached through the tunnel or through host ports, not both)",
            );
        }
    }
    for (const required of requiredSecretKeys(raw)) if (!hasOwn(raw, required.key)) c.fail(required.reportAt, required.message);
    for (const fullKey of SECRET_CONFIG_KEYS) {
        // Another provider's key (cloudflare:apiToken): its value is that provider's to read, but a
        // plaintext credential in the stack file is refused wherever it sits, whether DNS is on or not.
        if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) {
            if ((ctx.otherKeys ?? []).includes(fullKey) && isSecret(fullKey) === false)
                c.fail(fullKey, `to be stored as a secret (pulumi config set --secret ${fullKey} ...), not in plaintext`);
            continue;
        }
        const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
        if (!hasOwn(raw, key)) continue;
        const value = raw[key]!;
        if (isSecret(fullKey) === false) c.fail(key, `to be stored as a secret (pulumi config set --secret ${key} ...), not in plaintext`);
        // Checked here, where it is read: the renderers only see it inside an apply.
        else if (value.trim() === "" || /[\s\u0000-\u001f\u007f]/.test(value))
            c.fail(key, "a non-empty token without spaces or control characters (not shown)");
    }
    if (tls === "acme" && !tunnel.enabled && !publish.http) {
        c.fail("tls", "internal when neither the tunnel nor publishHttpPort lets ACME reach Caddy");
    }
    // With Caddy's internal CA only the SSO consumers are given its root (docs/single-sign-on.md, "Dev SSO"): the
    // runner's job containers clone from GitLab's public URL and would not trust it.
    if (tls === "internal" && features.gitlabRunner && features.gitlab) {
        c.fail("runnerEnabled", "false when tls is internal (job containers would not trust Caddy's internal CA), got true");
    }

    const gitlabTokenRotation = get("gitlabTokenRotation")!;
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(gitlabTokenRotation))
        c.fail("gitlabTokenRotation", `1-64 letters, digits, ".", "_" or "-", got ${describe(gitlabTokenRotation)}`);

    const images = readImages(c, raw.images);
    const backup = readBackupSettings(c, raw, environment, Object.keys(appsRaw));
    checkPostgresDataMajor(c, images.postgres, get("postgresDataMajor")!);

    const mattermostUrl = get("mattermostUrl")!;
    if (mattermostUrl !== "" && !isHttpsOrigin(mattermostUrl)) {
        c.fail("mattermostUrl", `"" or the https:// origin of the external Mattermost (no path), got ${describe(mattermostUrl)}`);
    } else if (mattermostUrl !== "" && !features.gitlab) {
        c.fail("mattermostUrl", `"" when gitlabEnabled is false (Mattermost logs in through GitLab), got ${describe(mattermostUrl)}`);
    } else if (mattermostUrl !== "" && tls === "internal") {
        c.fail(
            "mattermostUrl",
            `"" when tls is internal (an external Mattermost neither reaches nor trusts this stack's GitLab), got ${describe(mattermostUrl)}`,
        );
    }

    const apps: AppSettings[] = [];
    for (const [i, [key, value]] of Object.entries(appsRaw).entries()) {
        const app = readApp(c, key, i, value, { raw, isSecret: (k) => isSecret(`${CONFIG_NAMESPACE}:${k}`) });
        if (app) apps.push(app);
    }
    // Resource names derived from two app keys must differ, or the engine refuses the duplicate URN
    // mid-plan: the generated secrets are named from the key and the variable (generatedSecretName).
    const secretOwners = new Map<string, { key: string; env: string }>();
    for (const app of apps) {
        for (const env of app.generatedSecrets) {
            const name = generatedSecretName(app.key, env);
            const owner = secretOwners.get(name);
            if (owner && owner.key !== app.key)
                c.fail(
                    `apps.${app.key}.generatedSecrets`,
                    `secret names no other app's generated secret also gets (${app.key} + ${env} and ${owner.key} + ${owner.env} both name a secret "${name}"; rename one variable or app)`,
                );
            else secretOwners.set(name, { key: app.key, env });
        }
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
    const monitoring = readMonitoringSettings(
        c,
        raw,
        environment,
        features.monitoring,
        routes.http.map((r) => r.name),
    );

    const adoption = readAdoptionImports(c, readJsonObject(c, "adoptImports", raw.adoptImports), {
        outline: features.outline && features.gitlab,
        dns: dns.enabled,
        // The names of components/edge/dns.ts dnsRecordsFor: every HTTP route and the TCP one.
        dnsServices: [...routes.http, ...routes.tcp].map((r) => r.name),
        gitlab: features.gitlab,
        portainer: features.portainer,
    });

    // --- GitLab content: groups, products, the ops bot's hook
    const groups = readGitlabGroups(c, readJsonObject(c, "gitlabGroups", raw.gitlabGroups));
    const products: ProductSettings[] = [];
    const productCtx = {
        groups: new Set(groups.map((g) => g.path)),
        appKeys: new Set(Object.keys(appsRaw)),
        isSecret: (k: string) => isSecret(`${CONFIG_NAMESPACE}:${k}`),
        raw,
        platformKeys: knownKeys,
    };
    for (const [i, [key, value]] of Object.entries(productsRaw).entries()) {
        const product = readProduct(c, key, i, value, productCtx);
        if (product) products.push(product);
    }
    checkProducts(c, products);
    for (const p of products) {
        if (environment === "prod" && p.visibility === "public" && !p.allowPublic)
            c.fail(
                `products.${p.key}.visibility`,
                "private or internal in prod, or allowPublic: true beside it (a public project shows its code to the internet)",
            );
    }
    products.sort((a, b) => a.key.localeCompare(b.key));
    if ((groups.length > 0 || products.length > 0) && !features.gitlab)
        c.fail("products", "no GitLab groups or products when gitlabEnabled is false (they live in this stack's GitLab)");
    const hookUrl = get("gitlabHookUrl")!;
    if (hookUrl !== "" && !/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~\/-]*)?$/.test(hookUrl))
        c.fail("gitlabHookUrl", `"" or the ops bot's https:// webhook URL (no query: the token travels in X-Gitlab-Token), got ${describe(hookUrl)}`);
    // Apps whose image is their product project's: resolved against the registry's route.
    const registryHost = features.registry ? routes.http.find((r) => r.name === "registry")?.hostname : undefined;
    const resolvedApps = apps.map((app) => {
        if (!app.image.startsWith(PROJECT_IMAGE_PREFIX)) return app;
        const product = products.find((p) => p.app === app.key);
        if (!product) {
            c.fail(
                `apps.${app.key}.image`,
                `a product that claims this app (products.<name>.app: ${app.key}) for ${PROJECT_IMAGE_PREFIX}<tag>, or a full image reference`,
            );
            return app;
        }
        if (!registryHost) {
            c.fail(
                `apps.${app.key}.image`,
                `a full image reference when registryEnabled is false (${PROJECT_IMAGE_PREFIX}<tag> pulls from this stack's GitLab registry)`,
            );
            return app;
        }
        const tag = app.image.slice(PROJECT_IMAGE_PREFIX.length);
        return { ...app, image: `${registryHost}/${product.group}/${product.path}:${tag}`, registry: { product: product.key, address: registryHost } };
    });

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
        apps: resolvedApps,
        gitlabContent: { groups, products, hookUrl },
        secretKeysSet: Object.keys(secretValues).sort(),
        backup,
        monitoring,
        reviews,
        routes,
        adoption,
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
    for (const { message: problem, at } of routeTableProblems(table)) {
        let key: string;
        if (at.kind === "http") {
            const service = table.http[at.index]?.name ?? "";
            key = appKeys.has(service) ? `apps.${service}.subdomain` : "hostnamePattern";
        } else if (at.kind === "tcp") {
            key = at.field === "remotePort" ? sshKey : "hostnamePattern";
        } else {
            key = at.field === "httpsPort" ? "publishHttpsPort" : at.field === "httpPort" ? "publishHttpPort" : "(stack name)";
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
    const productSecrets = nullProtoMap<pulumi.Output<string>>([]);
    for (const product of settings.gitlabContent.products) {
        for (const v of product.variables) if (v.secret !== undefined) productSecrets[v.secret] = pulumi.secret(secretValues[v.secret]!);
    }
    const hookToken = settings.gitlabContent.hookUrl !== "" && settings.gitlabContent.products.length > 0 ? secretValues.gitlabHookToken : undefined;
    return {
        ...settings,
        secrets: {
            productSecrets,
            gitlabHookToken: hookToken === undefined ? undefined : pulumi.secret(hookToken),
            frpToken: secretValues.frpToken === undefined ? undefined : pulumi.secret(secretValues.frpToken),
            gitlabApiToken: secretValues.gitlabApiToken === undefined ? undefined : pulumi.secret(secretValues.gitlabApiToken),
            appSecrets,
            backup: backupSecretsOf(settings.backup, secretValues),
            alertWebhook: settings.monitoring.enabled && secretValues.alertWebhook !== undefined ? pulumi.secret(secretValues.alertWebhook) : undefined,
            uptimeKumaPassword:
                settings.monitoring.enabled && settings.monitoring.uptimeKumaUser !== "" && secretValues.uptimeKumaPassword !== undefined
                    ? pulumi.secret(secretValues.uptimeKumaPassword)
                    : undefined,
            adoptOutlineClientSecret:
                settings.adoption.outlineOAuthApplication !== undefined && secretValues.adoptOutlineClientSecret !== undefined
                    ? pulumi.secret(secretValues.adoptOutlineClientSecret)
                    : undefined,
        },
    };
}
