/**
 * The rendered Caddyfiles of realistic tables, checked by the real caddy binary: `caddy adapt
 * --validate` adapts and provisions every module, `caddy fmt` must find nothing to change.
 */
import { describe, expect, it } from "vitest";
import { renderCaddyfile, type CaddyfileOptions } from "../../components/edge/caddyfile";
import type { RouteTable } from "../../components/edge/types";
import { adaptAndValidate, formatCaddyfile, hashPassword } from "../support/caddy";
import { devTable, prodTable, stagingTable } from "./fixtures";

/** One real hash per run, shared by the cases; a missing caddy fails every case that needs it. */
let realHash: Promise<string> | undefined;
const adminPasswordHash = (): Promise<string> => (realHash ??= hashPassword("edge-admin-integration-password"));

const withoutRestricted = (table: RouteTable): RouteTable => ({
    ...table,
    http: table.http.map((route) => ({ ...route, restricted: false })),
});

async function optionsFor(tls: "acme" | "internal", restricted: boolean): Promise<CaddyfileOptions> {
    return {
        tls,
        acmeEmail: tls === "acme" ? "ops@nexora.restry.cn" : undefined,
        trustedProxies: ["172.30.0.0/24", "fd00:30::/64"],
        adminAuth: restricted ? { username: "admin", passwordHash: await adminPasswordHash() } : undefined,
    };
}

/** Every handler object of the adapted config, however deeply nested in subroutes. */
function handlers(json: unknown): Record<string, unknown>[] {
    const found: Record<string, unknown>[] = [];
    const walk = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (value !== null && typeof value === "object") {
            const record = value as Record<string, unknown>;
            if (typeof record.handler === "string") found.push(record);
            Object.values(record).forEach(walk);
        }
    };
    walk(json);
    return found;
}

const cases = [devTable, stagingTable, prodTable].flatMap((table) =>
    (["acme", "internal"] as const).flatMap((tls) =>
        [true, false].map((restricted) => ({ stack: table.stack, tls, restricted, table: restricted ? table : withoutRestricted(table) })),
    ),
);

describe("rendered Caddyfiles pass the real caddy", () => {
    it.each(cases)("$stack, tls $tls, restricted routes: $restricted — adapt --validate", async ({ table, tls, restricted }) => {
        const caddyfile = renderCaddyfile(table, await optionsFor(tls, restricted));
        const result = await adaptAndValidate(caddyfile);
        expect(result.exitCode, result.stderr).toBe(0);
        expect(result.stderr).not.toContain("not formatted");

        const all = handlers(result.json);
        const proxies = all.filter((h) => h.handler === "reverse_proxy");
        expect(proxies.map((p) => (p.upstreams as { dial: string }[])[0]!.dial).sort()).toEqual(
            table.http.map((r) => `${r.upstream.host}:${r.upstream.port}`).sort(),
        );
        for (const proxy of proxies) expect(proxy.trusted_proxies).toEqual(["172.30.0.0/24", "fd00:30::/64"]);
        // MiB, not MB: 1024 MiB is 2^30 bytes.
        const limits = all.filter((h) => h.handler === "request_body").map((h) => h.max_size);
        expect(limits.sort()).toEqual(table.http.flatMap((r) => (r.maxRequestBodyMiB ? [r.maxRequestBodyMiB * 1024 * 1024] : [])).sort());
        expect(all.filter((h) => h.handler === "authentication")).toHaveLength(table.http.filter((r) => r.restricted).length);

        const text = JSON.stringify(result.json);
        if (tls === "internal") expect(text).toContain('"module":"internal"');
        else expect(text).toContain("ops@nexora.restry.cn");
    });

    it("renders exactly what caddy fmt would write", async () => {
        const caddyfile = renderCaddyfile(prodTable, await optionsFor("acme", true));
        expect(await formatCaddyfile(caddyfile)).toBe(caddyfile);
    });

    it("the check is real: caddy rejects a broken rendering", async () => {
        const caddyfile = renderCaddyfile(prodTable, await optionsFor("internal", true));
        const broken = caddyfile.replace("reverse_proxy nexora-prod-gitlab:80 {", "reverse_proxy nexora-prod-gitlab:80 {\n\t\tno_such_subdirective");
        const result = await adaptAndValidate(broken);
        expect(result.exitCode).not.toBe(0);
        expect(result.stderr).toContain("no_such_subdirective");
    });
});
