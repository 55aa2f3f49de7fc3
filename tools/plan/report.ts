import { runPolicyPack } from "../../policies/offline";
import type { PlanResult } from "./evaluate";
import type { PlanViolation } from "./inventory";

/** Applies the whole policy pack to an evaluated stack (values in plaintext, as CrossGuard sees them). */
export function checkPlan(plan: PlanResult): PlanViolation[] {
    return runPolicyPack(
        plan.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            props: r.plainInputs,
            protect: r.protect,
            parent: r.parent ?? undefined,
            dependencies: [...r.dependencies],
        })),
    );
}

/** The `--json` document: a stable contract (the merge-request tools diff two of them by URN). */
export function planJson(plan: PlanResult, violations: readonly PlanViolation[]) {
    return {
        stack: plan.stack,
        resources: plan.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, protect: r.protect, inputs: r.inputs })),
        violations,
    };
}
