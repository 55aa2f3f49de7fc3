import { describe, expect, it } from "vitest";
import { diffPlans, parsePlanDocument } from "../../tools/mr-preview/offline-diff";
import { evaluateStack } from "../../tools/plan/evaluate";
import { checkPlan, planJson } from "../../tools/plan/report";
import { stackFileConfig } from "../support/stacks";

/** `npm run plan -- staging --json` of a config, as the offline diff job produces it. */
async function planDocument(config: Record<string, unknown>) {
    const plan = await evaluateStack({ stack: "staging", config });
    return parsePlanDocument(JSON.stringify(planJson(plan, checkPlan(plan))), "plan");
}

describe("offline diff of two real plans", () => {
    it("shows an app added, a route renamed and a service removed", async () => {
        const base = stackFileConfig("staging");
        const apps = base["nexora:apps"] as Record<string, Record<string, unknown>>;
        const head = {
            ...base,
            "nexora:grafanaEnabled": false,
            "nexora:apps": { ...apps, hjhs: { ...apps.hjhs, subdomain: "gold" }, newshop: { image: "registry.example.cn/shop/newshop:1.0.0", port: 8080 } },
        };
        const diff = diffPlans(await planDocument(base), await planDocument(head));

        const added = diff.added.map((r) => r.name);
        expect(added).toEqual(expect.arrayContaining(["app-newshop", "app-newshop-container", "dns-newshop"]));
        const removed = diff.removed.map((r) => r.name);
        expect(removed).toEqual(expect.arrayContaining(["grafana", "grafana-container", "grafana-data", "identity-grafana-app", "dns-grafana"]));
        // Removing a service shows its volume going away: the data-loss risk a reviewer must see.
        expect(diff.removed.find((r) => r.name === "grafana-data")).toMatchObject({ protect: true, retainOnDelete: true });

        const dns = diff.changed.find((c) => c.head.name === "dns-hjhs");
        expect(dns?.changes.find((ch) => ch.path === "name")).toMatchObject({
            before: "staging-hjhs.nexora.restry.cn",
            after: "staging-gold.nexora.restry.cn",
        });
        const changedNames = diff.changed.map((c) => c.head.name);
        expect(changedNames).toContain("caddy-reload");
        // Only the backup container changes: Grafana's volume is no longer among what it backs up
        // (it keeps no state of its own; its repository and spool are volumes).
        expect(changedNames.filter((n) => n.endsWith("-container"))).toEqual(["backup-container"]);
    });
});
