/**
 * What the bench's processes hand each other: the replay file (prep → baseline) and the one
 * JSON line every measured child prints. Node built-ins only: the parent and both measured
 * children load this, so it must not add to either side's cost.
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";

/** One custom resource (or provider) exactly as the plan registered it, for the baseline to replay. */
export interface ReplayResource {
    readonly type: string;
    readonly name: string;
    /** Inputs as the engine received them: secrets are the engine's secret signature objects. */
    readonly inputs: Record<string, unknown>;
    /** Index (in `resources`) of the explicit provider. */
    readonly provider?: number;
    /** Indexes of the custom resources it depends on (explicit dependsOn plus input dependencies). */
    readonly dependsOn: readonly number[];
    readonly version?: string;
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
    readonly deleteBeforeReplace?: boolean;
    readonly additionalSecretOutputs?: readonly string[];
    readonly ignoreChanges?: readonly string[];
    readonly replaceOnChanges?: readonly string[];
}

export interface ReplayFile {
    readonly project: string;
    readonly stack: string;
    /** Custom resources and providers in the order the plan registered them (dependencies first). */
    readonly resources: readonly ReplayResource[];
    /** Component resources the plan registered; the baseline has none by design. */
    readonly components: number;
}

/** Per type token, how many custom resources a run registered. */
export type TypeCounts = Record<string, number>;

/** The line a measured child prints on stdout, its last line. */
export interface ChildReport {
    readonly kind: "plan" | "baseline";
    readonly stack: string;
    /** From process start (performance.timeOrigin) to the end of the work: boot and module load included. */
    readonly wallMs: number;
    /** Peak resident set size, KiB (process.resourceUsage().maxRSS). */
    readonly maxRssKiB: number;
    readonly customResources: number;
    readonly components: number;
    readonly countsByType: TypeCounts;
    /** Digest of the sorted "type name" lines: same value means the same set of resources. */
    readonly identity: string;
    /** Digest of every resource's type, name and inputs (engine form, keys sorted): same value means the same inputs. */
    readonly inputs: string;
    /** Milliseconds since process start at which each phase ended, in order. */
    readonly phases: Readonly<Record<string, number>>;
}

export function countsByType(resources: readonly { type: string }[]): TypeCounts {
    const counts: TypeCounts = {};
    for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

function digest(lines: string[]): string {
    return createHash("sha256").update(lines.sort().join("\n")).digest("hex").slice(0, 16);
}

export function identityOf(resources: readonly { type: string; name: string }[]): string {
    return digest(resources.map((r) => `${r.type} ${r.name}`));
}

/** JSON with object keys sorted: the engine does not promise an input order. */
function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value) ?? "null";
}

export function inputsDigestOf(resources: readonly { type: string; name: string; inputs: unknown }[]): string {
    return digest(resources.map((r) => `${r.type} ${r.name} ${canonicalJson(r.inputs)}`));
}

/** Records the end of a phase: milliseconds since process start. */
export function mark(phases: Record<string, number>, name: string): void {
    phases[name] = performance.now();
}

/**
 * Stops the clock, then builds the report (its digests are bench bookkeeping, not measured work),
 * prints it and exits: the Pulumi runtime may keep handles open that would delay a natural exit.
 */
export function finish(report: () => Omit<ChildReport, "wallMs" | "maxRssKiB">): never {
    const wallMs = performance.now();
    const maxRssKiB = process.resourceUsage().maxRSS;
    const line: ChildReport = { ...report(), wallMs, maxRssKiB };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    process.exit(0);
}

/** The last JSON line of a child's stdout. */
export function parseChildReport(stdout: string): ChildReport {
    const last = stdout.trim().split("\n").pop() ?? "";
    const parsed = JSON.parse(last) as ChildReport;
    if (typeof parsed.wallMs !== "number" || typeof parsed.maxRssKiB !== "number") throw new Error(`not a bench report: ${last.slice(0, 200)}`);
    return parsed;
}
