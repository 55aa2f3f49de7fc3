import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../tools/mr-preview/cli";
import { stackMarker } from "../../tools/mr-preview/markdown";
import { FAKE_GITLAB_TOKEN, FakeGitLab, startFakeGitLab } from "./fake-gitlab";
import { fixturePath } from "./fixtures";

async function run(argv: string[], env: Record<string, string | undefined> = {}) {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, env, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
}

const PREVIEW = ["--preview", fixturePath("preview-staging.json"), "--events", fixturePath("preview-staging.events.ndjson")];

describe("mr-preview CLI arguments", () => {
    it.each([
        [["--preview", "p.json"], "--stack NAME is required"],
        [["--stack", "staging"], "--preview FILE (or --events FILE) is required"],
        [["--stack", "staging", "--offline-base", "b.json"], "--offline-head FILE is required"],
        [["--stack", "staging", "--offline-head", "h.json"], "--offline-base FILE is required"],
        [["--stack", "staging", "--preview", "p.json", "--offline-base", "b", "--offline-head", "h"], "--preview/--events cannot be combined"],
        [["--stack", "staging", "--preview", "p.json", "--max-bytes", "lots"], "--max-bytes expects a whole number"],
        [["--stack", "staging", "--preview", "p.json", "--colour"], "--colour"],
        [["--stack"], "--stack"],
    ])("exits 2 for %j, naming the flag", async (argv, message) => {
        const result = await run(argv);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain(message);
        expect(result.stderr).toContain("usage:");
    });

    it("exits 1 naming the flag and file when an input cannot be read", async () => {
        const result = await run(["--stack", "staging", "--preview", "/nonexistent/preview.json"]);
        expect(result).toMatchObject({ code: 1 });
        expect(result.stderr).toContain("--preview /nonexistent/preview.json: ENOENT");
    });
});

describe("mr-preview CLI outputs", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "mr-preview-"));
    });

    it("writes the note and the terraform report", async () => {
        const out = path.join(dir, "note.md");
        const report = path.join(dir, "terraform-report.json");
        const result = await run(["--stack", "staging", ...PREVIEW, "--out", out, "--terraform-report", report], {
            CI_JOB_URL: "https://gitlab.nexora.restry.cn/nexora/platform/-/jobs/7",
            CI_COMMIT_SHORT_SHA: "1a2b3c4d",
        });
        expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
        const note = readFileSync(out, "utf8");
        expect(note.startsWith(stackMarker("staging"))).toBe(true);
        expect(note).toContain("[job log](https://gitlab.nexora.restry.cn/nexora/platform/-/jobs/7)");
        expect(note).toContain("🚫 mandatory");
        // A replacement is one create and one delete for the widget: 7 + 8 creates, 6 + 8 deletes.
        // The reload commands' re-runs are replacements too (their triggers are replace-on-change),
        // and so are hjhs's release id, container, gate and switch (its new image renews the release).
        expect(JSON.parse(readFileSync(report, "utf8"))).toEqual({ create: 15, update: 0, delete: 14 });
    });

    it("prints the note when neither --out nor --post is given", async () => {
        const result = await run(["--stack", "staging", ...PREVIEW]);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain("### Pulumi preview · stack `staging`");
    });

    it("renders the offline diff of two plans", async () => {
        const result = await run(
            ["--stack", "staging", "--offline-base", fixturePath("plan-staging-base.json"), "--offline-head", fixturePath("plan-staging-head.json")],
            { CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "develop" },
        );
        expect(result.code).toBe(0);
        expect(result.stdout).toContain("### Offline desired-state diff · stack `staging`");
        expect(result.stdout).toContain("target branch `develop`");
    });

    it("writes the offline diff's counts as the terraform report", async () => {
        const out = path.join(dir, "note.md");
        const report = path.join(dir, "terraform-report.json");
        const result = await run([
            "--stack",
            "staging",
            "--offline-base",
            fixturePath("plan-staging-base.json"),
            "--offline-head",
            fixturePath("plan-staging-head.json"),
            "--out",
            out,
            "--terraform-report",
            report,
        ]);
        expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
        expect(readFileSync(out, "utf8")).toContain("### Offline desired-state diff · stack `staging`");
        // Added, changed and removed resources: the offline diff knows no replacements.
        // erp-dev adds 7 (the app, its image, release id, container, gate, switch and DNS record).
        expect(JSON.parse(readFileSync(report, "utf8"))).toEqual({ create: 7, update: 4, delete: 6 });
    });

    it("exits 1 naming the plan file when a plan is not JSON (npm's banner got into it)", async () => {
        const bad = path.join(dir, "base.json");
        writeFileSync(bad, "> nexora@0.1.0 plan\n{}");
        const result = await run(["--stack", "dev", "--offline-base", bad, "--offline-head", fixturePath("plan-staging-head.json")]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("--offline-base: not a plan --json document");
    });
});

describe("mr-preview refuses inputs of another stack", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "mr-preview-stacks-"));
    });
    /** A fixture of stack staging rewritten as one of stack prod (its `stack` field and every URN). */
    const asProd = (fixture: string) => {
        const file = path.join(dir, fixture.replace("staging", "prod"));
        writeFileSync(
            file,
            readFileSync(fixturePath(fixture), "utf8").replaceAll("urn:pulumi:staging::", "urn:pulumi:prod::").replace('"stack": "staging"', '"stack": "prod"'),
        );
        return file;
    };

    it("exits 2 naming both stacks when the plans are of another stack than --stack, and writes nothing", async () => {
        const out = path.join(dir, "note.md");
        const report = path.join(dir, "report.json");
        const base = fixturePath("plan-staging-base.json");
        const head = fixturePath("plan-staging-head.json");
        const result = await run(["--stack", "prod", "--offline-base", base, "--offline-head", head, "--out", out, "--terraform-report", report]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('--stack is "prod" but --offline-base is a plan of stack "staging"');
        expect(result.stdout).toBe("");
        expect(() => readFileSync(out)).toThrow(/ENOENT/);
        expect(() => readFileSync(report)).toThrow(/ENOENT/);
    });

    it("exits 2 naming both when base and head are plans of different stacks", async () => {
        const result = await run([
            "--stack",
            "staging",
            "--offline-base",
            fixturePath("plan-staging-base.json"),
            "--offline-head",
            asProd("plan-staging-head.json"),
        ]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('--offline-base is stack "staging" but --offline-head is stack "prod"');
    });

    it("exits 2 when a plan's URNs belong to another stack than its stack field says", async () => {
        const mixed = path.join(dir, "mixed.json");
        writeFileSync(mixed, readFileSync(asProd("plan-staging-head.json"), "utf8").replace('"stack": "prod"', '"stack": "staging"'));
        const result = await run(["--stack", "staging", "--offline-base", fixturePath("plan-staging-base.json"), "--offline-head", mixed]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('--offline-head mixes stacks "staging" and "prod"');
    });

    it("exits 2 for a preview of another stack, and for a preview and an event log of two stacks", async () => {
        const other = await run(["--stack", "prod", ...PREVIEW]);
        expect(other.code).toBe(2);
        expect(other.stderr).toContain('--stack is "prod" but --preview is a plan of stack "staging"');
        const mixed = await run(["--stack", "staging", "--preview", fixturePath("preview-staging.json"), "--events", asProd("preview-staging.events.ndjson")]);
        expect(mixed.code).toBe(2);
        expect(mixed.stderr).toContain('--preview is stack "staging" but --events is stack "prod"');
    });

    it("posts nothing when the stacks differ", async () => {
        const gitlab = await startFakeGitLab();
        try {
            const result = await run(["--stack", "prod", ...PREVIEW, "--post"], {
                NEXORA_MR_NOTE_TOKEN: FAKE_GITLAB_TOKEN,
                CI_SERVER_URL: gitlab.url,
                CI_PROJECT_ID: "12",
                CI_MERGE_REQUEST_IID: "34",
            });
            expect(result.code).toBe(2);
            expect(gitlab.requests).toHaveLength(0);
        } finally {
            await gitlab.close();
        }
    });
});

describe("mr-preview --post", () => {
    let gitlab: FakeGitLab;
    beforeEach(async () => {
        gitlab = await startFakeGitLab();
    });
    afterEach(async () => {
        await gitlab.close();
    });

    const ciEnv = () => ({
        NEXORA_MR_NOTE_TOKEN: FAKE_GITLAB_TOKEN,
        CI_SERVER_URL: gitlab.url,
        CI_PROJECT_ID: "12",
        CI_MERGE_REQUEST_IID: "34",
    });

    it("posts the note, then updates it on the next pipeline", async () => {
        const first = await run(["--stack", "staging", ...PREVIEW, "--post"], { ...ciEnv(), CI_COMMIT_SHORT_SHA: "1a2b3c4d" });
        expect(first.code).toBe(0);
        expect(first.stderr).toMatch(/created note \d+ for stack staging on merge request !34/);
        const second = await run(["--stack", "staging", ...PREVIEW, "--post"], { ...ciEnv(), CI_COMMIT_SHORT_SHA: "5e6f7a8b" });
        expect(second.stderr).toMatch(/updated note \d+ for stack staging/);
        expect(gitlab.notes.get("12/34")).toHaveLength(1);
        expect(gitlab.notes.get("12/34")?.[0].body).toContain("### Pulumi preview · stack `staging` at `5e6f7a8b`");
    });

    it("fails before any request, naming the missing token variable", async () => {
        const result = await run(["--stack", "staging", ...PREVIEW, "--post"], { ...ciEnv(), NEXORA_MR_NOTE_TOKEN: undefined });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("--post: CI variable NEXORA_MR_NOTE_TOKEN is not set");
        expect(gitlab.requests).toHaveLength(0);
    });
});

describe("npm run mr-preview entry point", () => {
    it("runs as a script and exits 2 on a bad flag", () => {
        const tsx = path.join(__dirname, "../../node_modules/.bin/tsx");
        const result = spawnSync(tsx, ["tools/mr-preview/cli.ts", "--stack", "prod", "--bogus"], { cwd: path.join(__dirname, "../.."), encoding: "utf8" });
        expect(result.status).toBe(2);
        expect(result.stderr).toContain("--bogus");
    });
});
