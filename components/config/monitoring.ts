// Monitoring settings: probe and alert intervals, thresholds, the healer's bounds, per-route overrides, the webhook's form.
import type { MonitorOverride } from "../monitoring/monitors";
import { hasOwn, isUrlPathWithQuery, nullProtoMap, ownEntries } from "../validators";
import { Checker, describe, keyPart, readEnum, readJsonObject } from "./checker";
import { SCALAR_DEFAULTS, type ScalarKey } from "./keys";
import { type Environment } from "./types";

export interface MonitoringSettings {
    /** Prometheus, the blackbox exporter, Alertmanager, node-exporter and the healer (`monitoringEnabled`). */
    readonly enabled: boolean;
    /** Seconds between probes and rule evaluations. @default 30 */
    readonly scrapeSeconds: number;
    /** Seconds a probe must fail before its alert fires. @default 120 */
    readonly alertAfterSeconds: number;
    /** Seconds Alertmanager waits to group a new outage's first message. @default 30 */
    readonly groupWaitSeconds: number;
    /** Hours before an unresolved outage is announced again. @default 24 */
    readonly repeatHours: number;
    /** @default "slack" (Mattermost incoming webhooks take Slack's payload) */
    readonly webhookFormat: "slack" | "generic";
    /** @default 10 */
    readonly diskFreePercent: number;
    /** @default 14 */
    readonly certificateDays: number;
    /** Restarts per container within the window before the healer gives up; 0 only reports. @default 3 */
    readonly healMaxRestarts: number;
    /** @default 60 */
    readonly healWindowMinutes: number;
    /** @default 15 */
    readonly healIntervalSeconds: number;
    /** Uptime Kuma login AutoKuma uses; "" runs no AutoKuma. @default "" */
    readonly uptimeKumaUser: string;
    /** By route name (the `urls` output key). */
    readonly overrides: Readonly<Record<string, MonitorOverride>>;
    /** Docker's health check of every business app: when it turns unhealthy (which the healer acts on). */
    readonly appHealth: { readonly intervalSeconds: number; readonly retries: number; readonly startSeconds: number };
}

function readInt(c: Checker, key: ScalarKey, raw: string | undefined, min: number, max: number, unit: string): number {
    const value = raw ?? SCALAR_DEFAULTS[key]!;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) {
        c.fail(key, `a whole number of ${unit} ${min}-${max}, got ${describe(value)}`);
        return Number(SCALAR_DEFAULTS[key]);
    }
    return n;
}

/**
 * Reads the monitoring keys. `routeNames` are the routes the stack has: an override for any other
 * name is refused (a typo would silently leave the real route with its default).
 */
export function readMonitoringSettings(
    c: Checker,
    raw: Readonly<Record<string, string>>,
    environment: Environment,
    enabled: boolean,
    routeNames: readonly string[],
): MonitoringSettings {
    const get = (key: ScalarKey): string | undefined => (hasOwn(raw, key) ? raw[key] : undefined);
    const scrapeSeconds = readInt(c, "monitoringScrapeSeconds", get("monitoringScrapeSeconds"), 5, 300, "seconds");
    const alertAfterSeconds = readInt(c, "alertAfterSeconds", get("alertAfterSeconds"), 0, 3600, "seconds");
    const groupWaitSeconds = readInt(c, "alertGroupWaitSeconds", get("alertGroupWaitSeconds"), 0, 600, "seconds");
    const repeatHours = readInt(c, "alertRepeatHours", get("alertRepeatHours"), 1, 168, "hours");
    const webhookFormat = readEnum(c, "alertWebhookFormat", get("alertWebhookFormat") ?? SCALAR_DEFAULTS.alertWebhookFormat, ["slack", "generic"] as const);
    const diskFreePercent = readInt(c, "alertDiskFreePercent", get("alertDiskFreePercent"), 1, 50, "percent");
    const certificateDays = readInt(c, "alertCertificateDays", get("alertCertificateDays"), 1, 60, "days");
    const healMaxRestarts = readInt(c, "healMaxRestarts", get("healMaxRestarts"), 0, 20, "restarts");
    const healWindowMinutes = readInt(c, "healWindowMinutes", get("healWindowMinutes"), 1, 1440, "minutes");
    const healIntervalSeconds = readInt(c, "healIntervalSeconds", get("healIntervalSeconds"), 5, 600, "seconds");
    if (alertAfterSeconds > 0 && alertAfterSeconds < scrapeSeconds) {
        c.fail("alertAfterSeconds", `0 or at least monitoringScrapeSeconds (${scrapeSeconds}): a shorter wait is one probe anyway, got ${alertAfterSeconds}`);
    }
    const appHealth = {
        intervalSeconds: readInt(c, "appHealthIntervalSeconds", get("appHealthIntervalSeconds"), 2, 300, "seconds"),
        retries: readInt(c, "appHealthRetries", get("appHealthRetries"), 1, 20, "failed checks"),
        startSeconds: readInt(c, "appHealthStartSeconds", get("appHealthStartSeconds"), 0, 900, "seconds"),
    };
    const uptimeKumaUser = get("uptimeKumaUser") ?? "";
    if (uptimeKumaUser !== "" && !/^[A-Za-z0-9._@-]{1,64}$/.test(uptimeKumaUser)) {
        c.fail("uptimeKumaUser", `"" or the Uptime Kuma login AutoKuma uses (letters, digits, . _ @ -), got ${describe(uptimeKumaUser)}`);
    }

    const webhook = raw.alertWebhook;
    if (webhook !== undefined) {
        // Only the form is checked, never echoed (an encrypted value the offline plan cannot read has a placeholder).
        const scheme = /^([a-z]+):\/\//.exec(webhook)?.[1];
        if (!/^[^\s"'\\]+$/.test(webhook)) c.fail("alertWebhook", "a URL without spaces or quotes (its value is not shown)");
        else if (scheme !== undefined && scheme !== "https" && !(environment === "dev" && scheme === "http")) {
            c.fail(
                "alertWebhook",
                `an https:// URL${environment === "dev" ? " (or http:// in dev)" : ` (environment is ${environment}: alerts carry hostnames and failures)`}; its value is not shown`,
            );
        }
    }

    const overrides = nullProtoMap<MonitorOverride>([]);
    const overridesRaw = readJsonObject(c, "monitorOverrides", raw.monitorOverrides);
    for (const [i, [name, value]] of Object.entries(overridesRaw).entries()) {
        const at = `monitorOverrides.${keyPart(name, i)}`;
        if (!routeNames.includes(name)) {
            c.fail(at, `the name of a route this stack has (${routeNames.join(", ") || "none"})`);
            continue;
        }
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
            c.fail(at, `a mapping {healthPath, enabled}, got ${describe(value)}`);
            continue;
        }
        const override: { healthPath?: string; enabled?: boolean } = {};
        for (const [field, v] of ownEntries(value)) {
            if (field === "healthPath") {
                if (typeof v !== "string" || !isUrlPathWithQuery(v)) c.fail(`${at}.healthPath`, `a URL path starting with "/", got ${describe(v)}`);
                else override.healthPath = v;
            } else if (field === "enabled") {
                if (typeof v !== "boolean") c.fail(`${at}.enabled`, `true or false, got ${describe(v)}`);
                else override.enabled = v;
            } else c.fail(`${at}.${keyPart(field, 0)}`, "one of healthPath, enabled");
        }
        overrides[name] = override;
    }
    return {
        enabled,
        scrapeSeconds,
        alertAfterSeconds,
        groupWaitSeconds,
        repeatHours,
        webhookFormat,
        diskFreePercent,
        certificateDays,
        healMaxRestarts,
        healWindowMinutes,
        healIntervalSeconds,
        uptimeKumaUser,
        overrides,
        appHealth,
    };
}
