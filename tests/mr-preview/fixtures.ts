// Paths and loaders for the fixtures beside this file, and the merge request they describe.
//
// The fixtures are one merge request into `develop`, on the staging stack of the real program:
// - plan-staging-base.json: `npm run plan -- staging --json` of the target branch;
// - plan-staging-head.json: the same with stagingMergeRequestConfig() as stack config, plus one
//   component change config cannot express (PostgreSQL's data volume gets POSTGRES_BACKUP_LABEL);
// - preview-staging.json: what `pulumi preview --json` reports for that change against a stack
//   deployed from the target branch;
// - preview-staging.events.ndjson: a cut-down `--event-log` of the same preview (its own summary
//   counts what it carries) with the policy pack's findings and a last line cut short.
// fixtures-fidelity.test.ts checks them against the program and the policy pack as they are now.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { diffPlans, parsePlanDocument, renderOfflineNote } from "../../tools/mr-preview/offline-diff";
import { mergeReports, parseEngineEvents, parsePreviewDigest } from "../../tools/mr-preview/parse";
import { renderPreviewNote } from "../../tools/mr-preview/render-note";

export const FIXTURES = path.join(__dirname, "fixtures");

export function fixturePath(name: string): string {
    return path.join(FIXTURES, name);
}

export function readFixture(name: string): string {
    return readFileSync(fixturePath(name), "utf8");
}

/** The weak legacy-database password the merge request puts in plain config (the pack refuses it). */
export const WEAK_DB_PASSWORD = "Passw0rd123";
/** A GitLab token pasted into a URL of a plain env entry (the pack flags it, the note masks it). */
export const PASTED_GITLAB_TOKEN = "glpat-xQ4vR7tY9uW2zA5bC8dE";

/**
 * The merge request's stack config, from the committed staging config: a new app `erp-dev` on a
 * legacy database (so `database: false` and its DB_* env in plain config), hjhs 1.4.1 → 1.4.2,
 * and the GitLab runner switched off on staging.
 */
/**
 * The two env entries of the merge request that carry credentials in plain config. The config now
 * refuses them (exit 2); the fixtures keep them, as a branch from before that check would produce
 * them, because the note must mask them all the same.
 */
export const PLAINTEXT_CREDENTIAL_ENV = {
    DB_PASSWORD: WEAK_DB_PASSWORD,
    LEGACY_IMPORT: `https://staging-gitlab.nexora.restry.cn/api/v4/projects/42/repository/archive?private_token=${PASTED_GITLAB_TOKEN}`,
} as const;

export function stagingMergeRequestConfig(base: Readonly<Record<string, unknown>>, options: { plaintextCredentials?: boolean } = {}): Record<string, unknown> {
    const apps = base["nexora:apps"] as Record<string, Record<string, unknown>>;
    return {
        ...base,
        "nexora:runnerEnabled": false,
        "nexora:apps": {
            ...apps,
            "erp-dev": {
                image: "registry.cn-hangzhou.aliyuncs.com/nexora-erp/pyerp:2026.11.3-rc.1",
                port: 8000,
                healthPath: "/api/health",
                database: false,
                env: {
                    APP_ENV: "development",
                    DB_HOST: "legacy-erp-db.nexora.internal",
                    ...(options.plaintextCredentials === false ? {} : PLAINTEXT_CREDENTIAL_ENV),
                },
            },
            hjhs: { ...apps.hjhs, image: "registry.cn-hangzhou.aliyuncs.com/nexora-shop/hjhs:1.4.2" },
        },
    };
}

/** The label the merge request's component change adds to PostgreSQL's data volume (it forces a replacement). */
export const POSTGRES_BACKUP_LABEL = { label: "nexora.backup", value: "daily" } as const;

/** What the example notes in docs/merge-request-note.md are rendered with. */
export const EXAMPLE_NOTE = {
    stack: "staging",
    commitSha: "1a2b3c4d",
    jobUrl: "https://gitlab.nexora.restry.cn/nexora/platform/-/jobs/4242",
    baseRef: "develop",
    offlineJobUrl: "https://gitlab.nexora.restry.cn/nexora/platform/-/jobs/4243",
} as const;

/** The example note: the staging preview fixtures as `npm run mr-preview -- --preview … --events …` renders them. */
export function exampleNote(): string {
    const report = mergeReports(parsePreviewDigest(readFixture("preview-staging.json")), parseEngineEvents(readFixture("preview-staging.events.ndjson")));
    return renderPreviewNote(report, { stack: EXAMPLE_NOTE.stack, jobUrl: EXAMPLE_NOTE.jobUrl, commitSha: EXAMPLE_NOTE.commitSha }).body;
}

/** The offline example: the staging plan fixtures as `npm run mr-preview -- --offline-base … --offline-head …` renders them. */
export function exampleOfflineNote(): string {
    const diff = diffPlans(parsePlanDocument(readFixture("plan-staging-base.json"), "base"), parsePlanDocument(readFixture("plan-staging-head.json"), "head"));
    return renderOfflineNote(diff, {
        stack: EXAMPLE_NOTE.stack,
        baseRef: EXAMPLE_NOTE.baseRef,
        headSha: EXAMPLE_NOTE.commitSha,
        jobUrl: EXAMPLE_NOTE.offlineJobUrl,
    }).body;
}

export const EXAMPLE_NOTE_PATH = path.join(__dirname, "../../docs/merge-request-note.md");

/** The document's shape: its intro up to the first `---`, the note, prose between `---` and the offline note, the offline note to the end. */
const EXAMPLE_DOC = /^([\s\S]*?\n---\n\n)([\s\S]*?)(\n\n---\n\n[\s\S]*?\n\n)(<!-- nexora-mr-preview[\s\S]*)$/;

/**
 * docs/merge-request-note.md with its notes rendered from the fixtures again: the whole preview
 * note between the two `---` rules, and the offline note's opening (everything before its counts
 * table) after them. The prose around them is the document's own. To re-render:
 * `npx tsx -e 'import {writeFileSync,readFileSync} from "node:fs"; import {EXAMPLE_NOTE_PATH as p, renderExampleDoc as r} from "./tests/mr-preview/fixtures"; writeFileSync(p, r(readFileSync(p, "utf8")))'`
 */
export function renderExampleDoc(doc: string): string {
    if (!EXAMPLE_DOC.test(doc)) throw new Error("docs/merge-request-note.md: not of the expected shape (intro, ---, note, ---, prose, offline note)");
    const offline = exampleOfflineNote();
    const offlineOpening = offline.slice(0, offline.indexOf("\n\n| added |"));
    return doc.replace(EXAMPLE_DOC, (_all, intro: string, _note: string, between: string) => `${intro}${exampleNote()}${between}${offlineOpening}\n`);
}
