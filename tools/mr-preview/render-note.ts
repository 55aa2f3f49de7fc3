// Renders one merge-request note per stack from a preview: data-loss risk first, then the
// counts, policy results, diagnostics and every resource grouped by operation, cut to
// fit GitLab's note limit with the most dangerous changes kept longest.
import { NoteItem, fitNote } from "./fit";
import {
    COUNT_ORDER,
    GROUP_ORDER,
    GROUP_TITLES,
    OpGroup,
    REPOSITORY_TYPES,
    commandReplacementHint,
    containerReplacement,
    countOps,
    hasChanges,
    isDestructive,
    opGroup,
    statefulReasons,
} from "./classify";
import { maskString, maskValue } from "./mask";
import { DEFAULT_NOTE_BUDGET_BYTES, details, escapeHtml, fencedBlock, inlineCode, jobLogPointer, plural, stackMarker } from "./markdown";
import { Diagnostic, PolicyViolation, PreviewReport, PreviewStep, parseUrn } from "./model";
import { PathSegment, getAtPath, isMissing, lastKey, lineDiff, parsePropertyPath, valueLines } from "./values";

export interface NoteOptions {
    readonly stack: string;
    /** $CI_JOB_URL: where the full preview is. */
    readonly jobUrl?: string;
    /** $CI_COMMIT_SHORT_SHA of the previewed commit. */
    readonly commitSha?: string;
    /** @default DEFAULT_NOTE_BUDGET_BYTES */
    readonly maxBytes?: number;
}

export interface RenderedNote {
    readonly body: string;
    /** Whether anything was left out or folded to fit. */
    readonly truncated: boolean;
    readonly resourcesTotal: number;
    readonly resourcesListed: number;
    readonly resourcesWithDiffs: number;
}

/** Lines of one resource's property detail before it is cut (a Caddyfile can be long). */
const MAX_DETAIL_LINES = 200;
/** Entries a warning or policy list shows before "and N more". */
const MAX_LIST_ENTRIES = 50;

const OP_ICON: Readonly<Record<OpGroup, string>> = { delete: "🗑️", replace: "♻️", update: "✏️", create: "➕", import: "📥", other: "ℹ️" };

/** How inline text is written: Markdown in list lines, HTML inside <summary>. */
interface Inline {
    readonly code: (text: string) => string;
    readonly bold: (text: string) => string;
    readonly text: (text: string) => string;
}
const MARKDOWN: Inline = { code: inlineCode, bold: (t) => `**${t}**`, text: (t) => t };
const HTML: Inline = { code: (t) => `<code>${escapeHtml(t)}</code>`, bold: (t) => `<b>${escapeHtml(t)}</b>`, text: escapeHtml };

function resourceLabel(step: PreviewStep, f: Inline = MARKDOWN): string {
    return `${f.code(step.name)} · ${f.code(step.type)}`;
}

/** Keys that force the replacement, from replaceReasons or from the *-replace diff kinds. */
function replaceKeys(step: PreviewStep): string[] {
    if (step.replaceReasons.length > 0) return [...step.replaceReasons];
    return (step.detailedDiff ?? []).filter((d) => d.kind.endsWith("-replace")).map((d) => d.path);
}

/** What replacing a container means for its service, by how it is replaced (classify.ts). */
const CONTAINER_REPLACEMENT_TEXT = {
    release: "health-gated release: the new container starts beside the old one, which serves until the new one passes its health check (no downtime)",
    "delete-first": "delete-first: the old container stops before the new one starts (downtime for its service)",
} as const;

/**
 * What follows a resource's name: uncommon ops, what forces a replacement, how a container is
 * replaced, why it holds data. `steps` is the whole preview (a container's release id is a sibling).
 */
function stepSuffix(step: PreviewStep, steps: readonly PreviewStep[], f: Inline = MARKDOWN): string {
    const parts: string[] = [];
    // The section heading already says create/update/delete/replace; anything else is named.
    if (!["create", "update", "delete", "replace"].includes(step.op)) parts.push(f.text(step.op === "same" ? "protect flag changes" : step.op));
    const forced = replaceKeys(step);
    if (opGroup(step.op) === "replace" && forced.length > 0) {
        parts.push(`forced by ${forced.slice(0, 6).map(f.code).join(", ")}${forced.length > 6 ? ", …" : ""}`);
    }
    const command = commandReplacementHint(step);
    if (command) {
        const runs = command.runsDelete ? `runs its ${f.code("delete")}, then ${f.code("create")} again` : "only re-runs the command";
        parts.push(f.text("replacing it ") + runs + f.text(": the container or service it acts on stays"));
    }
    const container = containerReplacement(step, steps);
    if (container === "release") parts.push(f.text(CONTAINER_REPLACEMENT_TEXT.release));
    else if (container === "delete-first") parts.push(f.bold(CONTAINER_REPLACEMENT_TEXT["delete-first"]));
    const reasons = statefulReasons(step);
    if (reasons.length > 0 && isDestructive(step)) parts.push(f.bold(reasons.join("; ")));
    return parts.length > 0 ? ` · ${parts.join(" · ")}` : "";
}

function kindWords(kind: string): string {
    const base = kind.replace(/-replace$/, "");
    const words = base === "add" ? "added" : base === "delete" ? "removed" : "changed";
    return kind.endsWith("-replace") ? `${words}, forces replacement` : words;
}

function maskedLines(value: unknown, segments: readonly PathSegment[]): string[] {
    if (isMissing(value)) return [];
    return valueLines(maskValue(value, lastKey(segments)));
}

/** The diff lines of one property path between old and new state. */
function propertyDiffLines(step: PreviewStep, path: string, kind: string, inputDiff: boolean): string[] {
    const segments = parsePropertyPath(path);
    // inputDiff false: the engine diffed against the old state (outputs), which inputs may lack.
    let oldValue = getAtPath(inputDiff ? step.oldState?.inputs : step.oldState?.outputs, segments);
    if (isMissing(oldValue)) oldValue = getAtPath(step.oldState?.inputs, segments);
    const newValue = getAtPath(step.newState?.inputs, segments);
    const before = kind.startsWith("add") ? [] : maskedLines(oldValue, segments);
    const after = kind.startsWith("delete") ? [] : maskedLines(newValue, segments);
    const header = `@@ ${path} · ${kindWords(kind)} @@`;
    if (before.length === 0 && after.length === 0) return [header, "  (value not shown in the preview)"];
    if (before.length === 1 && after.length === 1 && before[0] === "[secret]" && after[0] === "[secret]") {
        return [header, "  (secret value changed)"];
    }
    if (before.length > 1 || after.length > 1) return [header, ...lineDiff(before, after)];
    return [header, ...before.map((l) => `- ${l}`), ...after.map((l) => `+ ${l}`)];
}

function inputsLines(inputs: Readonly<Record<string, unknown>> | undefined): string[] {
    const shown = Object.fromEntries(Object.entries(inputs ?? {}).filter(([key]) => key !== "__defaults"));
    if (Object.keys(shown).length === 0) return ["(no inputs)"];
    return valueLines(maskValue(shown));
}

/** The body of a resource's <details>: property diffs, or the inputs of a create/delete. */
function stepDetailLines(step: PreviewStep): string[] {
    const group = opGroup(step.op);
    if (group === "create" || group === "import") return inputsLines(step.newState?.inputs);
    if (group === "delete") return inputsLines(step.oldState?.inputs);
    const lines: string[] = [];
    if (step.detailedDiff && step.detailedDiff.length > 0) {
        for (const diff of step.detailedDiff) lines.push(...propertyDiffLines(step, diff.path, diff.kind, diff.inputDiff));
    } else {
        const forced = new Set(step.replaceReasons);
        for (const key of step.diffReasons.length > 0 ? step.diffReasons : step.replaceReasons) {
            lines.push(...propertyDiffLines(step, key, forced.has(key) ? "update-replace" : "update", true));
        }
    }
    return lines.length > 0 ? lines : ["(the provider reported no property detail)"];
}

function capLines(lines: readonly string[], max: number): string[] {
    if (lines.length <= max) return [...lines];
    return [...lines.slice(0, max), `… ${lines.length - max} more lines in the job log`];
}

function resourceItem(step: PreviewStep, steps: readonly PreviewStep[]): NoteItem {
    const group = opGroup(step.op);
    const compact = `- ${OP_ICON[group]} ${resourceLabel(step)}${stepSuffix(step, steps)}`;
    const body = capLines(stepDetailLines(step), MAX_DETAIL_LINES);
    const diffLanguage = group === "create" || group === "import" || group === "delete" ? "json" : "diff";
    const full = details(`${OP_ICON[group]} ${resourceLabel(step, HTML)}${stepSuffix(step, steps, HTML)}`, fencedBlock(body.join("\n"), diffLanguage));
    return { section: `#### ${GROUP_TITLES[group]}`, compact, full };
}

function bulletList(entries: readonly string[], max: number, moreText: (n: number) => string): string[] {
    const shown = entries.slice(0, max);
    return entries.length > max ? [...shown, moreText(entries.length - max)] : shown;
}

/**
 * Which container replacements are downtime and which are not, for the warning's headline: a
 * reviewer reads "replace" as downtime, true only of the containers replaced delete-first.
 */
function containerReplacementSummary(steps: readonly PreviewStep[]): string {
    const count = (kind: "release" | "delete-first") => steps.filter((s) => containerReplacement(s, steps) === kind).length;
    const deleteFirst = count("delete-first");
    const released = count("release");
    const sentences: string[] = [];
    if (deleteFirst > 0) {
        sentences.push(
            `**Downtime:** ${plural(deleteFirst, "container")} (data stores and other fixed-name services) ${deleteFirst === 1 ? "is" : "are"} replaced delete-first: the old one stops before the new one starts.`,
        );
    }
    if (released > 0) {
        sentences.push(
            `**No downtime:** ${plural(released, "released container")} (business apps, the portal) ${released === 1 ? "is" : "are"} replaced create-first behind a health gate: the old one serves until the new one passes its health check and Caddy switches to it.`,
        );
    }
    return sentences.map((s) => ` ${s}`).join("");
}

function warningBlocks(steps: readonly PreviewStep[]): string[] {
    const destructive = steps.filter(isDestructive);
    if (destructive.length === 0) return [];
    const stateful = destructive.filter((s) => statefulReasons(s).length > 0);
    const other = destructive.filter((s) => statefulReasons(s).length === 0);
    const blocks: string[] = [];
    const entry = (s: PreviewStep) => `- ${OP_ICON[opGroup(s.op)]} ${opGroup(s.op)} ${resourceLabel(s)}${stepSuffix(s, steps)}`;
    if (stateful.length > 0) {
        blocks.push(
            [
                `> 🛑 **DATA-LOSS RISK — ${plural(stateful.length, "stateful or protected resource")} will be deleted or replaced.**`,
                "> What they hold does not survive `pulumi up`. Take a backup and confirm in this merge request that the loss is intended.",
                ">",
                ...bulletList(stateful.map(entry), MAX_LIST_ENTRIES, (n) => `- … and ${n} more (listed below)`).map((l) => `> ${l}`),
            ].join("\n"),
        );
    }
    if (other.length > 0) {
        blocks.push(
            [
                `> ⚠️ **${plural(other.length, "resource")} will be deleted or replaced.**${containerReplacementSummary(steps)}`,
                ">",
                ...bulletList(other.map(entry), MAX_LIST_ENTRIES, (n) => `- … and ${n} more (listed below)`).map((l) => `> ${l}`),
            ].join("\n"),
        );
    }
    return blocks;
}

/** Repository-level changes (GitLab groups, projects, variables, protections, hooks, tokens), deletions first. */
function repositorySection(steps: readonly PreviewStep[]): string | undefined {
    const changed = steps.filter((s) => REPOSITORY_TYPES.includes(s.type) && opGroup(s.op) !== "other");
    if (changed.length === 0) return undefined;
    const ordered = GROUP_ORDER.flatMap((group) => changed.filter((s) => opGroup(s.op) === group));
    const entries = ordered.map((s) => `- ${OP_ICON[opGroup(s.op)]} ${opGroup(s.op)} ${resourceLabel(s)}${stepSuffix(s, steps)}`);
    return [
        `#### 📦 GitLab repositories (${plural(changed.length, "change")})`,
        ...bulletList(entries, MAX_LIST_ENTRIES, (n) => `- … and ${n} more (listed below)`),
    ].join("\n");
}

function countsTable(counts: Readonly<Record<string, number>>): string {
    const ops = [
        ...COUNT_ORDER.filter((op) => op in counts),
        ...Object.keys(counts)
            .filter((op) => !COUNT_ORDER.includes(op))
            .sort(),
    ];
    if (ops.length === 0) return "_The preview reported no resources._";
    const header = `| ${ops.join(" | ")} |`;
    const rule = `| ${ops.map(() => "---:").join(" | ")} |`;
    const row = `| ${ops.map((op) => ((op === "replace" || op === "delete") && counts[op] > 0 ? `**${counts[op]}**` : String(counts[op]))).join(" | ")} |`;
    return [header, rule, row].join("\n");
}

const LEVEL_BADGE: Readonly<Record<string, string>> = {
    mandatory: "🚫 mandatory",
    advisory: "⚠️ advisory",
    remediate: "🔧 remediate",
    disabled: "disabled",
};

function violationName(violation: PolicyViolation): string {
    return violation.urn ? parseUrn(violation.urn).name : "(stack)";
}

function policySection(report: PreviewReport, eventsGiven: boolean): string {
    const lines = ["#### Policy results"];
    const packs = Object.entries(report.policyPacks).map(([name, version]) => `${inlineCode(name)} ${escapeHtml(version)}`);
    const violations = [...report.policyViolations].sort((a, b) => (a.level === "mandatory" ? 0 : 1) - (b.level === "mandatory" ? 0 : 1));
    if (violations.length === 0) {
        if (!eventsGiven) lines.push("_No engine-event log was given, so policy results are not known here: see the job log._");
        else lines.push(packs.length > 0 ? `✅ No policy violations (${packs.join(", ")}).` : "⚠️ No policy pack ran in this preview.");
        return lines.join("\n");
    }
    if (packs.length > 0) lines.push(`Packs: ${packs.join(", ")}`, "");
    lines.push("| level | policy | resource | message |", "| --- | --- | --- | --- |");
    const rows = violations.map((v) => {
        const level = LEVEL_BADGE[v.level] ?? escapeHtml(v.level);
        const severity = v.severity ? ` (${escapeHtml(v.severity)})` : "";
        const policy = v.policyPack ? `${v.policyPack}/${v.policyName}` : v.policyName;
        const message = inlineCode(maskString(v.message)).replace(/\|/g, "\\|");
        return `| ${level}${severity} | ${inlineCode(policy)} | ${inlineCode(violationName(v))} | ${message} |`;
    });
    lines.push(...bulletList(rows, 200, (n) => `| | | | … and ${n} more in the job log |`));
    return lines.join("\n");
}

function diagnosticsSection(diagnostics: readonly Diagnostic[]): string | undefined {
    const shown = diagnostics.filter((d) => d.severity === "error" || d.severity === "warning");
    if (shown.length === 0) return undefined;
    const ordered = [...shown].sort((a, b) => (a.severity === "error" ? 0 : 1) - (b.severity === "error" ? 0 : 1));
    const entries = ordered.map((d) => {
        const where = d.urn ? ` on ${inlineCode(parseUrn(d.urn).name)}` : "";
        const icon = d.severity === "error" ? "❌ error" : "⚠️ warning";
        const message = maskString(d.message).slice(0, 4000);
        return `- ${icon}${where}:\n\n${fencedBlock(message, "text")
            .split("\n")
            .map((l) => `  ${l}`)
            .join("\n")}`;
    });
    return ["#### Diagnostics", ...bulletList(entries, MAX_LIST_ENTRIES, (n) => `- … and ${n} more in the job log`)].join("\n");
}

function statusLine(report: PreviewReport, counts: Readonly<Record<string, number>>): string {
    const mandatory = report.policyViolations.filter((v) => v.level === "mandatory").length;
    const errors = report.diagnostics.filter((d) => d.severity === "error").length;
    if (mandatory > 0 || errors > 0) {
        const why = [mandatory > 0 ? plural(mandatory, "mandatory policy violation") : "", errors > 0 ? plural(errors, "error") : ""].filter(Boolean);
        return `❌ **\`pulumi up\` would fail:** ${why.join(", ")}.`;
    }
    return hasChanges(counts) ? "" : "✅ **No changes:** the stack already matches this merge request.";
}

const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";

/**
 * Which image each service moves from and to: every pulled image (`<service>-image`) whose
 * reference changes. Business apps and the portal take it as a health-gated release; the
 * reviewer sees the way back too (docs/releases.md, Rollback).
 */
export function imageMoves(steps: readonly PreviewStep[]): { service: string; from: string; to: string }[] {
    const moves: { service: string; from: string; to: string }[] = [];
    for (const step of steps) {
        if (step.type !== REMOTE_IMAGE || step.op === "create" || step.op === "delete") continue;
        const from = step.oldState?.inputs.name;
        const to = step.newState?.inputs.name;
        if (typeof from !== "string" || typeof to !== "string" || from === to) continue;
        if (moves.some((m) => m.from === from && m.to === to && m.service === step.name.replace(/-image$/, ""))) continue;
        moves.push({ service: step.name.replace(/-image$/, ""), from, to });
    }
    return moves.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

function imageMovesSection(steps: readonly PreviewStep[]): string | undefined {
    const moves = imageMoves(steps);
    if (moves.length === 0) return undefined;
    return [
        "#### Image moves",
        "",
        "| service | from | to |",
        "| --- | --- | --- |",
        ...moves.map((m) => `| ${inlineCode(m.service)} | ${inlineCode(m.from)} | ${inlineCode(m.to)} |`),
        "",
        "_Rollback: set the `from` image again and run `pulumi up` (docs/releases.md)._",
    ].join("\n");
}

/** Renders the note for one stack's preview. `eventsGiven` says whether policy results could be known. */
export function renderPreviewNote(report: PreviewReport, options: NoteOptions, eventsGiven = true): RenderedNote {
    const budget = options.maxBytes ?? DEFAULT_NOTE_BUDGET_BYTES;
    const counts = countOps(report);
    const steps = report.steps;
    const commit = options.commitSha ? ` at ${inlineCode(options.commitSha)}` : "";
    const head = [
        stackMarker(options.stack),
        `### Pulumi preview · stack ${inlineCode(options.stack)}${commit}`,
        ...warningBlocks(steps),
        statusLine(report, counts),
        countsTable(counts),
        repositorySection(steps),
        imageMovesSection(steps),
        policySection(report, eventsGiven),
        diagnosticsSection(report.diagnostics),
        report.unreadableEventLines > 0 ? `_${plural(report.unreadableEventLines, "engine-event line")} could not be read (a run cut short?)._` : undefined,
    ].filter((block): block is string => block !== undefined && block !== "");

    // Most dangerous first; within a group, stateful resources first.
    const ordered = GROUP_ORDER.flatMap((group) => {
        const inGroup = steps.filter((s) => opGroup(s.op) === group);
        return [...inGroup.filter((s) => statefulReasons(s).length > 0), ...inGroup.filter((s) => statefulReasons(s).length === 0)];
    });
    const footer = (listed: number, withDiffs: number, total: number) => {
        const cut =
            listed < total || withDiffs < listed
                ? `> ✂️ **Shortened to fit GitLab's note limit:** ${listed} of ${total} resources listed, ${withDiffs} with property diffs. The full preview is in the ${jobLogPointer(options.jobUrl)}.\n\n`
                : "";
        return `${cut}<sub>Full preview output: ${jobLogPointer(options.jobUrl)} · this note is updated by every pipeline of this merge request.</sub>`;
    };
    const fitted = fitNote(
        head,
        ordered.map((s) => resourceItem(s, steps)),
        footer,
        budget,
    );
    return {
        body: fitted.body,
        truncated: fitted.truncated,
        resourcesTotal: fitted.total,
        resourcesListed: fitted.listed,
        resourcesWithDiffs: fitted.withDetail,
    };
}
