import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseToml } from "smol-toml";
import { services, type ServiceKey, type ServiceSpec } from "../../components/catalog";
import { buildRouteTable } from "../../components/edge/routes";
import { evaluateStack, type PlanResult } from "../../tools/plan/evaluate";
import { ROOT, settingsOf } from "../support/stacks";

/**
 * The catalog is the one home of each service's Docker name and ports: an edit there, and only
 * there, must reach the route table, the component's container and health check, the Caddyfile
 * and frpc.toml. The catalog is edited in place (and restored), the way a developer would.
 */
const editable = services as unknown as Record<ServiceKey, { container: string; ports: Record<string, number | undefined> }>;
const saved = structuredClone(services) as Record<ServiceKey, ServiceSpec>;

afterEach(() => {
    for (const key of Object.keys(saved) as ServiceKey[]) {
        editable[key].container = saved[key].container;
        editable[key].ports = { ...saved[key].ports };
    }
});

function container(plan: PlanResult, name: string) {
    const found = plan.resources.find((r) => r.type === "docker:index/container:Container" && r.name === name);
    if (!found) throw new Error(`no container resource ${name}`);
    return found.plainInputs as { name: string; envs?: string[]; healthcheck: { tests: string[] }; ports?: { internal: number; external: number }[] };
}

type FrpcProxy = { type: string; localIP: string; localPort: number; customDomains?: string[] };

describe("the service catalog", () => {
    it("is followed everywhere when a service's port and container name change there", async () => {
        editable.outline.ports.http = 3100;
        editable.outline.container = "wiki";
        editable.portainer.ports.http = 9100;

        const table = buildRouteTable(settingsOf("staging"));
        expect(table.http.find((r) => r.name === "outline")?.upstream).toEqual({ host: "nexora-staging-wiki", port: 3100 });

        const plan = await evaluateStack({ stack: "staging" });
        const outline = container(plan, "outline-container");
        expect(outline.name).toBe("nexora-staging-wiki");
        expect(outline.envs).toContain("PORT=3100");
        expect(outline.healthcheck.tests.join(" ")).toContain("http://127.0.0.1:3100/_health");
        expect(plan.resources.some((r) => r.type === "docker:index/volume:Volume" && r.plainInputs.name === "nexora-staging-wiki-data")).toBe(true);
        expect(plan.artifacts.Caddyfile).toContain("reverse_proxy nexora-staging-wiki:3100\n");
        expect(plan.artifacts.Caddyfile).not.toContain("nexora-staging-outline");

        // Portainer: its health check, the route, and the SSO helper that calls its API on loopback.
        expect(container(plan, "portainer-container").healthcheck.tests.join(" ")).toContain("http://127.0.0.1:9100/api/system/status");
        expect(plan.artifacts.Caddyfile).toContain("reverse_proxy nexora-staging-portainer:9100\n");
        const oauth = plan.resources.find((r) => r.type === "command:local:Command" && r.name.endsWith("portainer-oauth-apply"));
        expect((oauth?.plainInputs.environment as Record<string, string> | undefined)?.PORTAINER_API).toBe("http://127.0.0.1:9100/api");
    });

    it("moves the port each service listens on, not only the callers: Portainer, Grafana, Uptime Kuma and the portal", async () => {
        editable.portainer.ports.http = 9100;
        editable.grafana.ports.http = 3300;
        editable.uptimeKuma.ports.http = 3101;
        editable.portal.ports.http = 8081;

        const plan = await evaluateStack({ stack: "staging" });
        // Portainer's command is secret (it carries the admin hash): plainInputs holds it unmasked.
        const portainer = plan.resources.find((r) => r.type === "docker:index/container:Container" && r.name === "portainer-container");
        expect((portainer?.plainInputs.command as string[]).slice(0, 3)).toEqual(["--http-enabled", "--bind", ":9100"]);
        expect(container(plan, "grafana-container").envs).toContain("GF_SERVER_HTTP_PORT=3300");
        expect(container(plan, "grafana-container").healthcheck.tests.join(" ")).toContain("http://127.0.0.1:3300/api/health");
        expect(container(plan, "uptime-container").envs).toContain("UPTIME_KUMA_PORT=3101");
        const portal = plan.resources.find((r) => r.type === "docker:index/container:Container" && r.name === "portal-container");
        const uploads = portal?.plainInputs.uploads as { file: string; content: string }[];
        expect(uploads.find((u) => u.file === "/etc/nginx/conf.d/default.conf")?.content).toMatch(/^\s*listen 8081 default_server;$/m);
        expect(container(plan, "portal-container").healthcheck.tests.join(" ")).toContain("http://127.0.0.1:8081/");
        for (const upstream of ["nexora-staging-portainer:9100", "nexora-staging-grafana:3300", "nexora-staging-uptime:3101"])
            expect(plan.artifacts.Caddyfile).toContain(`reverse_proxy ${upstream}\n`);
        // The portal is released: its route imports the upstream its release switch writes.
        expect(plan.artifacts.Caddyfile).toContain("import /etc/caddy/upstreams/portal/*.caddy\n");
        const portalSwitch = plan.resources.find((r) => r.type === "command:local:Command" && r.name === "portal-switch");
        expect(portalSwitch?.plainInputs.stdin).toMatch(/^reverse_proxy nexora-staging-portal-[0-9a-f]{8}:8081\n$/);
    });

    it("moves Caddy's ports, its health check, the Caddyfile and frpc.toml together", async () => {
        editable.caddy.ports = { http: 8080, https: 8443, admin: 2020 };
        editable.gitlab.ports = { ...saved.gitlab.ports, ssh: 2022 };

        const plan = await evaluateStack({ stack: "staging" });
        const caddy = container(plan, "caddy-container");
        expect(caddy.healthcheck.tests.join(" ")).toContain("http://127.0.0.1:2020/config/");
        expect(plan.artifacts.Caddyfile).toMatch(/^\tadmin localhost:2020\n\thttp_port 8080\n\thttps_port 8443\n/m);

        const { proxies } = parseToml(plan.artifacts["frpc.toml"]!) as { proxies: FrpcProxy[] };
        const web = proxies.filter((p) => p.type !== "tcp");
        expect(web.length).toBeGreaterThan(0);
        for (const p of web)
            expect({ localIP: p.localIP, localPort: p.localPort }).toEqual({ localIP: "nexora-staging-caddy", localPort: p.type === "http" ? 8080 : 8443 });
        expect(proxies.filter((p) => p.type === "tcp").map((p) => [p.localIP, p.localPort])).toEqual([["nexora-staging-gitlab", 2022]]);
    });

    it("publishes Caddy's catalog ports when a stack is reached on host ports without choosing them", async () => {
        editable.caddy.ports = { http: 8080, https: 8443, admin: 2019 };
        const dev = settingsOf("dev");
        const table = buildRouteTable({ ...dev, publish: { ...dev.publish, http: 0, https: 0 } });
        expect([table.httpPort, table.httpsPort]).toEqual([8080, 8443]);
        // dev publishes its own host ports: Caddy listens on those inside too, whatever the catalog says.
        expect([buildRouteTable(dev).httpPort, buildRouteTable(dev).httpsPort]).toEqual([18080, 18443]);
    });
});

describe("the components", () => {
    const files = (readdirSync(path.join(ROOT, "components"), { recursive: true }) as string[])
        .filter((f) => f.endsWith(".ts") && f !== "catalog.ts")
        .map((f) => ({ file: f, code: readFileSync(path.join(ROOT, "components", f), "utf8").replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, "") }));

    it("do not spell a Docker name that differs from its service key: the catalog's container field carries it", () => {
        const renamed = Object.values(services).filter((s) => s.container !== s.key);
        expect(renamed.map((s) => s.key)).toEqual(["uptimeKuma", "gitlabRunner"]);
        // Exempt: the names of the stores inside existing backup repositories, a deployed fact of their own.
        for (const { file, code } of files.filter((f) => f.file !== path.join("backup", "manifest.ts"))) {
            for (const s of renamed) expect({ file, spells: code.includes(`"${s.container}"`) }).toEqual({ file, spells: false });
        }
    });

    it("call no service on a loopback port of their own: health checks and API helpers take it from the catalog", () => {
        for (const { file, code } of files) expect({ file, found: code.match(/(127\.0\.0\.1|localhost):\d+/g) }).toEqual({ file, found: null });
    });
});
