// `tsx tools/bench/plan-case.ts <stack> [--config FILE.json]`: one measured run of what
// `npm run plan -- <stack>` does (evaluate, policy pack, inventory), reported as one JSON line.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { countsByType, finish, identityOf, inputsDigestOf, mark } from "./protocol";

async function run(): Promise<void> {
    const phases: Record<string, number> = {};
    mark(phases, "boot");
    const { values, positionals } = parseArgs({ allowPositionals: true, options: { config: { type: "string" } } });
    const stack = positionals[0];
    if (positionals.length !== 1 || !stack) throw new Error("usage: plan-case.ts <stack> [--config FILE.json]");
    // Imported here, not at the top, so "boot" stops before the plan's own modules load.
    const [{ evaluateStack }, { checkPlan }, { renderInventory }] = await Promise.all([
        import("../plan/evaluate"),
        import("../plan/report"),
        import("../plan/inventory"),
    ]);
    mark(phases, "load");
    const config = values.config ? (JSON.parse(readFileSync(values.config, "utf8")) as Record<string, unknown>) : undefined;
    const plan = await evaluateStack({ stack, config });
    mark(phases, "evaluate");
    const violations = checkPlan(plan);
    mark(phases, "policy");
    const inventory = renderInventory(stack, plan.resources, violations, plan.placeholders);
    mark(phases, "render");
    if (inventory.length === 0) throw new Error("empty inventory");

    finish(() => {
        const custom = plan.recorder.resources.filter((r) => r.custom && r.urn !== "");
        return {
            kind: "plan",
            stack,
            customResources: custom.length,
            components: plan.resources.length - custom.length,
            countsByType: countsByType(custom),
            identity: identityOf(custom),
            inputs: inputsDigestOf(custom.map((r) => ({ type: r.type, name: r.name, inputs: r.rawInputs }))),
            phases,
        };
    });
}

run().catch((err: unknown) => {
    process.stderr.write(`bench plan failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(3);
});
