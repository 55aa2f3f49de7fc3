import { describe, expect, it } from "vitest";
import { environments } from "../../components/config";
import { dnsRecordsFor } from "../../components/edge/dns";
import { buildRouteTable, routeUrl } from "../../components/edge/routes";
import { validateRouteTable, validateSharedRelay } from "../../components/edge/validate";
import { settingsOf } from "../support/stacks";

const tables = Object.fromEntries(environments.map((s) => [s, buildRouteTable(settingsOf(s))]));
const expectedPrefix: Record<string, string> = { dev: "dev-", staging: "staging-", prod: "" };

describe.each(environments)("route table of %s", (stack) => {
    const table = tables[stack]!;

    it("follows the brief's hostname pattern for every route", () => {
        for (const r of [...table.http, ...table.tcp]) {
            expect(r.hostname, r.name).toMatch(new RegExp(`^${expectedPrefix[stack]}[a-z0-9-]+\\.nexora\\.restry\\.cn$`));
        }
        const byService = Object.fromEntries(table.http.map((r) => [r.name, r.hostname]));
        expect(byService.gitlab).toBe(`${expectedPrefix[stack]}gitlab.nexora.restry.cn`);
        expect(byService.outline).toBe(`${expectedPrefix[stack]}outline.nexora.restry.cn`);
        expect(byService.portal).toBe(`${expectedPrefix[stack]}www.nexora.restry.cn`);
        expect(byService.pyerp).toBe(`${expectedPrefix[stack]}pyerp.nexora.restry.cn`);
    });

    it("is valid: unique hostnames, good labels and ports", () => {
        expect(validateRouteTable(table)).toEqual([]);
        const names = [...table.http, ...table.tcp].map((r) => r.hostname);
        expect(new Set(names).size).toBe(names.length);
    });

    it("routes every service to its own container on this stack's network", () => {
        for (const r of table.http) expect(r.upstream.host).toMatch(new RegExp(`^nexora-${stack}-`));
    });

    it("keeps the admin UI without its own login (Uptime Kuma) behind the edge basic auth", () => {
        const restricted = table.http
            .filter((r) => r.restricted)
            .map((r) => r.name)
            .sort();
        expect(restricted).toEqual(["uptime"]);
    });

    it("proxies every web hostname through Cloudflare when asked, but never the SSH name", () => {
        // Record names are checked against the plan in edge-artifacts.test.ts; here only the proxy flag.
        const settings = settingsOf(stack);
        const proxiedTable = buildRouteTable({ ...settings, dns: { ...settings.dns, proxied: true } });
        const records = dnsRecordsFor(proxiedTable);
        const sshNames = proxiedTable.tcp.map((r) => r.hostname);
        expect(sshNames).toHaveLength(1);
        const web = records.filter((r) => !sshNames.includes(r.name));
        expect(web).toHaveLength(proxiedTable.http.length);
        for (const r of web) expect(r.proxied, r.name).toBe(true);
        const ssh = records.filter((r) => sshNames.includes(r.name));
        expect(ssh).toHaveLength(1);
        expect(ssh[0]!.proxied).toBe(false);
    });
});

describe("route tables across stacks", () => {
    it("never collide on the shared relay (hostnames, SSH ports)", () => {
        expect(validateSharedRelay(Object.values(tables))).toEqual([]);
    });

    it("gives the dev stack URLs with its published HTTPS port, the relayed stacks none", () => {
        expect(routeUrl(tables.dev!, tables.dev!.http[0]!)).toMatch(/:18443$/);
        expect(routeUrl(tables.prod!, tables.prod!.http[0]!)).toMatch(/\.cn$/);
    });

    it("routes SSH through the relay on a per-stack port, and on dev through its published port", () => {
        expect(tables.prod!.tcp.map((t) => t.remotePort)).toEqual([2222]);
        expect(tables.staging!.tcp.map((t) => t.remotePort)).toEqual([2223]);
        expect(tables.dev!.tcp.map((t) => t.remotePort)).toEqual([12222]);
    });

    it("adds the roadmap services only where switched on", () => {
        expect(tables.staging!.http.map((r) => r.name)).toEqual(expect.arrayContaining(["grafana", "registry"]));
        expect(tables.prod!.http.map((r) => r.name)).not.toContain("grafana");
        expect(tables.prod!.http.map((r) => r.name)).not.toContain("registry");
    });
});
