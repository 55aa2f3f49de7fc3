import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSettings } from "../../components/config";
import { renderKumaMonitors, HEALTHY_KEYWORD } from "../../components/monitoring/kuma";
import { monitorList } from "../../components/monitoring/monitors";
import { renderProbeTargets } from "../../components/monitoring/render";
import { prodTable } from "../edge/fixtures";
import { prodMonitorInputs } from "./fixtures";

const inputs = prodMonitorInputs;

describe("the monitor list", () => {
    it("probes every public hostname through Caddy over TLS with its health path, every store on its own address, every backup, every certificate and the disk", () => {
        const list = monitorList(inputs());
        const byId = Object.fromEntries(list.map((m) => [m.id, m]));
        expect(list.map((m) => m.id)).toEqual([
            ...prodTable.http.map((r) => `http-${r.name}`),
            "datastore-postgres",
            "datastore-redis",
            "backup-postgres",
            "backup-gitlab",
            ...prodTable.http.map((r) => `certificate-${r.name}`),
            "disk-docker",
        ]);
        // Through Caddy's own address and HTTPS port, the public name as Host header and TLS server name.
        expect(byId["http-pyerp"]!.probe).toEqual({
            module: "http_2xx",
            target: "https://nexora-prod-caddy:443/api/health",
            hostname: "pyerp.nexora.restry.cn",
        });
        expect(byId["http-pyerp"]!.container).toBe("nexora-prod-pyerp");
        expect(byId["http-gitlab"]!.probe!.target).toBe("https://nexora-prod-caddy:443/users/sign_in");
        // A restricted admin UI answers 401 without the edge credential.
        expect(byId["http-portainer"]!.probe!.module).toBe("http_401");
        expect(byId["datastore-redis"]!.probe).toEqual({ module: "redis_ping", target: "nexora-prod-redis:6379" });
        expect(byId["datastore-postgres"]!.probe).toEqual({ module: "tcp_connect", target: "nexora-prod-postgres:5432" });
        expect(byId["backup-gitlab"]!.expr).toContain('store="gitlab"');
    });

    it("watches certificates only when they are public (Caddy's internal ones live hours)", () => {
        expect(monitorList(inputs({ tls: "internal" })).some((m) => m.kind === "certificate")).toBe(false);
    });

    it("takes a route's health path from an override, and drops a route whose monitor is disabled", () => {
        const list = monitorList(inputs({ overrides: { pyerp: { healthPath: "/ready" }, www: { enabled: false } } }));
        expect(list.find((m) => m.id === "http-pyerp")!.probe!.target).toBe("https://nexora-prod-caddy:443/ready");
        expect(list.some((m) => m.id === "http-www" || m.id === "certificate-www")).toBe(false);
    });

    it("follows the app entries of a real config: adding an app adds its monitors, removing it removes them", () => {
        const base = { environment: "prod", edgeSubnet: "172.30.10.0/24", dataSubnet: "172.30.11.0/24", tls: "internal" };
        const app = (port: number) => ({ image: "registry.example.cn/a/b:1.0.0", port, healthPath: "/healthz" });
        const list = (apps: Record<string, unknown>) => {
            const { settings } = parseSettings({ ...base, apps: JSON.stringify(apps) }, { project: "nexora", stack: "prod" });
            return monitorList(
                inputs({ routes: settings.routes, appHealthPaths: Object.fromEntries(settings.apps.map((a) => [a.key, a.healthPath])), tls: "internal" }),
            ).map((m) => m.id);
        };
        const one = list({ shop: app(8000) });
        const two = list({ shop: app(8000), ledger: app(8001) });
        expect(two.filter((id) => !one.includes(id))).toEqual(["http-ledger"]);
        expect(one.filter((id) => !two.includes(id))).toEqual([]);
        expect(list({})).not.toContain("http-shop");
    });

    it("has unique plain ids, at least one monitor per route, and probes targets only through Caddy for any route table", () => {
        const route = fc.record({
            name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/),
            restricted: fc.boolean(),
        });
        fc.assert(
            fc.property(
                fc.uniqueArray(route, { selector: (r) => r.name, maxLength: 12 }),
                fc.constantFrom("acme" as const, "internal" as const),
                (routes, tls) => {
                    const table = {
                        ...prodTable,
                        http: routes.map((r) => ({
                            name: r.name,
                            hostname: `${r.name}.example.cn`,
                            upstream: { host: `nexora-prod-${r.name}`, port: 80 },
                            securityHeaders: true,
                            restricted: r.restricted,
                            proxied: false,
                        })),
                    };
                    const list = monitorList(inputs({ routes: table, tls, appHealthPaths: {} }));
                    const ids = list.map((m) => m.id);
                    expect(new Set(ids).size).toBe(ids.length);
                    for (const id of ids) expect(id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
                    expect(list.filter((m) => m.kind === "http")).toHaveLength(routes.length);
                    for (const m of list.filter((x) => x.kind === "http")) expect(m.probe!.target.startsWith("https://nexora-prod-caddy:443/")).toBe(true);
                    // Every probe target reaches Prometheus with what the alert message names.
                    const targets = JSON.parse(renderProbeTargets(list)) as { labels: Record<string, string> }[];
                    expect(targets).toHaveLength(list.filter((m) => m.probe).length);
                    for (const t of targets) expect(t.labels.subject && t.labels.summary && t.labels.monitor).toBeTruthy();
                },
            ),
        );
    });
});

describe("Uptime Kuma's monitors (AutoKuma static files)", () => {
    it("are one file per monitor: HTTP ones on the public URL, the rest keyword checks of Prometheus' query API", () => {
        const list = monitorList(inputs());
        const files = renderKumaMonitors(list, { routes: prodTable, prometheusUrl: "http://nexora-prod-prometheus:9090", intervalSeconds: 60 });
        expect(files.map((f) => f.file)).toEqual(list.map((m) => `${m.id}.json`));
        const byFile = Object.fromEntries(files.map((f) => [f.file, JSON.parse(f.content) as Record<string, unknown>]));
        expect(byFile["http-pyerp.json"]).toEqual({
            name: "prod: pyerp.nexora.restry.cn (http)",
            type: "http",
            url: "https://pyerp.nexora.restry.cn/api/health",
            accepted_statuscodes: ["200-299"],
            expiry_notification: true,
            max_redirects: 0,
            interval: 60,
            max_retries: 1,
            description: expect.stringContaining("pyerp.nexora.restry.cn"),
        });
        expect(byFile["http-portainer.json"]!.accepted_statuscodes).toEqual(["401"]);
        const pg = byFile["datastore-postgres.json"]!;
        expect(pg.type).toBe("keyword");
        expect(pg.keyword).toBe(HEALTHY_KEYWORD);
        expect(decodeURIComponent(new URL(pg.url as string).searchParams.get("query")!)).toBe('probe_success{monitor="datastore-postgres"} == 0');
    });
});
