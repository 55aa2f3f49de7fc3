/**
 * The plan of a stack as its stack file stands, evaluated once per test worker and shared by
 * every test file that only reads it (the workers run without per-file isolation, see
 * vitest.config.mts). A test that needs another config calls evaluateStack itself.
 */
import { evaluateStack, type PlanResult } from "../../tools/plan/evaluate";

const plans = new Map<string, Promise<PlanResult>>();
let last: Promise<unknown> = Promise.resolve();

/** The evaluated plan of `stack` (dev, staging, prod). Evaluations run one after another: the Pulumi runtime is process-global. */
export function stackPlan(stack: string): Promise<PlanResult> {
    let plan = plans.get(stack);
    if (plan === undefined) {
        plan = last.then(() => evaluateStack({ stack }));
        last = plan.catch(() => undefined);
        plans.set(stack, plan);
    }
    return plan;
}
