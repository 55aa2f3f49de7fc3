import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseToml } from "smol-toml";
import { environments } from "../../components/config";
import { buildRouteTable } from "../../components/edge/routes";
import type { RouteTable } from "../../components/edge/types";
import type { PlanResult } from "../../tools/plan/evaluate";
import { adaptAndValidate } from "../support/caddy";
import { baseContainerName, settingsOf } from "../support/stacks";
import { stackPlan } from "../support/plans";

const plans: Record<string, PlanResult> = {};
const tables: Record<string, RouteTable> = {};
beforeAll(async () => {
    for (const stack of environments) {
        plans[stack] = await stackPlan(stack);
        tables[stack] = buildRouteTable(settingsOf(stack));
    }
});

const DNS = "cloudflare:index/dnsRecord:DnsRecord";
const webHostnames = (stack: string) => tables[stack]!.http.map((r) => r.hostname).sort();

describe.each(environments)("edge artifacts of %s", (stack) => {
    it("renders a Caddyfile the real caddy adapts and validates, with one site per web hostname", async () => {
        const caddyfile = plans[stack]!.artifacts.Caddyfile!;
        const result = await adaptAndValidate(caddyfile);
        expect(result.exitCode, result.stderr).toBe(0);
        const sites = [...caddyfile.matchAll(/^(\S+) \{$/gm)].map((m) => m[1]!).sort();
        expect(sites).toEqual(webHostnames(stack));
    });

    it("creates one DNS record per public hostname, or none when DNS is off", () => {
        const records = plans[stack]!.resources.filter((r) => r.type === DNS);
        if (stack === "dev") {
            expect(records).toEqual([]);
            return;
        }
        const expected = [...webHostnames(stack), ...tables[stack]!.tcp.map((t) => t.hostname)].sort();
        expect(records.map((r) => r.inputs.name).sort()).toEqual(expected);
        for (const r of records) expect(r.inputs).toMatchObject({ type: "A", content: "40.162.94.187", ttl: 1 });
        const ssh = records.find((r) => r.inputs.name === tables[stack]!.tcp[0]!.hostname)!;
        expect(ssh.inputs.proxied).toBe(false);
    });

    it("routes every hostname through frpc when the tunnel is on", () => {
        const toml = plans[stack]!.artifacts["frpc.toml"];
        if (stack === "dev") {
            expect(toml).toBeUndefined();
            return;
        }
        const config = parseToml(toml!) as {
            user: string;
            webServer: { addr: string; port: number };
            proxies: { type: string; customDomains?: string[]; remotePort?: number; localIP: string; localPort: number }[];
        };
        expect(config.user).toBe(`nexora-${stack}`);
        expect(config.webServer.addr).toBe("127.0.0.1");
        for (const type of ["http", "https"]) {
            const domains = config.proxies
                .filter((p) => p.type === type)
                .flatMap((p) => p.customDomains ?? [])
                .sort();
            expect(domains, type).toEqual(webHostnames(stack));
        }
        for (const p of config.proxies.filter((x) => x.type !== "tcp")) expect(p.localIP).toBe(`nexora-${stack}-caddy`);
        expect(config.proxies.filter((p) => p.type === "tcp")).toEqual([
            expect.objectContaining({ localIP: `nexora-${stack}-gitlab`, localPort: 22, remotePort: tables[stack]!.tcp[0]!.remotePort }),
        ]);
    });
});

describe.each(environments)("route upstreams of %s", (stack) => {
    // The route table names upstream containers itself; this ties those names to the containers
    // the components really create, so the two can never drift apart unnoticed.
    it("are containers of the stack on a network Caddy is on: the edge network, or the admin network for Uptime Kuma", () => {
        const containers = new Map(
            plans[stack]!.resources.filter((r) => r.type === "docker:index/container:Container").map((c) => [
                baseContainerName(c.inputs.name as string),
                (c.plainInputs.networksAdvanced as { name: string }[]).map((n) => n.name),
            ]),
        );
        const upstreams = [...tables[stack]!.http, ...tables[stack]!.tcp].map((r) => r.upstream.host);
        expect(upstreams.length).toBeGreaterThan(5);
        const caddy = containers.get(`nexora-${stack}-caddy`)!;
        for (const host of upstreams) {
            const shared = (containers.get(host) ?? []).filter((n) => caddy.includes(n));
            expect(shared, `${host} shares no network with Caddy in ${stack}`).toEqual([
                host.endsWith("-uptime") ? `nexora-${stack}-admin` : `nexora-${stack}-edge`,
            ]);
        }
    });
});
