// The no-credentials fallback: compares the desired state of two `npm run plan -- <stack>
// --json` documents (target branch vs merge request) by URN. No state backend is read, so
// this is what the program declares, not what `pulumi up` would do.
//
// Secrets: both plans write "[secret]" for secret values, so two "[secret]"s compare as
// unchanged even when the value behind them changed. The note says so; a value that
// becomes or stops being secret does show as changed.
import { NoteItem, fitNote } from "./fit";
import { MASKED, maskValue } from "./mask";
import { DEFAULT_NOTE_BUDGET_BYTES, details, escapeHtml, fencedBlock, inlineCode, jobLogPointer, plural, stackMarker } from "./markdown";
import { PreviewStep, parseUrn } from "./model";
import { PathSegment, diffOps, formatPath, lastKey, lineDiff, valueLines } from "./values";
import { COMMAND_TYPE, REPOSITORY_TYPES, statefulReasons } from "./classify";
import type { Violation } from "../../policies/offline";
// `npm run plan -- <stack> --json` documents: the plan tool and the policy pack own the contract.
import type { PlanDocument, PlanDocumentResource } from "../plan/report";

export class PlanParseError extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Parses one `npm run plan -- <stack> --json` document, naming `source` in errors. */
export function parsePlanDocument(text: string, source: string): PlanDocument {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (err) {
        throw new PlanParseError(`${source}: not a plan --json document: ${(err as Error).message}`);
    }
    if (!isObject(doc) || !Array.isArray(doc.resources)) throw new PlanParseError(`${source}: expected {"stack", "resources": [...], "violations": [...]}`);
    const resources = doc.resources.filter(isObject).map((r, index): PlanDocumentResource => {
        if (typeof r.urn !== "string") throw new PlanParseError(`${source}: resources[${index}] has no urn`);
        const parsed = parseUrn(r.urn);
        return {
            urn: r.urn,
            type: typeof r.type === "string" ? r.type : parsed.type,
            name: typeof r.name === "string" ? r.name : parsed.name,
            parent: typeof r.parent === "string" ? r.parent : null,
            protect: r.protect === true,
            retainOnDelete: r.retainOnDelete === true,
            inputs: isObject(r.inputs) ? r.inputs : {},
        };
    });
    const violations = (Array.isArray(doc.violations) ? doc.violations : []).filter(isObject).map((v, index): Violation => {
        if (v.level !== "mandatory" && v.level !== "advisory")
            throw new PlanParseError(`${source}: violations[${index}].level must be "mandatory" or "advisory"`);
        return {
            policy: String(v.policy ?? "(unnamed policy)"),
            urn: typeof v.urn === "string" ? v.urn : "",
            level: v.level,
            message: String(v.message ?? ""),
        };
    });
    return { stack: typeof doc.stack === "string" ? doc.stack : "", resources, violations };
}

export interface ValueChange {
    readonly path: string;
    /** The path as segments: its last key decides whether the value is masked whole. */
    readonly segments: readonly PathSegment[];
    readonly kind: "add" | "delete" | "update";
    readonly before?: unknown;
    readonly after?: unknown;
}

export interface ChangedResource {
    readonly base: PlanDocumentResource;
    readonly head: PlanDocumentResource;
    readonly changes: readonly ValueChange[];
}

export interface PlanDiff {
    readonly stack: string;
    readonly added: readonly PlanDocumentResource[];
    readonly removed: readonly PlanDocumentResource[];
    readonly changed: readonly ChangedResource[];
    readonly unchanged: number;
    /** Paths where both sides are "[secret]": a change there cannot be seen offline. */
    readonly secretPathsNotCompared: number;
    /** Removed/added pairs of the same type under the same parent: likely renames. */
    readonly possibleRenames: ReadonlyArray<{ readonly from: PlanDocumentResource; readonly to: PlanDocumentResource }>;
    readonly violations: ReadonlyArray<Violation & { readonly isNew: boolean }>;
}

const SECRET = "[secret]";

function isPrimitive(value: unknown): boolean {
    return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function same(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

/** Aligns two primitive lists (env entries, commands) so an insertion is one add, not a shifted tail. */
function alignPrimitives(before: readonly unknown[], after: readonly unknown[], path: PathSegment[], out: ValueChange[], secrets: { count: number }): void {
    const a = before.map((v) => JSON.stringify(v));
    const b = after.map((v) => JSON.stringify(v));
    const ops = diffOps(a, b);
    let i = 0;
    let j = 0;
    const pendingDeletes: number[] = [];
    const flush = () => {
        for (const index of pendingDeletes) out.push({ path: formatPath([...path, index]), segments: [...path, index], kind: "delete", before: before[index] });
        pendingDeletes.length = 0;
    };
    for (const { tag } of ops) {
        if (tag === " ") {
            flush();
            if (before[i] === SECRET) secrets.count += 1;
            i += 1;
            j += 1;
        } else if (tag === "-") {
            pendingDeletes.push(i);
            i += 1;
        } else {
            // An add right after a delete at the same place is the same entry changed.
            const replaced = pendingDeletes.shift();
            if (replaced !== undefined)
                out.push({ path: formatPath([...path, j]), segments: [...path, j], kind: "update", before: before[replaced], after: after[j] });
            else out.push({ path: formatPath([...path, j]), segments: [...path, j], kind: "add", after: after[j] });
            j += 1;
        }
    }
    flush();
}

function diffValues(before: unknown, after: unknown, path: PathSegment[], out: ValueChange[], secrets: { count: number }): void {
    if (before === SECRET && after === SECRET) {
        secrets.count += 1;
        return;
    }
    if (same(before, after)) return;
    if (isObject(before) && isObject(after)) {
        for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
            if (!(key in after)) out.push({ path: formatPath([...path, key]), segments: [...path, key], kind: "delete", before: before[key] });
            else if (!(key in before)) out.push({ path: formatPath([...path, key]), segments: [...path, key], kind: "add", after: after[key] });
            else diffValues(before[key], after[key], [...path, key], out, secrets);
        }
        return;
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        if (before.every(isPrimitive) && after.every(isPrimitive)) {
            alignPrimitives(before, after, path, out, secrets);
            return;
        }
        for (let i = 0; i < Math.max(before.length, after.length); i += 1) {
            if (i >= after.length) out.push({ path: formatPath([...path, i]), segments: [...path, i], kind: "delete", before: before[i] });
            else if (i >= before.length) out.push({ path: formatPath([...path, i]), segments: [...path, i], kind: "add", after: after[i] });
            else diffValues(before[i], after[i], [...path, i], out, secrets);
        }
        return;
    }
    out.push({ path: formatPath(path), segments: path, kind: "update", before, after });
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i += 1) {
        const current = [i];
        for (let j = 1; j <= b.length; j += 1) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

function nameSimilarity(a: string, b: string): number {
    return 1 - editDistance(a, b) / Math.max(a.length, b.length, 1);
}

/** How alike two names must be before a removed/added pair is called a likely rename. */
const RENAME_SIMILARITY = 0.75;

/**
 * Pairs removed and added resources of the same type under the same parent whose names
 * are each other's closest match: `dns-staging-erp-dev` → `dns-staging-pyerp-dev`.
 * Only a hint: the engine sees a delete and a create unless the program sets `aliases`.
 */
function pairRenames(
    removed: readonly PlanDocumentResource[],
    added: readonly PlanDocumentResource[],
): Array<{ from: PlanDocumentResource; to: PlanDocumentResource }> {
    const sameSlot = (a: PlanDocumentResource, b: PlanDocumentResource) => a.type === b.type && a.parent === b.parent;
    const best = (r: PlanDocumentResource, pool: readonly PlanDocumentResource[]) =>
        pool
            .filter((candidate) => sameSlot(r, candidate))
            .map((candidate) => ({ candidate, score: nameSimilarity(r.name, candidate.name) }))
            .sort((x, y) => y.score - x.score)[0];
    const pairs: Array<{ from: PlanDocumentResource; to: PlanDocumentResource }> = [];
    for (const from of removed) {
        const forward = best(from, added);
        if (!forward || forward.score < RENAME_SIMILARITY) continue;
        if (best(forward.candidate, removed)?.candidate === from) pairs.push({ from, to: forward.candidate });
    }
    return pairs;
}

function violationKey(v: Violation): string {
    return [v.policy, v.urn, v.message].join("\u0000");
}

/** Compares base (target branch) and head (merge request) plans of one stack by URN. */
export function diffPlans(base: PlanDocument, head: PlanDocument): PlanDiff {
    const baseByUrn = new Map(base.resources.map((r) => [r.urn, r]));
    const headByUrn = new Map(head.resources.map((r) => [r.urn, r]));
    const added = head.resources.filter((r) => !baseByUrn.has(r.urn));
    const removed = base.resources.filter((r) => !headByUrn.has(r.urn));
    const secrets = { count: 0 };
    const changed: ChangedResource[] = [];
    let unchanged = 0;
    for (const headResource of head.resources) {
        const baseResource = baseByUrn.get(headResource.urn);
        if (!baseResource) continue;
        const changes: ValueChange[] = [];
        diffValues(baseResource.inputs, headResource.inputs, [], changes, secrets);
        if (baseResource.protect !== headResource.protect) {
            changes.push({ path: "(protect)", segments: [], kind: "update", before: baseResource.protect, after: headResource.protect });
        }
        if (baseResource.parent !== headResource.parent)
            changes.push({ path: "(parent)", segments: [], kind: "update", before: baseResource.parent, after: headResource.parent });
        if (changes.length > 0) changed.push({ base: baseResource, head: headResource, changes });
        else unchanged += 1;
    }
    const possibleRenames = pairRenames(removed, added);
    const baseViolations = new Set(base.violations.map(violationKey));
    return {
        stack: head.stack || base.stack,
        added,
        removed,
        changed,
        unchanged,
        secretPathsNotCompared: secrets.count,
        possibleRenames,
        violations: head.violations.map((v) => ({ ...v, isNew: !baseViolations.has(violationKey(v)) })),
    };
}

const CONTAINER_TYPE = "docker:index/container:Container";

/*
 * What the engine does with a changed container input. kreuzwerker/terraform-provider-docker
 * (which pulumi-docker bridges), internal/provider/resource_docker_container_funcs.go,
 * resourceDockerContainerUpdate: the only settings it applies to a running container are
 * restart, max_retry_count, cpu_shares, memory, cpu_set and memory_swap (ContainerUpdate).
 * resource_docker_container.go marks nearly every other input ForceNew (a replacement). An
 * input in none of the sets below is counted as replacing: the safe side for a reviewer.
 */
const CONTAINER_UPDATED_IN_PLACE: ReadonlySet<string> = new Set(["restart", "maxRetryCount", "cpuShares", "memory", "cpuSet", "memorySwap"]);
/** Not ForceNew and not used by the update either: only the provider's state changes (how it waits, stops, removes). */
const CONTAINER_STATE_ONLY: ReadonlySet<string> = new Set([
    "destroyGraceSeconds",
    "wait",
    "waitTimeout",
    "rm",
    "start",
    "attach",
    "logs",
    "mustRun",
    "removeVolumes",
    "containerReadRefreshTimeoutMilliseconds",
]);
/**
 * Not ForceNew, yet the update does not apply them: the engine reports an update and the running
 * container keeps the old value (kreuzwerker issue #988 for healthcheck).
 */
const CONTAINER_NOT_APPLIED: ReadonlySet<string> = new Set(["healthcheck", "tmpfs", "init"]);

/** What `pulumi up` would do with a changed resource, where the offline diff can tell. */
export interface ChangeEffect {
    readonly kind: "replace" | "update" | "not-applied" | "state-only";
    /** The input keys that decide it (those forcing the replacement, or not applied). */
    readonly keys: readonly string[];
    readonly text: string;
}

function topKeys(changed: ChangedResource): string[] {
    const keys = changed.changes.map((c) => c.segments[0]).filter((k): k is string => typeof k === "string");
    return [...new Set(keys)];
}

/**
 * Which changes replace, for the types whose rules are known here: a command whose `triggers`
 * changed (`@pulumi/command` marks them replace-on-change) and a container with any input its
 * provider cannot update in place. Undefined for other types: the offline diff cannot tell.
 */
export function changeEffect(changed: ChangedResource): ChangeEffect | undefined {
    const keys = topKeys(changed);
    if (changed.head.type === COMMAND_TYPE) {
        if (keys.includes("triggers")) return { kind: "replace", keys: ["triggers"], text: "replaced (triggers are replace-on-change)" };
        return keys.length > 0 ? { kind: "update", keys: [], text: "updated in place" } : undefined;
    }
    if (changed.head.type !== CONTAINER_TYPE) return undefined;
    const forcing = keys.filter((k) => !CONTAINER_UPDATED_IN_PLACE.has(k) && !CONTAINER_STATE_ONLY.has(k) && !CONTAINER_NOT_APPLIED.has(k));
    if (forcing.length > 0) return { kind: "replace", keys: forcing, text: "replaced" };
    const ignored = keys.filter((k) => CONTAINER_NOT_APPLIED.has(k));
    if (ignored.length > 0) return { kind: "not-applied", keys: ignored, text: "not applied to the running container (the provider's update ignores it)" };
    if (keys.some((k) => CONTAINER_UPDATED_IN_PLACE.has(k))) return { kind: "update", keys: [], text: "updated in place" };
    return keys.length > 0 ? { kind: "state-only", keys: [], text: "state only: the running container does not change" } : undefined;
}

export interface OfflineNoteOptions {
    readonly stack: string;
    /** The target branch the base plan came from. */
    readonly baseRef?: string;
    readonly baseSha?: string;
    readonly headSha?: string;
    readonly jobUrl?: string;
    /** @default DEFAULT_NOTE_BUDGET_BYTES */
    readonly maxBytes?: number;
}

/** A plan resource seen as a step, so the preview's stateful rules apply unchanged. */
function asStep(resource: PlanDocumentResource, op: "delete" | "create"): PreviewStep {
    const state = {
        type: resource.type,
        urn: resource.urn,
        protect: resource.protect,
        retainOnDelete: resource.retainOnDelete,
        inputs: resource.inputs,
        outputs: {},
    };
    return {
        op,
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        oldState: op === "delete" ? state : undefined,
        newState: op === "create" ? state : undefined,
        diffReasons: [],
        replaceReasons: [],
    };
}

function statefulSuffix(resource: PlanDocumentResource): string {
    const reasons = statefulReasons(asStep(resource, "delete"));
    return reasons.length > 0 ? ` · **${reasons.join("; ")}**` : "";
}

function label(resource: PlanDocumentResource): string {
    return `${inlineCode(resource.name)} · ${inlineCode(resource.type)}`;
}

function labelHtml(resource: PlanDocumentResource): string {
    return `<code>${escapeHtml(resource.name)}</code> · <code>${escapeHtml(resource.type)}</code>`;
}

function maskedValueLines(value: unknown, segments: readonly PathSegment[]): string[] {
    return valueLines(maskValue(value, lastKey(segments)));
}

function changeLines(change: ValueChange): string[] {
    const header = `@@ ${change.path} · ${change.kind === "add" ? "added" : change.kind === "delete" ? "removed" : "changed"} @@`;
    const before = change.kind === "add" ? [] : maskedValueLines(change.before, change.segments);
    const after = change.kind === "delete" ? [] : maskedValueLines(change.after, change.segments);
    if (before.length > 1 || after.length > 1) return [header, ...lineDiff(before, after)];
    if (before.length === 1 && after.length === 1 && before[0] === MASKED && after[0] === MASKED) return [header, "  (credential-looking value changed)"];
    return [header, ...before.map((l) => `- ${l}`), ...after.map((l) => `+ ${l}`)];
}

function inputsBlock(resource: PlanDocumentResource): string {
    const lines = valueLines(maskValue(resource.inputs));
    const capped = lines.length > 200 ? [...lines.slice(0, 200), `… ${lines.length - 200} more lines in the job log`] : lines;
    return fencedBlock(capped.join("\n"), "json");
}

/** " · **replaced** · forced by `image`": what follows a changed resource's name, in Markdown or in HTML. */
function effectSuffix(effect: ChangeEffect | undefined, html: boolean): string {
    if (!effect) return "";
    const bold = html ? (t: string) => `<b>${escapeHtml(t)}</b>` : (t: string) => `**${t}**`;
    const code = html ? (t: string) => `<code>${escapeHtml(t)}</code>` : inlineCode;
    const list = (keys: readonly string[]) => `${keys.slice(0, 6).map(code).join(", ")}${keys.length > 6 ? ", …" : ""}`;
    // A command's text already says why; a container's names the inputs, as the preview note does.
    if (effect.kind === "replace" && effect.text === "replaced") return ` · ${bold(effect.text)} · forced by ${list(effect.keys)}`;
    if (effect.kind === "not-applied") return ` · ${bold(effect.text)}: ${list(effect.keys)}`;
    return ` · ${bold(effect.text)}`;
}

/** Renders the offline diff as one note for the stack, labelled as such. */
export function renderOfflineNote(diff: PlanDiff, options: OfflineNoteOptions): { body: string; truncated: boolean } {
    const removedStateful = diff.removed.filter((r) => statefulReasons(asStep(r, "delete")).length > 0);
    const removedOther = diff.removed.filter((r) => statefulReasons(asStep(r, "delete")).length === 0);
    const baseWhere = [
        options.baseRef ? `target branch ${inlineCode(options.baseRef)}` : "the target branch",
        options.baseSha ? `at ${inlineCode(options.baseSha)}` : "",
    ]
        .filter(Boolean)
        .join(" ");
    const headWhere = options.headSha ? `this merge request at ${inlineCode(options.headSha)}` : "this merge request";
    const head: string[] = [
        stackMarker(options.stack),
        `### Offline desired-state diff · stack ${inlineCode(options.stack)}`,
        [
            "> ℹ️ **This is an offline desired-state diff: no state backend was reached.** It is not a `pulumi preview`.",
            `> It compares what \`npm run plan -- ${options.stack} --json\` declares on ${baseWhere} with ${headWhere}, resource by URN.`,
            "> It cannot see drift or provider defaults. Which changes replace is told only for containers and commands, from their providers' rules; for other types a change may replace too.",
            `> Secret values are \`[secret]\` in both plans and are not compared: a changed secret does not show here${diff.secretPathsNotCompared > 0 ? ` (${plural(diff.secretPathsNotCompared, "secret value")} not compared)` : ""}.`,
        ].join("\n"),
    ];
    if (removedStateful.length > 0) {
        head.push(
            [
                `> 🛑 **DATA-LOSS RISK — ${plural(removedStateful.length, "stateful or protected resource")} ${removedStateful.length === 1 ? "disappears" : "disappear"} from the program.** \`pulumi up\` would delete ${removedStateful.length === 1 ? "it" : "them"} with the data.`,
                ">",
                ...removedStateful.map((r) => `> - 🗑️ ${label(r)} · **${statefulReasons(asStep(r, "delete")).join("; ")}**`),
            ].join("\n"),
        );
    }
    if (removedOther.length > 0) {
        head.push(
            [
                `> ⚠️ **${plural(removedOther.length, "resource")} ${removedOther.length === 1 ? "disappears" : "disappear"} from the program** and would be deleted.`,
                ">",
                ...removedOther.slice(0, 50).map((r) => `> - 🗑️ ${label(r)}`),
            ].join("\n"),
        );
    }
    head.push(
        [
            "| added | changed | removed | unchanged |",
            "| ---: | ---: | ---: | ---: |",
            `| ${diff.added.length} | ${diff.changed.length} | ${diff.removed.length > 0 ? `**${diff.removed.length}**` : 0} | ${diff.unchanged} |`,
        ].join("\n"),
    );
    // Repository-level changes (GitLab groups, projects, variables, protections, hooks, tokens) in their own section, deletions first.
    const repository = [
        ...diff.removed.filter((r) => REPOSITORY_TYPES.includes(r.type)).map((r) => `- 🗑️ removed ${label(r)}${statefulSuffix(r)}`),
        ...diff.changed
            .filter((c) => REPOSITORY_TYPES.includes(c.head.type))
            .map(
                (c) =>
                    `- ✏️ changed ${label(c.head)} · ${c.changes
                        .map((ch) => inlineCode(ch.path))
                        .slice(0, 6)
                        .join(", ")}`,
            ),
        ...diff.added.filter((r) => REPOSITORY_TYPES.includes(r.type)).map((r) => `- ➕ added ${label(r)}`),
    ];
    if (repository.length > 0) {
        const shown = repository.length > 50 ? [...repository.slice(0, 50), `- … and ${repository.length - 50} more (listed below)`] : repository;
        head.push([`#### 📦 GitLab repositories (${plural(repository.length, "change")})`, ...shown].join("\n"));
    }
    if (diff.possibleRenames.length > 0) {
        head.push(
            [
                "**Possible renames** (same type, same parent): without an `aliases` option a renamed resource is deleted and created again.",
                ...diff.possibleRenames.map((r) => `- ${inlineCode(r.from.name)} → ${inlineCode(r.to.name)} · ${inlineCode(r.to.type)}`),
            ].join("\n"),
        );
    }
    if (diff.violations.length > 0) {
        const rows = [...diff.violations]
            .sort((a, b) => (a.level === "mandatory" ? 0 : 1) - (b.level === "mandatory" ? 0 : 1))
            .slice(0, 200)
            .map((v) => {
                const level = v.level === "mandatory" ? "🚫 mandatory" : v.level === "advisory" ? "⚠️ advisory" : escapeHtml(v.level);
                const resource = v.urn ? parseUrn(v.urn).name : "(stack)";
                return `| ${level} | ${v.isNew ? "**new**" : "already on target"} | ${inlineCode(v.policy)} | ${inlineCode(resource)} | ${inlineCode(String(maskValue(v.message))).replace(/\|/g, "\\|")} |`;
            });
        head.push(
            [
                "#### Policy results (offline plan of this merge request)",
                "| level | | policy | resource | message |",
                "| --- | --- | --- | --- | --- |",
                ...rows,
            ].join("\n"),
        );
    } else {
        head.push("#### Policy results (offline plan of this merge request)\n✅ No policy violations.");
    }
    if (diff.added.length + diff.changed.length + diff.removed.length === 0) head.push("✅ **No differences** in the declared resources.");

    const items: NoteItem[] = [
        ...[...removedStateful, ...removedOther].map((r) => ({
            section: "#### 🗑️ Removed from the program",
            compact: `- 🗑️ ${label(r)}`,
            full: details(`🗑️ ${labelHtml(r)}`, inputsBlock(r)),
        })),
        ...diff.changed.map((c) => {
            const lines = c.changes.flatMap(changeLines);
            const capped = lines.length > 200 ? [...lines.slice(0, 200), `… ${lines.length - 200} more lines in the job log`] : lines;
            const paths =
                c.changes
                    .slice(0, 6)
                    .map((ch) => inlineCode(ch.path))
                    .join(", ") + (c.changes.length > 6 ? ", …" : "");
            const effect = changeEffect(c);
            const icon = effect?.kind === "replace" ? "♻️" : "✏️";
            return {
                section: "#### ✏️ Changed inputs",
                compact: `- ${icon} ${label(c.head)} · ${paths}${effectSuffix(effect, false)}`,
                full: details(
                    `${icon} ${labelHtml(c.head)} · ${plural(c.changes.length, "change")}${effectSuffix(effect, true)}`,
                    fencedBlock(capped.join("\n"), "diff"),
                ),
            };
        }),
        ...diff.added.map((r) => ({
            section: "#### ➕ Added to the program",
            compact: `- ➕ ${label(r)}`,
            full: details(`➕ ${labelHtml(r)}`, inputsBlock(r)),
        })),
    ];
    const footer = (listed: number, withDetail: number, total: number) => {
        const cut =
            listed < total || withDetail < listed
                ? `> ✂️ **Shortened to fit GitLab's note limit:** ${listed} of ${total} resources listed, ${withDetail} with details. Both plans are in the ${jobLogPointer(options.jobUrl)} artifacts.\n\n`
                : "";
        return `${cut}<sub>Offline desired-state diff · ${jobLogPointer(options.jobUrl)} · replaced by a real \`pulumi preview\` note once the pipeline can reach the state backend.</sub>`;
    };
    const fitted = fitNote(head, items, footer, options.maxBytes ?? DEFAULT_NOTE_BUDGET_BYTES);
    return { body: fitted.body, truncated: fitted.truncated };
}
