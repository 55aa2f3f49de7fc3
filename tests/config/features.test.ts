import { describe, expect, it } from "vitest";
import { webRoutes } from "../../components/catalog";
import { ConfigError, featureKeys, parseSettings, type PlatformFeatures } from "../../components/config";
import { buildRouteTable } from "../../components/edge/routes";

/** A lean dev-like raw config: no tunnel, no DNS. */
function raw(overrides: Record<string, string> = {}): Record<string, string> {
    return {
        environment: "dev",
        edgeSubnet: "172.30.30.0/24",
        dataSubnet: "172.30.31.0/24",
        apps: JSON.stringify({ shop: { image: "registry.example.cn/shop:1.0.0", port: 80, database: true } }),
        ...overrides,
    };
}

function issuesOf(values: Record<string, string>): { key: string; expected: string }[] {
    try {
        parseSettings(values, { project: "nexora", stack: "dev" });
    } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return [...(err as ConfigError).issues];
    }
    return [];
}

describe("feature switches", () => {
    it("run every platform service by default except the roadmap ones", () => {
        const { settings } = parseSettings(raw(), { project: "nexora", stack: "dev" });
        expect(settings.features).toEqual({
            gitlab: true,
            outline: true,
            uptimeKuma: true,
            portainer: true,
            portal: true,
            grafana: false,
            gitlabRunner: false,
            registry: false,
            monitoring: false,
        } satisfies PlatformFeatures);
    });

    it("turn each service's route off with the service", () => {
        for (const [feature, key] of Object.entries(featureKeys())) {
            if (feature === "gitlab") continue;
            const base = feature === "grafana" || feature === "registry" ? { [key]: "true" } : {};
            const on = parseSettings(raw(base), { project: "nexora", stack: "dev" }).settings;
            const off = parseSettings(raw({ [key]: "false" }), { project: "nexora", stack: "dev" }).settings;
            const serviceKeys = webRoutes.filter((s) => s.enabled({ ...on.features, [feature]: false }) !== s.enabled(on.features)).map((s) => s.name);
            const onRoutes = buildRouteTable(on).http.map((r) => r.name);
            const offRoutes = buildRouteTable(off).http.map((r) => r.name);
            for (const service of serviceKeys) {
                expect({ feature, on: onRoutes.includes(service) }).toEqual({ feature, on: true });
                expect({ feature, off: offRoutes.includes(service) }).toEqual({ feature, off: false });
            }
        }
    });

    it("refuse anything that needs GitLab when GitLab is off, naming each key", () => {
        const issues = issuesOf(
            raw({
                gitlabEnabled: "false",
                grafanaEnabled: "true",
                runnerEnabled: "true",
                registryEnabled: "true",
                mattermostUrl: "https://mm.cn.restry.cn",
                apps: JSON.stringify({ shop: { image: "registry.example.cn/shop:1.0.0", port: 80, sso: true } }),
            }),
        );
        expect(issues.map((i) => i.key).sort()).toEqual(
            [
                "nexora:apps.shop.sso",
                "nexora:grafanaEnabled",
                "nexora:mattermostUrl",
                "nexora:outlineEnabled",
                "nexora:registryEnabled",
                "nexora:runnerEnabled",
            ].sort(),
        );
        for (const issue of issues) expect(issue.expected).toMatch(/gitlabEnabled is false/);
    });

    it("accept a lean stack without GitLab: no GitLab or SSH route, no relay SSH port needed", () => {
        const { settings } = parseSettings(
            raw({
                gitlabEnabled: "false",
                outlineEnabled: "false",
                portainerEnabled: "false",
                uptimeKumaEnabled: "false",
                tunnelEnabled: "true",
                frpServerAddr: "relay.restry.cn",
                frpToken: "a-strong-relay-token-value-123456",
            }),
            { project: "nexora", stack: "dev" },
        );
        const table = buildRouteTable(settings);
        expect(table.http.map((r) => r.name).sort()).toEqual(["portal", "shop"]);
        expect(table.tcp).toEqual([]);
    });

    it("report a switch that is not a boolean under its own key", () => {
        expect(issuesOf(raw({ portalEnabled: "maybe" }))).toEqual([{ key: "nexora:portalEnabled", expected: 'true or false, got "maybe"' }]);
    });
});
