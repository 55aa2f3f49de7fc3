// The example notes the merge-request guide links to (docs/merge-request-note.md) are the fixtures as the tool
// renders them: the document is compared with the renderer's output, so a renderer or fixture
// change fails here until the example is rendered again (renderExampleDoc in fixtures.ts says
// how), and the key lines a reader relies on are checked on their own.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../tools/mr-preview/cli";
import { EXAMPLE_NOTE, EXAMPLE_NOTE_PATH, exampleNote, exampleOfflineNote, fixturePath, renderExampleDoc } from "./fixtures";

const lines = (text: string) => text.split("\n");

describe("docs/merge-request-note.md", () => {
    const doc = readFileSync(EXAMPLE_NOTE_PATH, "utf8");

    it("is what the renderer writes for the fixtures: the whole preview note, then the offline note up to its counts", () => {
        const rendered = renderExampleDoc(doc);
        // Compared line by line first, so a failure shows which lines moved.
        expect(doc.split("\n")).toEqual(rendered.split("\n"));
        expect(doc).toBe(rendered);
    });

    it("holds both notes", () => {
        expect(doc).toContain(exampleNote());
        const offline = exampleOfflineNote();
        expect(doc).toContain(offline.slice(0, offline.indexOf("\n\n| added |")));
    });

    it("shows a re-run reload command as a replacement that keeps its container", () => {
        expect(doc).toContain(
            "> - ♻️ replace `caddy-reload` · `command:local:Command` · forced by `triggers` · replacing it only re-runs the command: the container or service it acts on stays",
        );
        expect(doc).not.toContain("✏️ <code>caddy-reload</code>");
    });

    it("is linked from the merge-request guide's example section", () => {
        const guide = readFileSync(path.join(__dirname, "../../docs/merge-requests.md"), "utf8");
        const start = guide.indexOf("\n## Example note\n");
        expect(start, 'docs/merge-requests.md has a "## Example note" section').toBeGreaterThanOrEqual(0);
        const end = guide.indexOf("\n## ", start + 1);
        const section = guide.slice(start, end === -1 ? undefined : end);
        expect(section).toContain("](merge-request-note.md)");
    });
});

describe("the example note", () => {
    const note = exampleNote();

    it("is exactly what the CLI writes for the staging fixtures", async () => {
        const out = path.join(mkdtempSync(path.join(tmpdir(), "readme-example-")), "note.md");
        const argv = ["--preview", fixturePath("preview-staging.json"), "--events", fixturePath("preview-staging.events.ndjson")];
        const env = { CI_JOB_URL: EXAMPLE_NOTE.jobUrl, CI_COMMIT_SHORT_SHA: EXAMPLE_NOTE.commitSha };
        const code = await main([...argv, "--stack", EXAMPLE_NOTE.stack, "--out", out], env, { stdout: () => undefined, stderr: () => undefined });
        expect(code).toBe(0);
        expect(readFileSync(out, "utf8")).toBe(note);
    });

    it("heads with the stack, the commit and the counts per operation", () => {
        expect(lines(note)).toContain("### Pulumi preview · stack `staging` at `1a2b3c4d`");
        const header = lines(note).indexOf("| create | replace | delete | same |");
        expect(lines(note).slice(header, header + 3)).toEqual([
            "| create | replace | delete | same |",
            "| ---: | ---: | ---: | ---: |",
            "| 7 | **8** | **6** | 135 |",
        ]);
        expect(lines(note)).toContain("❌ **`pulumi up` would fail:** 1 mandatory policy violation, 2 errors.");
    });

    it("opens with the data-loss warning naming the protected volumes", () => {
        const warning = lines(note).slice(lines(note).indexOf("> 🛑 **DATA-LOSS RISK — 2 stateful or protected resources will be deleted or replaced.**"));
        expect(warning.slice(0, 6)).toEqual([
            "> 🛑 **DATA-LOSS RISK — 2 stateful or protected resources will be deleted or replaced.**",
            "> What they hold does not survive `pulumi up`. Take a backup and confirm in this merge request that the loss is intended.",
            ">",
            "> - ♻️ replace `postgres-data` · `docker:index/volume:Volume` · forced by `labels` · **Docker volume: the service restarts on a new, empty volume (the old one stays on the host, unmanaged); protected resource**",
            "> - 🗑️ delete `gitlab-runner-config` · `docker:index/volume:Volume` · **Docker volume: kept on the host but no longer managed (retainOnDelete); protected resource**",
            "",
        ]);
        expect(note.indexOf("DATA-LOSS RISK")).toBeLessThan(note.indexOf("| create |"));
    });

    it("lists the pack's findings with their policy, resource and message", () => {
        expect(lines(note)).toContain("Packs: `nexora-credentials` 0.1.0");
        expect(lines(note)).toContain(
            "| 🚫 mandatory (critical) | `nexora-credentials/credentials-resource-forbid-weak-secrets` | `app-erp-dev-container` | `Credentials passed to a resource must be at least minLength characters, not a vendor default, not equal to their user name, and reach zxcvbn score minScore. ⏎ container 'app-erp-dev-container' envs[DB_PASSWORD] is weak: shorter than 15 characters; zxcvbn score 1, needs 3.` |",
        );
    });
});

describe("the offline example", () => {
    const note = exampleOfflineNote();

    it("opens with the offline label, the data-loss warning and the counts", () => {
        expect(lines(note).slice(2, 8)).toEqual([
            "### Offline desired-state diff · stack `staging`",
            "",
            "> ℹ️ **This is an offline desired-state diff: no state backend was reached.** It is not a `pulumi preview`.",
            "> It compares what `npm run plan -- staging --json` declares on target branch `develop` with this merge request at `1a2b3c4d`, resource by URN.",
            "> It cannot see drift or provider defaults. Which changes replace is told only for containers and commands, from their providers' rules; for other types a change may replace too.",
            "> Secret values are `[secret]` in both plans and are not compared: a changed secret does not show here (2 secret values not compared).",
        ]);
        expect(lines(note)).toContain(
            "> - 🗑️ `gitlab-runner-config` · `docker:index/volume:Volume` · **Docker volume: kept on the host but no longer managed (retainOnDelete); protected resource**",
        );
        expect(lines(note)).toContain("| 7 | 4 | **6** | 135 |");
    });
});
