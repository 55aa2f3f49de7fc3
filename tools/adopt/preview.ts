/**
 * Reads `pulumi preview --json` and names every step that would replace or delete something
 * stateful: a volume (the provider removes a replaced volume with force, so its data is gone), or
 * any resource the program protects (databases' volumes, their generated credentials' holders).
 * Recent CLIs import a resource and then update it to match the program: a step of kind
 * `import-replacement` is such a reconciliation turned replacement, and counts too. So does any
 * destructive step on a resource the same preview imports (an adopted OAuth application or DNS
 * record whose read-back inputs force a replacement): the engine refuses to replace a resource that
 * still carries an import ID during `up` (step_generator.go), after the cutover has stopped the
 * Compose deployment; the preview is where that is caught with nothing stopped.
 */

export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly oldState?: { readonly type?: string; readonly protect?: boolean } | null;
    readonly newState?: { readonly type?: string; readonly protect?: boolean } | null;
    readonly replaceReasons?: readonly string[] | null;
    readonly diffReasons?: readonly string[] | null;
}

export interface StatefulChange {
    readonly urn: string;
    readonly op: string;
    /** The inputs that force it, when the preview says. */
    readonly reasons: readonly string[];
}

/** Steps that lose what the old resource held. */
const DESTRUCTIVE = new Set([
    "replace",
    "create-replacement",
    "delete-replaced",
    "delete",
    "discard",
    "discard-replaced",
    "read-replacement",
    "import-replacement",
]);

const STATEFUL_TYPES = new Set(["docker:index/volume:Volume"]);

function typeOf(step: PreviewStep): string {
    return step.newState?.type ?? step.oldState?.type ?? step.urn.split("::")[2]?.split("$").pop() ?? "";
}

/** The destructive steps on stateful resources, one per URN. @throws Error when the text is no preview document. */
export function statefulChanges(previewJson: string): StatefulChange[] {
    let doc: unknown;
    try {
        doc = JSON.parse(previewJson);
    } catch {
        throw new Error("the preview printed no JSON document");
    }
    const steps = (doc as { steps?: unknown }).steps;
    if (!Array.isArray(steps)) throw new Error("the preview's JSON has no steps");
    const found = new Map<string, StatefulChange>();
    const imported = new Set((steps as PreviewStep[]).filter((s) => s.op === "import" || s.op === "import-replacement").map((s) => s.urn));
    for (const step of steps as PreviewStep[]) {
        if (!DESTRUCTIVE.has(step.op)) continue;
        const stateful = STATEFUL_TYPES.has(typeOf(step)) || step.oldState?.protect === true || step.newState?.protect === true || imported.has(step.urn);
        if (!stateful || found.has(step.urn)) continue;
        found.set(step.urn, { urn: step.urn, op: step.op, reasons: [...(step.replaceReasons ?? step.diffReasons ?? [])] });
    }
    return [...found.values()];
}

/** URNs of the volumes the preview creates: the cutover brings these up first (`--target`) and copies into them. */
export function createdVolumes(previewJson: string): string[] {
    const steps = (JSON.parse(previewJson) as { steps?: PreviewStep[] }).steps ?? [];
    return steps.filter((s) => s.op === "create" && typeOf(s) === "docker:index/volume:Volume").map((s) => s.urn);
}
