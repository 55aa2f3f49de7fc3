import { describe, expect, it } from "vitest";
import { GITLAB_NOTE_LIMIT_CHARS, byteLength, stackMarker } from "../../tools/mr-preview/markdown";
import { PreviewReport, PreviewStep } from "../../tools/mr-preview/model";
import { mergeReports, parseEngineEvents, parsePreviewDigest } from "../../tools/mr-preview/parse";
import { renderPreviewNote } from "../../tools/mr-preview/render-note";
import { terraformReport } from "../../tools/mr-preview/terraform-report";
import { countOps } from "../../tools/mr-preview/classify";
import { readFixture } from "./fixtures";

const JOB_URL = "https://gitlab.nexora.restry.cn/nexora/platform/-/jobs/4242";
const fullReport = () => mergeReports(parsePreviewDigest(readFixture("preview-staging.json")), parseEngineEvents(readFixture("preview-staging.events.ndjson")));
const render = (report: PreviewReport = fullReport()) => renderPreviewNote(report, { stack: "staging", jobUrl: JOB_URL, commitSha: "1a2b3c4d" }).body;
const only = (report: PreviewReport, ops: readonly string[]): PreviewReport => {
    const steps = report.steps.filter((s) => ops.includes(s.op));
    const changeSummary: Record<string, number> = { same: 40 };
    for (const step of steps) changeSummary[step.op] = (changeSummary[step.op] ?? 0) + 1;
    return { ...report, steps, changeSummary, policyViolations: [], diagnostics: [] };
};

describe("renderPreviewNote on the staging fixture", () => {
    const note = render();

    it("opens with the hidden per-stack marker and the stack", () => {
        expect(note.startsWith(`${stackMarker("staging")}\n\n### Pulumi preview · stack \`staging\` at \`1a2b3c4d\``)).toBe(true);
        expect(note.split(stackMarker("staging"))).toHaveLength(2);
    });

    it("puts the data-loss warning first, then the downtime warning, then the counts", () => {
        const loud = note.indexOf("🛑 **DATA-LOSS RISK");
        const warning = note.indexOf("⚠️ **3 resources will be deleted or replaced.**");
        const counts = note.indexOf("| create | update | replace | delete | same |");
        expect(loud).toBeGreaterThan(0);
        expect(loud).toBeLessThan(warning);
        expect(warning).toBeLessThan(counts);
        expect(note.slice(0, loud)).not.toMatch(/\| create/);
    });

    it("lists the replaced volume and the protected volume in the data-loss block, the replaced container in the other", () => {
        const loudBlock = note.slice(note.indexOf("🛑"), note.indexOf("⚠️ **3 resources"));
        expect(loudBlock).toMatch(/♻️ replace `gitlab-data` · `docker:index\/volume:Volume` · forced by `labels` · \*\*Docker volume: its data is deleted with it\*\*/);
        expect(loudBlock).toMatch(/🗑️ delete `hjhs-uploads` · `docker:index\/volume:Volume` · \*\*Docker volume: its data is deleted with it; protected resource\*\*/);
        expect(loudBlock).not.toMatch(/outline-container/);
        const otherBlock = note.slice(note.indexOf("⚠️ **3 resources"), note.indexOf("| create"));
        expect(otherBlock).toMatch(/♻️ replace `outline-container` · `docker:index\/container:Container` · forced by `envs`, `image`/);
        expect(otherBlock).toMatch(/🗑️ delete `hjhs-container`/);
        expect(otherBlock).toMatch(/🗑️ delete `dns-staging-hjhs`/);
    });

    it("counts each operation, replacements apart from creates and deletes", () => {
        expect(note).toContain("| create | update | replace | delete | same |\n| ---: | ---: | ---: | ---: | ---: |\n| 3 | 2 | **2** | **3** | 41 |");
    });

    it("says the up would fail on a mandatory violation or an error", () => {
        expect(note).toContain("❌ **`pulumi up` would fail:** 1 mandatory policy violation, 1 error.");
    });

    it("groups resources by operation, most dangerous first, with counts", () => {
        const headings = [...note.matchAll(/^#### (.+)$/gm)].map((m) => m[1]);
        expect(headings).toEqual([
            "Policy results",
            "Diagnostics",
            "🗑️ Delete — 3",
            "♻️ Replace (delete + create) — 2",
            "✏️ Update in place — 2",
            "➕ Create — 3",
        ]);
        // Within a group, the stateful resource comes first.
        expect(note.indexOf("<code>hjhs-uploads</code>")).toBeLessThan(note.indexOf("<code>hjhs-container</code>"));
    });

    it("folds every resource's property diff into <details>", () => {
        expect(note.match(/<details><summary>/g)).toHaveLength(10);
        const uptime = note.slice(note.indexOf("<code>uptime-kuma-container</code>"));
        expect(uptime.slice(0, uptime.indexOf("</details>"))).toContain("```diff\n@@ memory · changed @@\n- 256\n+ 512\n@@ restart · changed @@\n- unless-stopped\n+ always\n```");
        const outline = note.slice(note.indexOf("<summary>♻️ <code>outline-container</code>"));
        expect(outline.slice(0, outline.indexOf("</details>"))).toContain("@@ image · changed, forces replacement @@\n- outlinewiki/outline:0.82.0\n+ outlinewiki/outline:0.83.0");
    });

    it("masks secrets the engine marked and credential-looking values it did not", () => {
        for (const leaked of ["Qw3rtyPlain2026", "glpat-xQ4vR7tY9uW2zA5bC8dE", "6f1d2c3b4a5968778695a4b3c2d1e0f9", "a9b8c7d6e5f40312213243546576879801a2b3c4"]) {
            expect(note).not.toContain(leaked);
        }
        expect(note).toContain("DATABASE_URL=mysql://mazugift:[masked]@nexora-staging-mysql:3306/mazugift");
        expect(note).toContain("DEPLOY_TOKEN=[masked]");
        expect(note).toContain("@@ envs[2] · changed, forces replacement @@\n  (secret value changed)");
        expect(note).toContain('"[secret]"');
    });

    it("lists policy violations with their level, mandatory first", () => {
        const policy = note.slice(note.indexOf("#### Policy results"), note.indexOf("#### Diagnostics"));
        expect(policy).toContain("Packs: `nexora-policies` v0.1.0");
        const rows = policy.split("\n").filter((l) => l.startsWith("| 🚫") || l.startsWith("| ⚠️"));
        expect(rows[0]).toMatch(/^\| 🚫 mandatory \| `nexora-policies\/docker-container-env-forbid-plaintext-credential` \| `mazugift-container` \|/);
        expect(rows[1]).toMatch(/^\| ⚠️ advisory \(low\) \| `nexora-policies\/docker-image-require-digest` \|/);
    });

    it("shows errors and warnings but not the program's info output", () => {
        const diagnostics = note.slice(note.indexOf("#### Diagnostics"), note.indexOf("#### 🗑️"));
        expect(diagnostics).toContain("❌ error on `hjhs-uploads`");
        expect(diagnostics).toContain("⚠️ warning on `mazugift-container`");
        expect(note).not.toContain("Evaluating the platform");
    });

    it("ends with the pointer to the job log", () => {
        expect(note.trimEnd().endsWith(`<sub>Full preview output: [job log](${JOB_URL}) · this note is updated by every pipeline of this merge request.</sub>`)).toBe(true);
        expect(note).not.toContain("Shortened");
    });
});

describe("renderPreviewNote on smaller previews", () => {
    it("renders creates only without any warning block", () => {
        const note = render(only(fullReport(), ["create"]));
        expect(note).not.toMatch(/DATA-LOSS|will be deleted or replaced/);
        expect(note).toContain("#### ➕ Create — 3");
    });

    it("renders updates only as in-place changes", () => {
        const note = render(only(fullReport(), ["update"]));
        expect(note).not.toMatch(/DATA-LOSS|will be deleted or replaced/);
        expect(note).toContain("#### ✏️ Update in place — 2");
        expect(note).toContain("| update | same |\n| ---: | ---: |\n| 2 | 40 |");
    });

    it("treats a replaced or deleted database container as data-bearing", () => {
        const step: PreviewStep = {
            op: "replace",
            urn: "urn:pulumi:prod::nexora::nexora:postgres:Postgres$docker:index/container:Container::postgres-container",
            type: "docker:index/container:Container",
            name: "postgres-container",
            diffReasons: ["image"],
            replaceReasons: ["image"],
        };
        const note = render({ ...only(fullReport(), []), steps: [step], changeSummary: { replace: 1 } });
        expect(note).toMatch(/🛑 \*\*DATA-LOSS RISK — 1 stateful or protected resource will be deleted or replaced/);
        expect(note).toContain("data-bearing (database or GitLab data)");
    });

    it("says when nothing changes", () => {
        const note = render({ ...only(fullReport(), []), changeSummary: { same: 52 } });
        expect(note).toContain("✅ **No changes:** the stack already matches this merge request.");
    });

    it("says when policy results are unknown because no event log was given", () => {
        const note = renderPreviewNote(parsePreviewDigest(readFixture("preview-staging.json")), { stack: "staging" }, false).body;
        expect(note).toContain("No engine-event log was given, so policy results are not known here");
    });

    it("keeps a Caddyfile matcher that looks like a mention inside code", () => {
        const step: PreviewStep = {
            op: "create",
            urn: "urn:pulumi:prod::nexora::command:local:Command::caddy-reload",
            type: "command:local:Command",
            name: "caddy-reload",
            newState: { type: "command:local:Command", urn: "", protect: false, retainOnDelete: false, inputs: { stdin: "@gitlab host gitlab.nexora.restry.cn" }, outputs: {} },
            diffReasons: [],
            replaceReasons: [],
        };
        const note = render({ ...only(fullReport(), []), steps: [step], changeSummary: { create: 1 } });
        const outsideCode = note.replace(/```[\s\S]*?```/g, "").replace(/`[^`]*`/g, "").replace(/<code>[\s\S]*?<\/code>/g, "");
        expect(note).toContain("@gitlab host");
        expect(outsideCode).not.toContain("@gitlab");
    });
});

/** A preview as large as a first `pulumi up` of many stacks' worth of resources. */
function generatedPreview(count: number): PreviewReport {
    const ops = ["create", "update", "replace", "delete"];
    const steps: PreviewStep[] = Array.from({ length: count }, (_, i) => {
        const op = ops[i % ops.length];
        const isVolume = i % 10 === 0;
        const type = isVolume ? "docker:index/volume:Volume" : "docker:index/container:Container";
        const name = `${isVolume ? "data" : "app"}-${String(i).padStart(4, "0")}`;
        const inputs = (version: number) => ({
            image: `registry.nexora.restry.cn/apps/app-${i}:1.${version}.0`,
            name: `nexora-prod-${name}`,
            envs: Array.from({ length: 12 }, (_v, k) => `SETTING_${k}=value-${k}-for-${name}-release-${version}`),
        });
        const state = (version: number) => ({ type, urn: "", protect: false, retainOnDelete: false, inputs: inputs(version), outputs: {} });
        return {
            op,
            urn: `urn:pulumi:prod::nexora::nexora:platform:Platform$${type}::${name}`,
            type,
            name,
            oldState: op === "create" ? undefined : state(1),
            newState: op === "delete" ? undefined : state(2),
            diffReasons: op === "update" || op === "replace" ? ["envs", "image"] : [],
            replaceReasons: op === "replace" ? ["image"] : [],
            detailedDiff:
                op === "update" || op === "replace"
                    ? [
                          { path: "image", kind: op === "replace" ? "update-replace" : "update", inputDiff: true },
                          ...Array.from({ length: 12 }, (_v, k) => ({ path: `envs[${k}]`, kind: "update", inputDiff: true })),
                      ]
                    : undefined,
        };
    });
    const changeSummary: Record<string, number> = {};
    for (const step of steps) changeSummary[step.op] = (changeSummary[step.op] ?? 0) + 1;
    return { steps, changeSummary, diagnostics: [], policyViolations: [], policyPacks: { "nexora-policies": "v0.1.0" }, unreadableEventLines: 0 };
}

describe("renderPreviewNote on a 5,000-step preview", () => {
    const report = generatedPreview(5000);
    const rendered = renderPreviewNote(report, { stack: "prod", jobUrl: JOB_URL });

    it("fits GitLab's note limit, in characters and in bytes", () => {
        expect(rendered.body.length).toBeLessThanOrEqual(GITLAB_NOTE_LIMIT_CHARS);
        expect(byteLength(rendered.body)).toBeLessThanOrEqual(GITLAB_NOTE_LIMIT_CHARS);
        // The budget is used, not wasted: the note is cut close to the limit.
        expect(byteLength(rendered.body)).toBeGreaterThan(GITLAB_NOTE_LIMIT_CHARS * 0.9);
    });

    it("says it was shortened and points at the job log", () => {
        expect(rendered.truncated).toBe(true);
        expect(rendered.body).toContain(
            `> ✂️ **Shortened to fit GitLab's note limit:** ${rendered.resourcesListed} of 5000 resources listed, ${rendered.resourcesWithDiffs} with property diffs. The full preview is in the [job log](${JOB_URL}).`,
        );
        expect(rendered.resourcesWithDiffs).toBeLessThan(rendered.resourcesListed);
    });

    it("keeps the header counts exact, lists every resource and gives the diffs to the destructive ones first", () => {
        expect(rendered.body).toContain("| 1250 | 1250 | **1250** | **1250** |");
        expect(rendered.resourcesListed).toBe(5000);
        const detailed = rendered.body.match(/<summary>(🗑️|♻️|✏️|➕)/g) ?? [];
        expect(detailed.length).toBe(rendered.resourcesWithDiffs);
        expect(detailed.length).toBeGreaterThan(100);
        // Deletes are first in line for details: no later group gets any while a delete lacks them.
        expect(detailed.every((d) => d === "<summary>🗑️")).toBe(true);
        expect(rendered.body).toMatch(/^- 🗑️ `app-/m);
        expect(rendered.body).toMatch(/^- ➕ `app-/m);
    });

    it("still fits a much smaller budget, by listing fewer resources", () => {
        const small = renderPreviewNote(report, { stack: "prod", jobUrl: JOB_URL, maxBytes: 60_000 });
        expect(byteLength(small.body)).toBeLessThanOrEqual(60_000);
        expect(small.resourcesListed).toBeLessThan(5000);
        expect(small.body).toContain(`${small.resourcesListed} of 5000 resources listed`);
        expect(small.body).toContain(`[job log](${JOB_URL})`);
    });
});

describe("terraformReport", () => {
    it("counts a replacement as one create and one delete, like Terraform's plan", () => {
        expect(terraformReport(countOps(fullReport()))).toEqual({ create: 5, update: 2, delete: 5 });
    });

    it("ignores sames, reads and imports", () => {
        expect(terraformReport({ same: 40, read: 2, import: 1, update: 1 })).toEqual({ create: 0, update: 1, delete: 0 });
    });
});
