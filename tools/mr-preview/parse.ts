// Reads `pulumi preview --json` (one digest document) and the engine-event log (NDJSON,
// from `--event-log FILE` or PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true). The wire format
// drifts ahead of the Node typings (the summary's `PolicyPacks` key is PascalCase, diff
// kinds are `kind` in the digest but `diffKind` in events), so every key is looked up
// without regard to case and unknown events are skipped.
// The SDK's wire-format module only (not the whole SDK): its unknown and secret sentinels.
import { isRpcSecret, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { Diagnostic, PolicyViolation, PreviewReport, PreviewStep, PropertyDiff, ResourceState, parseUrn } from "./model";

type Json = Record<string, unknown>;

/** Marks a value the engine will only know after apply (the SDK's sentinel). */
export const UNKNOWN_VALUE: string = unknownValue;

export class PreviewParseError extends Error {}

function isObject(value: unknown): value is Json {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Looks a key up exactly first, then ignoring case. */
export function field(obj: Json, name: string): unknown {
    if (name in obj) return obj[name];
    const lower = name.toLowerCase();
    for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
    return undefined;
}

function str(obj: Json, name: string): string | undefined {
    const value = field(obj, name);
    return typeof value === "string" ? value : undefined;
}

function strList(obj: Json, name: string): string[] {
    const value = field(obj, name);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * The event log serialises secrets as the signature envelope with ciphertext "[secret]";
 * the digest already writes "[secret]". Both come out as "[secret]" here.
 */
export function normalizeValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(normalizeValue);
    if (isObject(value)) {
        if (isRpcSecret(value)) return "[secret]";
        const out: Json = {};
        for (const [key, child] of Object.entries(value)) out[key] = normalizeValue(child);
        return out;
    }
    return value;
}

function parseState(raw: unknown): ResourceState | undefined {
    if (!isObject(raw)) return undefined;
    const inputs = normalizeValue(field(raw, "inputs"));
    const outputs = normalizeValue(field(raw, "outputs"));
    const urn = str(raw, "urn") ?? "";
    return {
        type: str(raw, "type") ?? parseUrn(urn).type,
        urn,
        id: str(raw, "id"),
        parent: str(raw, "parent") || undefined,
        protect: field(raw, "protect") === true,
        retainOnDelete: field(raw, "retainOnDelete") === true,
        inputs: isObject(inputs) ? inputs : {},
        outputs: isObject(outputs) ? outputs : {},
    };
}

function parseDetailedDiff(raw: unknown): PropertyDiff[] | undefined {
    if (!isObject(raw)) return undefined;
    return Object.entries(raw).map(([path, diff]) => {
        const entry = isObject(diff) ? diff : {};
        const kind = str(entry, "kind") ?? str(entry, "diffKind") ?? "update";
        return { path, kind, inputDiff: field(entry, "inputDiff") === true };
    });
}

/** One step from either a digest step or an event's `metadata` (they differ in key names). */
function parseStep(raw: Json): PreviewStep | undefined {
    const op = str(raw, "op");
    const urn = str(raw, "urn");
    if (!op || !urn) return undefined;
    const oldState = parseState(field(raw, "oldState") ?? field(raw, "old"));
    const newState = parseState(field(raw, "newState") ?? field(raw, "new"));
    const parsedUrn = parseUrn(urn);
    return {
        op,
        urn,
        type: str(raw, "type") ?? newState?.type ?? oldState?.type ?? parsedUrn.type,
        name: parsedUrn.name,
        oldState,
        newState,
        diffReasons: field(raw, "diffReasons") !== undefined ? strList(raw, "diffReasons") : strList(raw, "diffs"),
        replaceReasons: field(raw, "replaceReasons") !== undefined ? strList(raw, "replaceReasons") : strList(raw, "keys"),
        detailedDiff: parseDetailedDiff(field(raw, "detailedDiff")),
    };
}

const REPLACEMENT_HALVES = new Set(["create-replacement", "delete-replaced", "discard-replaced"]);

/**
 * Keeps what `pulumi preview --json` shows by default: one `replace` per replaced resource
 * (not its create-replacement/delete-replaced halves), and no `same` steps except those
 * whose protect flag changes. The event log and `--show-replacement-steps`/`--show-sames`
 * digests carry all of them.
 */
export function collapseSteps(steps: readonly PreviewStep[]): PreviewStep[] {
    const replaced = new Set(steps.filter((s) => s.op === "replace").map((s) => s.urn));
    const seenHalf = new Set<string>();
    const out: PreviewStep[] = [];
    for (const step of steps) {
        if (step.op === "same") {
            if (step.oldState && step.newState && step.oldState.protect !== step.newState.protect) out.push(step);
            continue;
        }
        if (REPLACEMENT_HALVES.has(step.op)) {
            // A half without its logical replace step stands in for it, once.
            if (replaced.has(step.urn) || seenHalf.has(step.urn)) continue;
            seenHalf.add(step.urn);
            const other = steps.find((s) => s.urn === step.urn && s !== step && REPLACEMENT_HALVES.has(s.op));
            out.push({
                ...step,
                op: "replace",
                oldState: step.oldState ?? other?.oldState,
                newState: step.newState ?? other?.newState,
                replaceReasons: step.replaceReasons.length > 0 ? step.replaceReasons : (other?.replaceReasons ?? []),
                detailedDiff: step.detailedDiff ?? other?.detailedDiff,
            });
            continue;
        }
        out.push(step);
    }
    return out;
}

function parseCounts(raw: unknown): Record<string, number> | undefined {
    if (!isObject(raw)) return undefined;
    const out: Record<string, number> = {};
    for (const [op, count] of Object.entries(raw)) if (typeof count === "number") out[op] = count;
    return out;
}

// Colour directives (`<{%fg 3%}>`) and ANSI escapes have no meaning in a note.
export function stripColors(text: string): string {
    return text.replace(/<\{%[^%]*%\}>/g, "").replace(/\x1b\[[0-9;]*m/g, "");
}

function parseDiagnostic(raw: Json): Diagnostic | undefined {
    const message = str(raw, "message");
    if (message === undefined) return undefined;
    if (field(raw, "ephemeral") === true) return undefined;
    const prefix = str(raw, "prefix") ?? "";
    return { severity: str(raw, "severity") ?? "info", urn: str(raw, "urn") || undefined, message: stripColors(prefix + message).trim() };
}

/** Maps the engine's enforcement level to the policy pack's words. */
export function normalizePolicyLevel(level: string | undefined): string {
    switch ((level ?? "").toLowerCase()) {
        case "mandatory":
            return "mandatory";
        case "warning":
        case "advisory":
            return "advisory";
        case "remediate":
            return "remediate";
        case "none":
        case "disabled":
            return "disabled";
        default:
            return level && level.length > 0 ? level.toLowerCase() : "advisory";
    }
}

/** Parses the single JSON document `pulumi preview --json` prints. */
export function parsePreviewDigest(text: string): PreviewReport {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (err) {
        throw new PreviewParseError(`not a pulumi preview --json document: ${(err as Error).message}`);
    }
    if (!isObject(doc)) throw new PreviewParseError("not a pulumi preview --json document: expected a JSON object");
    const rawSteps = field(doc, "steps");
    if (rawSteps !== undefined && !Array.isArray(rawSteps)) throw new PreviewParseError("preview document: `steps` is not a list");
    const steps = (rawSteps ?? [])
        .filter(isObject)
        .map(parseStep)
        .filter((s): s is PreviewStep => s !== undefined);
    const rawDiagnostics = field(doc, "diagnostics");
    const diagnostics = Array.isArray(rawDiagnostics)
        ? rawDiagnostics
              .filter(isObject)
              .map(parseDiagnostic)
              .filter((d): d is Diagnostic => d !== undefined)
        : [];
    return {
        steps: collapseSteps(steps),
        changeSummary: parseCounts(field(doc, "changeSummary")),
        diagnostics,
        policyViolations: [],
        policyPacks: {},
        unreadableEventLines: 0,
    };
}

/** Parses an NDJSON engine-event stream; events it does not know are skipped. */
export function parseEngineEvents(text: string): PreviewReport {
    const steps: PreviewStep[] = [];
    const diagnostics: Diagnostic[] = [];
    const violations: PolicyViolation[] = [];
    let changeSummary: Record<string, number> | undefined;
    let policyPacks: Record<string, string> = {};
    let unreadable = 0;
    for (const line of text.split(/\r?\n/)) {
        if (line.trim() === "") continue;
        let event: unknown;
        try {
            event = JSON.parse(line);
        } catch {
            unreadable += 1;
            continue;
        }
        if (!isObject(event)) continue;
        const pre = field(event, "resourcePreEvent");
        if (isObject(pre)) {
            const metadata = field(pre, "metadata");
            const step = isObject(metadata) ? parseStep(metadata) : undefined;
            if (step) steps.push(step);
            continue;
        }
        const policy = field(event, "policyEvent");
        if (isObject(policy)) {
            violations.push({
                policyPack: str(policy, "policyPackName"),
                policyName: str(policy, "policyName") ?? "(unnamed policy)",
                urn: str(policy, "resourceUrn") || undefined,
                level: normalizePolicyLevel(str(policy, "enforcementLevel")),
                message: stripColors(str(policy, "message") ?? "").trim(),
                severity: str(policy, "severity") || undefined,
            });
            continue;
        }
        const diagnostic = field(event, "diagnosticEvent");
        if (isObject(diagnostic)) {
            const parsed = parseDiagnostic(diagnostic);
            if (parsed) diagnostics.push(parsed);
            continue;
        }
        const summary = field(event, "summaryEvent");
        if (isObject(summary)) {
            changeSummary = parseCounts(field(summary, "resourceChanges"));
            const packs = field(summary, "policyPacks");
            if (isObject(packs)) {
                policyPacks = Object.fromEntries(Object.entries(packs).filter((e): e is [string, string] => typeof e[1] === "string"));
            }
        }
    }
    return {
        steps: collapseSteps(steps),
        changeSummary,
        diagnostics,
        policyViolations: dedupeViolations(violations),
        policyPacks,
        unreadableEventLines: unreadable,
    };
}

function dedupeViolations(violations: readonly PolicyViolation[]): PolicyViolation[] {
    const seen = new Set<string>();
    return violations.filter((v) => {
        const key = [v.policyPack, v.policyName, v.urn, v.level, v.message].join("\u0000");
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

/**
 * One report from the digest and/or the event log. Steps come from the digest when there
 * is one (its format is the documented one); policy results only exist in the events.
 */
export function mergeReports(digest: PreviewReport | undefined, events: PreviewReport | undefined): PreviewReport {
    if (!digest && !events) throw new PreviewParseError("neither a preview document nor an event log was given");
    const seen = new Set<string>();
    const diagnostics = [...(digest?.diagnostics ?? []), ...(events?.diagnostics ?? [])].filter((d) => {
        const key = `${d.severity}\u0000${d.urn ?? ""}\u0000${d.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
    return {
        steps: digest ? digest.steps : (events?.steps ?? []),
        changeSummary: digest?.changeSummary ?? events?.changeSummary,
        diagnostics,
        policyViolations: dedupeViolations([...(digest?.policyViolations ?? []), ...(events?.policyViolations ?? [])]),
        policyPacks: { ...(digest?.policyPacks ?? {}), ...(events?.policyPacks ?? {}) },
        unreadableEventLines: (events?.unreadableEventLines ?? 0) + (digest?.unreadableEventLines ?? 0),
    };
}
