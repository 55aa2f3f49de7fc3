// Runs a stack file the way `npm run plan` does, in-process: the same parse, the same program,
// the same exit codes (2 config, 1 mandatory finding, 0 ok), and everything it would print or write.
import { stringify } from "yaml";
import { ConfigError } from "../../components/config";
import { evaluateStack, parseStackText, PlanInputError, PlanResult } from "../../tools/plan/evaluate";
import { renderInventory } from "../../tools/plan/inventory";
import { checkPlan, planJson } from "../../tools/plan/report";
import { stackFileConfig } from "../support/stacks";

export interface PlanRun {
    readonly code: number;
    /** stderr and stdout together: the message of a refusal, or the inventory and --json document. */
    readonly output: string;
    /** Generated files (gitlab.rb, Caddyfile, frpc.toml) and every command string the plan would run. */
    readonly artifacts: string;
    readonly plan?: PlanResult;
}

export async function runPlanText(stack: string, text: string, file = `Pulumi.${stack}.yaml`): Promise<PlanRun> {
    let plan: PlanResult;
    try {
        plan = await evaluateStack({ stack, config: parseStackText(text, file) });
    } catch (err) {
        if (err instanceof ConfigError || err instanceof PlanInputError) return { code: 2, output: err.message, artifacts: "" };
        throw err;
    }
    const violations = checkPlan(plan);
    const output = renderInventory(stack, plan.resources, violations, plan.placeholders) + JSON.stringify(planJson(plan, violations));
    const commands = plan.resources.flatMap((r) =>
        [r.plainInputs.create, r.plainInputs.update, r.plainInputs.healthcheck, r.plainInputs.command].map((v) => JSON.stringify(v ?? "")),
    );
    return {
        code: violations.some((v) => v.level === "mandatory") ? 1 : 0,
        output,
        artifacts: [...Object.values(plan.artifacts), ...commands].join("\n"),
        plan,
    };
}

export function stackText(config: Record<string, unknown>): string {
    return stringify({ config }, { aliasDuplicateObjects: false });
}

/** A committed stack's config mapping, deep-copied for a case to change. */
export function baseConfig(stack: "dev" | "staging" | "prod"): Record<string, unknown> {
    return structuredClone(stackFileConfig(stack)) as Record<string, unknown>;
}
