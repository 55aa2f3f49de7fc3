import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings, requiredSecretKeys, toPlatformConfig } from "../../components/config";
import { isSecretOutput, outputOf, setupMocks } from "../support/mocks";

const APPS = JSON.stringify({ shop: { image: "registry.example.cn/shop:1.0.0", port: 8000, healthPath: "/healthz" } });

function raw(environment: string, overrides: Record<string, string> = {}): Record<string, string> {
    return { environment, edgeSubnet: "172.30.30.0/24", dataSubnet: "172.30.31.0/24", tls: "internal", apps: APPS, ...overrides };
}

/** Every key set here is stored as a secret by the engine, as `pulumi config set --secret` would. */
function parse(environment: string, overrides: Record<string, string> = {}) {
    return parseSettings(raw(environment, overrides), { project: "nexora", stack: environment, isSecret: () => true });
}

function issuesOf(environment: string, overrides: Record<string, string>, isSecret = true): { key: string; expected: string }[] {
    try {
        parseSettings(raw(environment, overrides), { project: "nexora", stack: environment, isSecret: () => isSecret });
    } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return [...(err as ConfigError).issues];
    }
    return [];
}

const ON = { monitoringEnabled: "true", alertWebhook: "https://mm.cn.restry.cn/hooks/abc123" };

describe("monitoring config", () => {
    it("is off by default, with safe defaults for every threshold and the healer's bounds", () => {
        const m = parse("prod").settings.monitoring;
        expect(m).toEqual({
            enabled: false,
            scrapeSeconds: 30,
            alertAfterSeconds: 120,
            groupWaitSeconds: 30,
            repeatHours: 24,
            webhookFormat: "slack",
            diskFreePercent: 10,
            certificateDays: 14,
            healMaxRestarts: 3,
            healWindowMinutes: 60,
            healIntervalSeconds: 15,
            uptimeKumaUser: "",
            overrides: {},
            appHealth: { intervalSeconds: 30, retries: 5, startSeconds: 60 },
        });
    });

    it("needs the webhook as a secret when on, and hands it to components only as a secret Output", async () => {
        expect(issuesOf("prod", { monitoringEnabled: "true" })).toEqual([
            { key: "nexora:alertWebhook", expected: expect.stringContaining("--secret alertWebhook") },
        ]);
        expect(requiredSecretKeys({ monitoringEnabled: "true" }).map((r) => r.key)).toEqual(["alertWebhook"]);
        expect(issuesOf("prod", ON, false)).toEqual([{ key: "nexora:alertWebhook", expected: expect.stringContaining("stored as a secret") }]);
        setupMocks({ stack: "prod" });
        const { settings, secretValues } = parse("prod", ON);
        const config = toPlatformConfig(settings, secretValues);
        expect(await isSecretOutput(config.secrets.alertWebhook!)).toBe(true);
        expect(await outputOf(config.secrets.alertWebhook!)).toBe(ON.alertWebhook);
        expect(JSON.stringify(settings)).not.toContain("abc123");
    });

    it("refuses a webhook that is not https outside dev, without showing it; dev may use http", () => {
        for (const env of ["staging", "prod"]) {
            const issues = issuesOf(env, { ...ON, alertWebhook: "http://mm.cn.restry.cn/hooks/leak999" });
            expect(issues).toEqual([{ key: "nexora:alertWebhook", expected: expect.stringContaining("https://") }]);
            expect(JSON.stringify(issues)).not.toContain("leak999");
        }
        expect(issuesOf("dev", { ...ON, alertWebhook: "http://10.204.40.1:9999/hook" })).toEqual([]);
        expect(issuesOf("dev", { ...ON, alertWebhook: "ftp://x/y" })).toEqual([{ key: "nexora:alertWebhook", expected: expect.stringContaining("https://") }]);
        const hostile = issuesOf("prod", { ...ON, alertWebhook: 'https://x/y"; rm' });
        expect(hostile.map((i) => i.key)).toEqual(["nexora:alertWebhook", "nexora:alertWebhook"]);
        expect(hostile.map((i) => i.expected).join(" ")).toContain("without spaces or quotes");
    });

    it.each([
        ["monitoringScrapeSeconds", "4", "5-300"],
        ["monitoringScrapeSeconds", "301", "5-300"],
        ["alertAfterSeconds", "3601", "0-3600"],
        ["alertAfterSeconds", "10", "at least monitoringScrapeSeconds"],
        ["alertGroupWaitSeconds", "601", "0-600"],
        ["alertRepeatHours", "0", "1-168"],
        ["alertDiskFreePercent", "0", "1-50"],
        ["alertDiskFreePercent", "51", "1-50"],
        ["alertCertificateDays", "61", "1-60"],
        ["healMaxRestarts", "21", "0-20"],
        ["healMaxRestarts", "two", "0-20"],
        ["healWindowMinutes", "0", "1-1440"],
        ["healIntervalSeconds", "4", "5-600"],
        ["alertWebhookFormat", "teams", "slack, generic"],
        ["uptimeKumaUser", "a b", "Uptime Kuma login"],
        ["appHealthIntervalSeconds", "1", "2-300"],
        ["appHealthRetries", "0", "1-20"],
        ["appHealthStartSeconds", "901", "0-900"],
    ])("refuses %s = %s, naming the key and the range", (key, value, expected) => {
        // (A login also asks for its password: only the key under test is looked at.)
        const issues = issuesOf("prod", { ...ON, [key]: value }).filter((i) => i.key !== "nexora:uptimeKumaPassword");
        expect(issues).toEqual([{ key: `nexora:${key}`, expected: expect.stringContaining(expected) }]);
    });

    it("takes per-route overrides by route name, and refuses an unknown route, field or path", () => {
        const m = parse("prod", { ...ON, monitorOverrides: JSON.stringify({ shop: { healthPath: "/ready" }, outline: { enabled: false } }) }).settings
            .monitoring;
        expect(m.overrides).toEqual({ shop: { healthPath: "/ready" }, outline: { enabled: false } });
        const issues = issuesOf("prod", {
            ...ON,
            monitorOverrides: JSON.stringify({ nosuch: { enabled: false }, shop: { healthPath: "ready", interval: 5 }, portal: { enabled: "no" } }),
        });
        expect(issues.map((i) => i.key).sort()).toEqual(
            [
                "nexora:monitorOverrides.nosuch",
                "nexora:monitorOverrides.portal.enabled",
                "nexora:monitorOverrides.shop.healthPath",
                "nexora:monitorOverrides.shop.interval",
            ].sort(),
        );
        expect(issues.find((i) => i.key === "nexora:monitorOverrides.nosuch")!.expected).toContain("shop");
    });

    it("asks for the Uptime Kuma password only when AutoKuma has a login to use", () => {
        expect(issuesOf("prod", { ...ON, uptimeKumaUser: "ops" })).toEqual([
            { key: "nexora:uptimeKumaPassword", expected: expect.stringContaining("--secret uptimeKumaPassword") },
        ]);
        expect(issuesOf("prod", { ...ON, uptimeKumaUser: "ops", uptimeKumaPassword: "s3cret-kuma-pass" })).toEqual([]);
    });
});
