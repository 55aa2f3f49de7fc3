import { describe, expect, it } from "vitest";
import { stackPlan } from "../support/plans";

/**
 * Every resource's URN and what it depends on, per committed stack. A URN is a resource's identity
 * in state: a changed one is a delete + create (for a volume, lost data), so it may only change
 * together with an `aliases` entry. The dependencies are the order the engine creates things in.
 * Refactors must leave both as they are; a deliberate change updates these files in review.
 */
describe.each(["dev", "staging", "prod"])("resource graph of %s", (stack) => {
    it("keeps every URN and dependency", async () => {
        const plan = await stackPlan(stack);
        const graph = plan.resources
            .map((r) => ({ urn: r.urn, dependencies: [...new Set(r.dependencies)].sort() }))
            .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
        await expect(`${JSON.stringify(graph, null, 1)}\n`).toMatchFileSnapshot(`graphs/${stack}.json`);
    });
});
