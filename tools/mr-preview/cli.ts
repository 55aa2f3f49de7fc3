// npm run mr-preview -- --preview preview.json [--events events.ndjson] --stack NAME
//                       [--out note.md] [--terraform-report report.json] [--post]
// npm run mr-preview -- --offline-base base.json --offline-head head.json --stack NAME
//                       [--base-ref develop] [--out note.md] [--post]
//
// Exit codes: 0 done, 1 input or GitLab failure, 2 bad arguments (also: inputs of a stack other than
// --stack, or of two stacks).
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { countOps } from "./classify";
import { MissingVariableError, noteTargetFromEnv, upsertStackNote } from "./gitlab-note";
import { parseUrn, type PreviewReport } from "./model";
import { diffPlans, parsePlanDocument, renderOfflineNote } from "./offline-diff";
import type { PlanDocument } from "../plan/report";
import { mergeReports, parseEngineEvents, parsePreviewDigest } from "./parse";
import { renderPreviewNote } from "./render-note";
import { terraformReport } from "./terraform-report";

export const USAGE = `usage:
  npm run mr-preview -- --preview FILE [--events FILE] --stack NAME [--out FILE] [--terraform-report FILE] [--post]
  npm run mr-preview -- --events FILE --stack NAME [...]            (steps taken from the event log)
  npm run mr-preview -- --offline-base FILE --offline-head FILE --stack NAME [--base-ref BRANCH] [--out FILE] [--post]

  --preview FILE           output of \`pulumi preview --json\`
  --events FILE            engine events (NDJSON) from \`pulumi preview --event-log FILE\`; carries policy results
  --stack NAME             the stack the note is for (one note per stack on the merge request)
  --out FILE               write the note here (default: standard output unless --post)
  --terraform-report FILE  write {"create","update","delete"} for GitLab's merge-request widget
  --post                   create or update this stack's note on the merge request
                           (needs NEXORA_MR_NOTE_TOKEN, CI_SERVER_URL, CI_MERGE_REQUEST_IID)
  --offline-base FILE      \`npm run plan -- NAME --json\` of the target branch
  --offline-head FILE      \`npm run plan -- NAME --json\` of the merge request
  --base-ref BRANCH        target branch name shown in the offline note (default: $CI_MERGE_REQUEST_TARGET_BRANCH_NAME)
  --job-url URL            where the full output is (default: $CI_JOB_URL)
  --max-bytes N            note size budget in bytes (default: GitLab's note limit less a margin)`;

export interface CliIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
}

class UsageError extends Error {}

/** Stacks an input speaks of: its own `stack` field and the stack segment of every URN in it. */
function stacksOfPlan(doc: PlanDocument): Set<string> {
    const stacks = new Set<string>(doc.stack ? [doc.stack] : []);
    for (const r of doc.resources) stacks.add(parseUrn(r.urn).stack);
    for (const v of doc.violations) if (v.urn) stacks.add(parseUrn(v.urn).stack);
    stacks.delete("");
    return stacks;
}

function stacksOfPreview(report: PreviewReport): Set<string> {
    const urns = [...report.steps.map((s) => s.urn), ...report.diagnostics.map((d) => d.urn), ...report.policyViolations.map((v) => v.urn)];
    const stacks = new Set(urns.filter((u): u is string => u !== undefined && u !== "").map((u) => parseUrn(u).stack));
    stacks.delete("");
    return stacks;
}

/**
 * A note titled for one stack must describe that stack: inputs of another stack (or of two) would
 * post a wrong diff, with a false data-loss warning, under the right title. Throws a UsageError naming both.
 */
function checkStacks(stack: string, inputs: readonly { flag: string; stacks: Set<string> }[]): void {
    for (const input of inputs) {
        if (input.stacks.size > 1) throw new UsageError(`${input.flag} mixes stacks ${[...input.stacks].map((s) => JSON.stringify(s)).join(" and ")}`);
    }
    const named = inputs.filter((i) => i.stacks.size === 1).map((i) => ({ flag: i.flag, stack: [...i.stacks][0]! }));
    for (let i = 1; i < named.length; i++) {
        if (named[i]!.stack !== named[0]!.stack)
            throw new UsageError(
                `${named[0]!.flag} is stack ${JSON.stringify(named[0]!.stack)} but ${named[i]!.flag} is stack ${JSON.stringify(named[i]!.stack)}: both must be plans of one stack`,
            );
    }
    const other = named.find((n) => n.stack !== stack);
    if (other) throw new UsageError(`--stack is ${JSON.stringify(stack)} but ${other.flag} is a plan of stack ${JSON.stringify(other.stack)}`);
}

const OPTIONS = {
    preview: { type: "string" },
    events: { type: "string" },
    stack: { type: "string" },
    out: { type: "string" },
    "terraform-report": { type: "string" },
    post: { type: "boolean" },
    "offline-base": { type: "string" },
    "offline-head": { type: "string" },
    "base-ref": { type: "string" },
    "job-url": { type: "string" },
    "max-bytes": { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

function readInput(path: string, flag: string): string {
    try {
        return readFileSync(path, "utf8");
    } catch (err) {
        throw new Error(`${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
}

/** Runs the tool; returns the exit code instead of exiting so tests can call it. */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo): Promise<number> {
    let values: { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };
    try {
        ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
        if (values.help) {
            io.stdout(`${USAGE}\n`);
            return 0;
        }
        if (!values.stack || values.stack.trim() === "") throw new UsageError("--stack NAME is required");
        const offline = values["offline-base"] !== undefined || values["offline-head"] !== undefined;
        if (offline) {
            if (!values["offline-base"]) throw new UsageError("--offline-base FILE is required with --offline-head");
            if (!values["offline-head"]) throw new UsageError("--offline-head FILE is required with --offline-base");
            if (values.preview || values.events) throw new UsageError("--preview/--events cannot be combined with --offline-base/--offline-head");
        } else if (!values.preview && !values.events) {
            throw new UsageError("--preview FILE (or --events FILE) is required, or --offline-base and --offline-head");
        }
        if (values["max-bytes"] !== undefined && !/^\d+$/.test(values["max-bytes"]))
            throw new UsageError(`--max-bytes expects a whole number of bytes, got ${JSON.stringify(values["max-bytes"])}`);
    } catch (err) {
        io.stderr(`mr-preview: ${(err as Error).message}\n\n${USAGE}\n`);
        return 2;
    }

    try {
        const stack = values.stack as string;
        const jobUrl = values["job-url"] ?? env.CI_JOB_URL;
        const maxBytes = values["max-bytes"] !== undefined ? Number(values["max-bytes"]) : undefined;
        // Fail on a missing variable before any work, so the job log says what to set first.
        const target = values.post ? noteTargetFromEnv(env) : undefined;

        let body: string;
        if (values["offline-base"] && values["offline-head"]) {
            const base = parsePlanDocument(readInput(values["offline-base"], "--offline-base"), "--offline-base");
            const head = parsePlanDocument(readInput(values["offline-head"], "--offline-head"), "--offline-head");
            checkStacks(stack, [
                { flag: "--offline-base", stacks: stacksOfPlan(base) },
                { flag: "--offline-head", stacks: stacksOfPlan(head) },
            ]);
            const diff = diffPlans(base, head);
            body = renderOfflineNote(diff, {
                stack,
                baseRef: values["base-ref"] ?? env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME,
                baseSha: env.CI_MERGE_REQUEST_DIFF_BASE_SHA?.slice(0, 8),
                headSha: env.CI_COMMIT_SHORT_SHA,
                jobUrl,
                maxBytes,
            }).body;
            if (values["terraform-report"]) {
                writeFileSync(
                    values["terraform-report"],
                    `${JSON.stringify({ create: diff.added.length, update: diff.changed.length, delete: diff.removed.length })}\n`,
                );
            }
        } else {
            const digest = values.preview ? parsePreviewDigest(readInput(values.preview, "--preview")) : undefined;
            const events = values.events ? parseEngineEvents(readInput(values.events, "--events")) : undefined;
            checkStacks(stack, [
                ...(digest ? [{ flag: "--preview", stacks: stacksOfPreview(digest) }] : []),
                ...(events ? [{ flag: "--events", stacks: stacksOfPreview(events) }] : []),
            ]);
            const report = mergeReports(digest, events);
            body = renderPreviewNote(report, { stack, jobUrl, commitSha: env.CI_COMMIT_SHORT_SHA, maxBytes }, events !== undefined).body;
            if (values["terraform-report"]) writeFileSync(values["terraform-report"], `${JSON.stringify(terraformReport(countOps(report)))}\n`);
        }

        if (values.out) writeFileSync(values.out, body);
        else if (!values.post) io.stdout(`${body}\n`);
        if (target) {
            const result = await upsertStackNote(target, stack, body);
            io.stderr(`mr-preview: ${result.action} note ${result.noteId} for stack ${stack} on merge request !${target.mergeRequestIid}\n`);
        }
        return 0;
    } catch (err) {
        if (err instanceof UsageError) {
            io.stderr(`mr-preview: ${err.message}. Nothing was written or posted.\n`);
            return 2;
        }
        if (err instanceof MissingVariableError) io.stderr(`mr-preview: --post: ${err.message}\n`);
        else io.stderr(`mr-preview: ${(err as Error).message}\n`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2), process.env, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then(
        (code) => {
            process.exitCode = code;
        },
        (err: unknown) => {
            process.stderr.write(`mr-preview: ${String(err)}\n`);
            process.exitCode = 1;
        },
    );
}
