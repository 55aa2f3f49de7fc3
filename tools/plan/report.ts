import * as policyProxy from "@pulumi/policy/proxy";
import { runPolicyPack } from "../../policies/offline";
import type { PlanResult } from "./evaluate";
import type { Violation } from "../../policies/offline";
import { unwrapSecrets } from "./mock-engine";

// The engine's marker for a string unknown during preview (exported at runtime, untyped).
const unknownStringValue = (policyProxy as unknown as { unknownStringValue: string }).unknownStringValue;

/** Alphanumeric runs this long are never chance matches between a generated value and config text. */
const MIN_GENERATED_RUN = 16;

const runs = (text: string): string[] => text.split(/[^A-Za-z0-9]+/).filter((r) => r.length >= MIN_GENERATED_RUN);

/**
 * Every value the providers generate (random results and hashes, OAuth client secrets, runner
 * tokens). Under mocks these are stand-ins; in a real preview of a fresh stack they are unknown.
 */
function generatedRuns(plan: PlanResult): Set<string> {
    const out = new Set<string>();
    for (const r of plan.recorder.resources) {
        if (!r.custom) continue;
        const computed = unwrapSecrets(r.outputs) as Record<string, unknown>;
        for (const [key, value] of Object.entries(computed)) {
            if (typeof value === "string" && !(key in r.inputs)) for (const run of runs(value)) out.add(run);
        }
    }
    return out;
}

/**
 * The inputs as the engine shows them to policies in a preview: a string built from a generated
 * value is unknown, so the policies skip it (they judge generated secrets by their generator:
 * the RandomPassword length policy) and judge every literal from config and code.
 */
function asPreview(value: unknown, generated: ReadonlySet<string>): unknown {
    if (typeof value === "string") return runs(value).some((r) => generated.has(r)) ? unknownStringValue : value;
    if (Array.isArray(value)) return value.map((v) => asPreview(v, generated));
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asPreview(v, generated)]));
    return value;
}

/** Applies the whole policy pack to an evaluated stack, values as a preview shows them to CrossGuard. */
export function checkPlan(plan: PlanResult): Violation[] {
    const generated = generatedRuns(plan);
    // A policy that does not apply to a resource says so by throwing (the SDK's notApplicable), and
    // reading an unknown input throws too: an error per policy and resource, each capturing a stack
    // trace nobody reads (a tenth of a large catalog's policy run). A policy's crash still names the
    // policy and the resource; NEXORA_PLAN_TRACES=1 keeps the traces, as for the evaluation.
    const stackTraceLimit = Error.stackTraceLimit;
    if (process.env.NEXORA_PLAN_TRACES !== "1") Error.stackTraceLimit = 0;
    try {
        return runPolicyPack(
            plan.resources.map((r) => ({
                urn: r.urn,
                type: r.type,
                name: r.name,
                props: asPreview(r.plainInputs, generated) as Record<string, unknown>,
                protect: r.protect,
                parent: r.parent ?? undefined,
                dependencies: [...r.dependencies],
            })),
        );
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
}
/** One resource of the `--json` document. */
export interface PlanDocumentResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Parent URN, or null for the stack's root resources. */
    readonly parent: string | null;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** Inputs with secret values as "[secret]". */
    readonly inputs: Readonly<Record<string, unknown>>;
}

/**
 * The `--json` document: a stable contract, defined here only (the merge-request tools diff two
 * of them by URN, `npm run policy` reads its violations). A violation is the pack's own record.
 */
export interface PlanDocument {
    readonly stack: string;
    readonly resources: readonly PlanDocumentResource[];
    readonly violations: readonly Violation[];
}

export function planJson(plan: PlanResult, violations: readonly Violation[]): PlanDocument {
    return {
        stack: plan.stack,
        resources: plan.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent,
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            inputs: r.inputs,
        })),
        violations,
    };
}
