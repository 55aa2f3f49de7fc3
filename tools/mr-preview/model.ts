// The preview as the note renderer sees it: one shape whether it came from the
// `pulumi preview --json` digest or from the engine-event log.

/** Kinds of one property difference, as the engine names them. */
export type DiffKind = "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";

export interface PropertyDiff {
    /** Pulumi property path, e.g. `envs[3]` or `uploads[0].content`. */
    readonly path: string;
    readonly kind: DiffKind | string;
    /** True when the diff is against old inputs rather than old state. */
    readonly inputDiff: boolean;
}

export interface ResourceState {
    readonly type: string;
    readonly urn: string;
    readonly id?: string;
    readonly parent?: string;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly inputs: Readonly<Record<string, unknown>>;
    readonly outputs: Readonly<Record<string, unknown>>;
}

export interface PreviewStep {
    /** Engine op: create, update, delete, replace, read, import, ... (the engine's step ops). */
    readonly op: string;
    readonly urn: string;
    readonly type: string;
    /** Logical name: the last URN segment. */
    readonly name: string;
    readonly oldState?: ResourceState;
    readonly newState?: ResourceState;
    /** Top-level keys that differ. */
    readonly diffReasons: readonly string[];
    /** Keys that force a replacement. */
    readonly replaceReasons: readonly string[];
    /** Per-path diff; undefined when the provider reported none. */
    readonly detailedDiff?: readonly PropertyDiff[];
}

/** Policy enforcement level as a reviewer knows it from the policy pack. */
export type PolicyLevel = "mandatory" | "advisory" | "remediate" | "disabled" | string;

export interface PolicyViolation {
    readonly policyPack?: string;
    readonly policyName: string;
    readonly urn?: string;
    readonly level: PolicyLevel;
    readonly message: string;
    /** Newer engines add a severity (low, medium, high, critical). */
    readonly severity?: string;
}

export interface Diagnostic {
    /** error, warning, info, info#err, debug. */
    readonly severity: string;
    readonly urn?: string;
    readonly message: string;
}

export interface PreviewReport {
    readonly steps: readonly PreviewStep[];
    /** The engine's own count per op (changeSummary / summaryEvent.resourceChanges). */
    readonly changeSummary?: Readonly<Record<string, number>>;
    readonly diagnostics: readonly Diagnostic[];
    readonly policyViolations: readonly PolicyViolation[];
    /** Policy packs that ran: name → version. */
    readonly policyPacks: Readonly<Record<string, string>>;
    /** Event-log lines that were not JSON (a run cut short writes half a line). */
    readonly unreadableEventLines: number;
}

/** Splits `urn:pulumi:stack::project::qualified$type::name`. */
export function parseUrn(urn: string): { stack: string; project: string; type: string; parentTypes: string[]; name: string } {
    const body = urn.startsWith("urn:pulumi:") ? urn.slice("urn:pulumi:".length) : urn;
    const parts = body.split("::");
    if (parts.length < 4) return { stack: "", project: "", type: "", parentTypes: [], name: urn };
    const [stack, project, qualifiedType, ...nameParts] = parts;
    const types = qualifiedType.split("$");
    return { stack, project, type: types[types.length - 1], parentTypes: types.slice(0, -1), name: nameParts.join("::") };
}
