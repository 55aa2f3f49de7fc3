import { describe, expect, it } from "vitest";
import { evaluateStack, PlanResource, PlanResult } from "../../tools/plan/evaluate";
import { stackFileConfig } from "../support/stacks";

/**
 * Docker replaces a container on nearly any input change (delete before create: downtime), so
 * "no container replaced" means: every container present in both plans has identical inputs.
 */
function changedContainers(before: PlanResult, after: PlanResult): string[] {
    const byUrn = (p: PlanResult) => new Map(p.resources.filter((r) => r.type === "docker:index/container:Container").map((r) => [r.urn, r]));
    const a = byUrn(before);
    const b = byUrn(after);
    return [...a.keys()].filter((urn) => b.has(urn) && JSON.stringify(a.get(urn)!.plainInputs) !== JSON.stringify(b.get(urn)!.plainInputs));
}

const find = (p: PlanResult, type: string, name: string): PlanResource => {
    const r = p.resources.find((x) => x.type === type && x.name === name);
    if (!r) throw new Error(`${type} ${name} not in plan`);
    return r;
};
const RELOAD = "command:local:Command";

describe("changing routes", () => {
    it("adding an app changes the Caddy config and its reload trigger and replaces no container", async () => {
        const config = stackFileConfig("staging");
        const before = await evaluateStack({ stack: "staging", config });
        const apps = { ...(config["nexora:apps"] as object), newshop: { image: "registry.example.cn/shop/newshop:1.0.0", port: 8080 } };
        const after = await evaluateStack({ stack: "staging", config: { ...config, "nexora:apps": apps } });

        expect(after.artifacts.Caddyfile).toContain("staging-newshop.nexora.restry.cn {");
        expect(before.artifacts.Caddyfile).not.toContain("newshop");
        const reloadBefore = find(before, RELOAD, "caddy-reload");
        const reloadAfter = find(after, RELOAD, "caddy-reload");
        expect(reloadAfter.inputs.triggers).not.toEqual(reloadBefore.inputs.triggers);
        expect(find(after, RELOAD, "tunnel-apply").plainInputs.stdin).toContain("staging-newshop.nexora.restry.cn");

        expect(changedContainers(before, after)).toEqual([]);
        const newContainers = after.resources.filter((r) => r.type === "docker:index/container:Container" && !before.resources.some((b) => b.urn === r.urn));
        // A release of its own: the app's base name and its release id (components/docker/release.ts).
        expect(newContainers.map((c) => c.inputs.name)).toEqual([expect.stringMatching(/^nexora-staging-newshop-[0-9a-f]{8}$/)]);
    });

    it("renaming one app's route changes only that hostname's config and replaces no container", async () => {
        const config = stackFileConfig("staging");
        const before = await evaluateStack({ stack: "staging", config });
        const apps = config["nexora:apps"] as Record<string, Record<string, unknown>>;
        const renamed = { ...apps, hjhs: { ...apps.hjhs, subdomain: "gold" } };
        const after = await evaluateStack({ stack: "staging", config: { ...config, "nexora:apps": renamed } });

        expect(after.artifacts.Caddyfile).toContain("staging-gold.nexora.restry.cn {");
        expect(after.artifacts.Caddyfile).not.toContain("staging-hjhs.nexora.restry.cn");
        expect(find(after, RELOAD, "caddy-reload").inputs.triggers).not.toEqual(find(before, RELOAD, "caddy-reload").inputs.triggers);
        expect(changedContainers(before, after)).toEqual([]);
        const dns = (p: PlanResult) => find(p, "cloudflare:index/dnsRecord:DnsRecord", "dns-hjhs").inputs.name;
        expect([dns(before), dns(after)]).toEqual(["staging-hjhs.nexora.restry.cn", "staging-gold.nexora.restry.cn"]);
    });
});
