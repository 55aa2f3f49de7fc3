import { describe, expect, it } from "vitest";
import { GITLAB_NOTE_LIMIT_CHARS, byteLength, stackMarker } from "../../tools/mr-preview/markdown";
import { PreviewReport, PreviewStep } from "../../tools/mr-preview/model";
import { mergeReports, parseEngineEvents, parsePreviewDigest } from "../../tools/mr-preview/parse";
import { imageMoves, renderPreviewNote } from "../../tools/mr-preview/render-note";
import { terraformReport } from "../../tools/mr-preview/terraform-report";
import { countOps } from "../../tools/mr-preview/classify";
import { PASTED_GITLAB_TOKEN, WEAK_DB_PASSWORD, readFixture } from "./fixtures";

const JOB_URL = "https://gitlab.nexora.restry.cn/nexora/platform/-/jobs/4242";
const fullReport = () => mergeReports(parsePreviewDigest(readFixture("preview-staging.json")), parseEngineEvents(readFixture("preview-staging.events.ndjson")));
const render = (report: PreviewReport = fullReport()) => renderPreviewNote(report, { stack: "staging", jobUrl: JOB_URL, commitSha: "1a2b3c4d" }).body;
const only = (report: PreviewReport, ops: readonly string[]): PreviewReport => {
    const steps = report.steps.filter((s) => ops.includes(s.op));
    const changeSummary: Record<string, number> = { same: 40 };
    for (const step of steps) changeSummary[step.op] = (changeSummary[step.op] ?? 0) + 1;
    return { ...report, steps, changeSummary, policyViolations: [], diagnostics: [] };
};

/** A step of the staging fixture turned into an in-place update of `inputs`, as the engine reports one. */
function inPlaceUpdate(name: string, inputs: Readonly<Record<string, unknown>>): PreviewStep {
    const step = fullReport().steps.find((s) => s.name === name);
    const oldState = step?.oldState;
    if (!step || !oldState) throw new Error(`the staging fixture has no old state for ${name}`);
    const newInputs = { ...oldState.inputs, ...inputs };
    const keys = Object.keys(inputs).sort();
    return {
        ...step,
        op: "update",
        newState: { ...oldState, inputs: newInputs, outputs: { ...oldState.outputs, ...inputs } },
        diffReasons: keys,
        replaceReasons: [],
        detailedDiff: keys.map((path) => ({ path, kind: "update", inputDiff: true })),
    };
}

/**
 * Two changes the engine applies in place: a container's memory limit (the Docker provider's
 * update applies restart, CPU and memory settings) and a command's environment with its
 * triggers unchanged (only `triggers` replaces a command).
 */
function inPlaceUpdates(): PreviewReport {
    const steps = [
        inPlaceUpdate("app-hjhs-container", { memory: 512 }),
        inPlaceUpdate("caddy-reload", { environment: { DOCKER_HOST: "ssh://deploy@192.168.31.142" } }),
    ];
    return { ...only(fullReport(), []), steps, changeSummary: { same: 40, update: 2 } };
}

describe("renderPreviewNote on the staging fixture", () => {
    const note = render();

    it("opens with the hidden per-stack marker and the stack", () => {
        expect(note.startsWith(`${stackMarker("staging")}\n\n### Pulumi preview · stack \`staging\` at \`1a2b3c4d\``)).toBe(true);
        expect(note.split(stackMarker("staging"))).toHaveLength(2);
    });

    it("puts the data-loss warning first, then the downtime warning, then the counts", () => {
        const loud = note.indexOf("🛑 **DATA-LOSS RISK — 2 stateful or protected resources");
        const warning = note.indexOf("⚠️ **12 resources will be deleted or replaced.**");
        const counts = note.indexOf("| create | replace | delete | same |");
        expect(loud).toBeGreaterThan(0);
        expect(loud).toBeLessThan(warning);
        expect(warning).toBeLessThan(counts);
        expect(note.slice(0, loud)).not.toMatch(/\| create/);
    });

    it("lists the replaced and the deleted protected volume in the data-loss block, the replaced container, image and commands in the other", () => {
        const loudBlock = note.slice(note.indexOf("🛑"), note.indexOf("⚠️ **12 resources"));
        // Every volume is retainOnDelete: the wording says what really happens to the bytes.
        expect(loudBlock).toContain(
            "♻️ replace `postgres-data` · `docker:index/volume:Volume` · forced by `labels` · **Docker volume: the service restarts on a new, empty volume (the old one stays on the host, unmanaged); protected resource**",
        );
        expect(loudBlock).toContain(
            "🗑️ delete `gitlab-runner-config` · `docker:index/volume:Volume` · **Docker volume: kept on the host but no longer managed (retainOnDelete); protected resource**",
        );
        expect(loudBlock).not.toMatch(/app-hjhs-container|gitlab-runner-container|caddy-reload|tunnel-apply/);
        const otherBlock = note.slice(note.indexOf("⚠️ **12 resources"), note.indexOf("| create"));
        expect(otherBlock).toMatch(/♻️ replace `app-hjhs-container` · `docker:index\/container:Container` · forced by `image`, `name`/);
        expect(otherBlock).toMatch(/♻️ replace `app-hjhs-image` · `docker:index\/remoteImage:RemoteImage` · forced by `name`/);
        // A changed Caddyfile or frpc.toml re-runs its reload command: `triggers` replace a command.
        expect(otherBlock).toMatch(/♻️ replace `caddy-reload` · `command:local:Command` · forced by `triggers`/);
        expect(otherBlock).toMatch(/♻️ replace `tunnel-apply` · `command:local:Command` · forced by `triggers`/);
    });

    it("says a replaced command only re-runs it, where the reviewer reads replace as downtime", () => {
        const hint = "replacing it only re-runs the command: the container or service it acts on stays";
        const otherBlock = note.slice(note.indexOf("⚠️ **12 resources"), note.indexOf("| create"));
        expect(otherBlock).toContain(`> - ♻️ replace \`caddy-reload\` · \`command:local:Command\` · forced by \`triggers\` · ${hint}`);
        expect(otherBlock).toContain(`> - ♻️ replace \`tunnel-apply\` · \`command:local:Command\` · forced by \`triggers\` · ${hint}`);
        expect(note).toContain(
            `<summary>♻️ <code>caddy-reload</code> · <code>command:local:Command</code> · forced by <code>triggers</code> · ${hint}</summary>`,
        );
        // Only replaced commands get it (caddy-reload, tunnel-apply, hjhs's gate and switch), in their
        // warning entry and their summary: a replaced container is not a re-run, a deleted command is gone.
        expect(note.split(hint)).toHaveLength(9);
        expect(note).not.toMatch(/(app-hjhs-container|gitlab-runner-register)`[^\n]*re-runs/);
        expect(otherBlock).toMatch(/🗑️ delete `gitlab-runner-container` · `docker:index\/container:Container`/);
        expect(otherBlock).toMatch(/🗑️ delete `gitlab-runner-registration` · `gitlab:index\/userRunner:UserRunner`/);
    });

    it("counts each operation, replacements apart from creates and deletes", () => {
        expect(note).toContain("| create | replace | delete | same |\n| ---: | ---: | ---: | ---: |\n| 7 | **8** | **6** | 135 |");
    });

    it("says the up would fail on a mandatory violation or an error", () => {
        expect(note).toContain("❌ **`pulumi up` would fail:** 1 mandatory policy violation, 2 errors.");
    });

    it("groups resources by operation, most dangerous first, with counts", () => {
        const headings = [...note.matchAll(/^#### (.+)$/gm)].map((m) => m[1]);
        expect(headings).toEqual(["Image moves", "Policy results", "Diagnostics", "🗑️ Delete — 6", "♻️ Replace — 8", "➕ Create — 7"]);
        // Within a group, the stateful resource comes first.
        expect(note.indexOf("<code>gitlab-runner-config</code>")).toBeLessThan(note.indexOf("<code>gitlab-runner-register</code>"));
        expect(note.indexOf("<code>postgres-data</code>")).toBeLessThan(note.indexOf("<code>app-hjhs-image</code>"));
    });

    it("folds every resource's property diff into <details>", () => {
        expect(note.match(/<details><summary>/g)).toHaveLength(21);
        const detail = (name: string) => {
            const from = note.slice(note.indexOf(`<summary>${name}`));
            return from.slice(0, from.indexOf("</details>"));
        };
        expect(detail("♻️ <code>app-hjhs-image</code>")).toContain(
            "```diff\n@@ name · changed, forces replacement @@\n- registry.cn-hangzhou.aliyuncs.com/nexora-shop/hjhs:1.4.1\n+ registry.cn-hangzhou.aliyuncs.com/nexora-shop/hjhs:1.4.2\n```",
        );
        expect(detail("♻️ <code>app-hjhs-container</code>")).toMatch(
            /@@ image · changed, forces replacement @@\n- sha256:[0-9a-f]{64}\n\+ \(known after apply\)/,
        );
        expect(detail("♻️ <code>postgres-data</code>")).toContain(
            '@@ labels[4] · added, forces replacement @@\n+ {\n+   "label": "nexora.backup",\n+   "value": "daily"\n+ }',
        );
        expect(detail("➕ <code>dns-erp-dev</code>")).toContain('"comment": "nexora staging: erp-dev (managed by Pulumi)"');
    });

    it("shows the renewed release id's old fingerprint, which is no credential, and the new one as unknown", () => {
        const from = note.slice(note.indexOf("<summary>♻️ <code>app-hjhs-release</code>"));
        expect(from.slice(0, from.indexOf("</details>"))).toContain(
            "```diff\n@@ keepers.fingerprint · changed, forces replacement @@\n- 193cb443fb26db67a54a941ac0cd3b41\n+ (known after apply)\n```",
        );
    });

    it("masks secrets the engine marked and credential-looking values it did not", () => {
        for (const leaked of [WEAK_DB_PASSWORD, PASTED_GITLAB_TOKEN]) expect(note).not.toContain(leaked);
        expect(note).toContain('"DB_PASSWORD=[masked]"');
        expect(note).toContain('"LEGACY_IMPORT=https://staging-gitlab.nexora.restry.cn/api/v4/projects/42/repository/archive?private_token=[masked]"');
        // The Caddyfile is fed on stdin as a secret; its hash, a trigger, changes with it.
        const caddy = note.slice(note.indexOf("<summary>♻️ <code>caddy-reload</code>"));
        expect(caddy.slice(0, caddy.indexOf("</details>"))).toMatch(
            /@@ stdin · changed @@\n {2}\(secret value changed\)\n@@ triggers\[0\] · changed, forces replacement @@\n- [0-9a-f]{64}\n\+ [0-9a-f]{64}/,
        );
        expect(note).toContain('"stdin": "[secret]"');
    });

    it("lists policy violations with their level, mandatory first", () => {
        const policy = note.slice(note.indexOf("#### Policy results"), note.indexOf("#### Diagnostics"));
        expect(policy).toContain("Packs: `nexora-credentials` 0.1.0");
        const rows = policy.split("\n").filter((l) => l.startsWith("| 🚫") || l.startsWith("| ⚠️"));
        expect(rows[0]).toMatch(
            /^\| 🚫 mandatory \(critical\) \| `nexora-credentials\/credentials-resource-forbid-weak-secrets` \| `app-erp-dev-container` \| `.* ⏎ container 'app-erp-dev-container' envs\[DB_PASSWORD\] is weak: shorter than 15 characters; zxcvbn score 1, needs 3\.` \|$/,
        );
        expect(rows[1]).toMatch(
            /^\| ⚠️ advisory \(medium\) \| `nexora-credentials\/credentials-resource-flag-plaintext-literals` \| `app-erp-dev-container` \|/,
        );
    });

    it("shows the errors, each on its resource", () => {
        const diagnostics = note.slice(note.indexOf("#### Diagnostics"), note.indexOf("#### 🗑️"));
        expect(diagnostics).toContain("❌ error on `postgres-data`:");
        expect(diagnostics).toContain("as it is currently marked for protection");
        expect(diagnostics).toContain("❌ error on `gitlab-runner-config`:");
        expect(diagnostics).toContain("`pulumi state unprotect 'urn:pulumi:staging::nexora::");
    });

    it("shows warnings after errors but not the program's info output", () => {
        const report = fullReport();
        const urn = report.steps.find((s) => s.name === "app-erp-dev-container")?.urn;
        const withMore = render({
            ...report,
            diagnostics: [
                { severity: "info", message: "Evaluating the platform for stack staging" },
                { severity: "warning", urn, message: "warning: the registry answered slowly; retrying" },
                ...report.diagnostics,
            ],
        });
        const diagnostics = withMore.slice(withMore.indexOf("#### Diagnostics"), withMore.indexOf("#### 🗑️"));
        expect(diagnostics.indexOf("⚠️ warning on `app-erp-dev-container`")).toBeGreaterThan(diagnostics.indexOf("❌ error on `gitlab-runner-config`"));
        expect(withMore).not.toContain("Evaluating the platform");
    });

    it("ends with the pointer to the job log", () => {
        expect(
            note.trimEnd().endsWith(`<sub>Full preview output: [job log](${JOB_URL}) · this note is updated by every pipeline of this merge request.</sub>`),
        ).toBe(true);
        expect(note).not.toContain("Shortened");
    });
});

describe("renderPreviewNote on smaller previews", () => {
    it("renders creates only without any warning block", () => {
        const note = render(only(fullReport(), ["create"]));
        expect(note).not.toMatch(/DATA-LOSS|will be deleted or replaced/);
        expect(note).toContain("#### ➕ Create — 7");
    });

    it("renders updates only as in-place changes", () => {
        const note = render(inPlaceUpdates());
        expect(note).not.toMatch(/DATA-LOSS|will be deleted or replaced|forces replacement|forced by/);
        expect(note).toContain("#### ✏️ Update in place — 2");
        expect(note).toContain("| update | same |\n| ---: | ---: |\n| 2 | 40 |");
        expect(note).toContain("<summary>✏️ <code>app-hjhs-container</code> · <code>docker:index/container:Container</code></summary>");
        expect(note).toContain("@@ memory · changed @@\n+ 512");
        expect(note).toContain(
            '@@ environment · changed @@\n  {\n-   "DOCKER_HOST": "ssh://deploy@192.168.31.141"\n+   "DOCKER_HOST": "ssh://deploy@192.168.31.142"\n  }',
        );
    });

    it("treats a replaced or deleted database container as data-bearing", () => {
        const step: PreviewStep = {
            op: "replace",
            urn: "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:postgres:Postgres$docker:index/container:Container::postgres-container",
            type: "docker:index/container:Container",
            name: "postgres-container",
            diffReasons: ["image"],
            replaceReasons: ["image"],
        };
        const note = render({ ...only(fullReport(), []), steps: [step], changeSummary: { replace: 1 } });
        expect(note).toMatch(/🛑 \*\*DATA-LOSS RISK — 1 stateful or protected resource will be deleted or replaced/);
        expect(note).toContain("data-bearing (database or GitLab data)");
    });

    it("says a replaced command runs its delete before create again, and raises no data-loss alarm for a database's script", () => {
        const command = (name: string, inputs: Record<string, unknown>): PreviewStep => ({
            op: "replace",
            urn: `urn:pulumi:prod::nexora::nexora:platform:Platform$command:local:Command::${name}`,
            type: "command:local:Command",
            name,
            oldState: {
                type: "command:local:Command",
                urn: "",
                protect: false,
                retainOnDelete: false,
                inputs: { create: "true", triggers: ["a"], ...inputs },
                outputs: {},
            },
            newState: {
                type: "command:local:Command",
                urn: "",
                protect: false,
                retainOnDelete: false,
                inputs: { create: "true", triggers: ["b"], ...inputs },
                outputs: {},
            },
            diffReasons: ["triggers"],
            replaceReasons: ["triggers"],
        });
        const steps = [command("postgres-provisioning", {}), command("identity-admin-token-issue", { delete: "[secret]" })];
        const note = render({ ...only(fullReport(), []), steps, changeSummary: { replace: 2 } });
        expect(note).not.toContain("DATA-LOSS");
        expect(note).toContain(
            "> - ♻️ replace `postgres-provisioning` · `command:local:Command` · forced by `triggers` · replacing it only re-runs the command: the container or service it acts on stays",
        );
        expect(note).toContain(
            "> - ♻️ replace `identity-admin-token-issue` · `command:local:Command` · forced by `triggers` · replacing it runs its `delete`, then `create` again: the container or service it acts on stays",
        );
        expect(note).toContain(
            "replacing it runs its <code>delete</code>, then <code>create</code> again: the container or service it acts on stays</summary>",
        );
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
        // The program feeds the Caddyfile on stdin as a secret; were it plain, its matchers would reach the note.
        const step: PreviewStep = {
            op: "create",
            urn: "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:edge:Caddy$command:local:Command::caddy-reload",
            type: "command:local:Command",
            name: "caddy-reload",
            newState: {
                type: "command:local:Command",
                urn: "",
                protect: false,
                retainOnDelete: false,
                inputs: { stdin: "@gitlab host gitlab.nexora.restry.cn" },
                outputs: {},
            },
            diffReasons: [],
            replaceReasons: [],
        };
        const note = render({ ...only(fullReport(), []), steps: [step], changeSummary: { create: 1 } });
        const outsideCode = note
            .replace(/```[\s\S]*?```/g, "")
            .replace(/`[^`]*`/g, "")
            .replace(/<code>[\s\S]*?<\/code>/g, "");
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
        const service = `app-${String(i).padStart(4, "0")}`;
        const name = `${service}-${isVolume ? "data" : "container"}`;
        const inputs = (version: number) => ({
            image: `registry.cn-hangzhou.aliyuncs.com/nexora-shop/${service}:1.${version}.0`,
            name: `nexora-prod-${service}`,
            envs: Array.from({ length: 12 }, (_v, k) => `SETTING_${k}=value-${k}-for-${name}-release-${version}`),
        });
        const state = (version: number) => ({ type, urn: "", protect: false, retainOnDelete: false, inputs: inputs(version), outputs: {} });
        return {
            op,
            urn: `urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:apps:BusinessApp$${type}::${name}`,
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
    return { steps, changeSummary, diagnostics: [], policyViolations: [], policyPacks: { "nexora-credentials": "0.1.0" }, unreadableEventLines: 0 };
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
        expect(terraformReport(countOps(fullReport()))).toEqual({ create: 15, update: 0, delete: 14 });
        expect(terraformReport(countOps(inPlaceUpdates()))).toEqual({ create: 0, update: 2, delete: 0 });
    });

    it("ignores sames, reads and imports", () => {
        expect(terraformReport({ same: 40, read: 2, import: 1, update: 1 })).toEqual({ create: 0, update: 1, delete: 0 });
    });
});

describe("the note's image moves", () => {
    const imageStep = (service: string, op: string, from: string | undefined, to: string | undefined): PreviewStep => ({
        op,
        urn: `urn:pulumi:staging::nexora::nexora:platform:Platform$nexora:apps:BusinessApp$docker:index/remoteImage:RemoteImage::${service}-image`,
        type: "docker:index/remoteImage:RemoteImage",
        name: `${service}-image`,
        oldState:
            from === undefined
                ? undefined
                : { type: "docker:index/remoteImage:RemoteImage", urn: "", protect: false, retainOnDelete: false, inputs: { name: from }, outputs: {} },
        newState:
            to === undefined
                ? undefined
                : { type: "docker:index/remoteImage:RemoteImage", urn: "", protect: false, retainOnDelete: false, inputs: { name: to }, outputs: {} },
        diffReasons: ["name"],
        replaceReasons: ["name"],
    });

    it("says which image each service moves from and to, and how to go back", () => {
        const steps = [
            imageStep("app-shop", "replace", "registry.example/shop:1.0.0", "registry.example/shop:1.1.0"),
            imageStep("app-shop", "create-replacement", "registry.example/shop:1.0.0", "registry.example/shop:1.1.0"),
            imageStep("app-new", "create", undefined, "registry.example/new:1.0.0"),
            imageStep("portal", "update", "nginx:1.30.5-alpine", "nginx:1.30.5-alpine"),
        ];
        expect(imageMoves(steps)).toEqual([{ service: "app-shop", from: "registry.example/shop:1.0.0", to: "registry.example/shop:1.1.0" }]);
        const note = renderPreviewNote({ ...only(fullReport(), []), steps, changeSummary: { same: 40, replace: 1, create: 1 } }, { stack: "staging" }).body;
        expect(note).toContain("#### Image moves");
        expect(note).toContain("| `app-shop` | `registry.example/shop:1.0.0` | `registry.example/shop:1.1.0` |");
        expect(note).toContain("Rollback: set the `from` image again");
    });

    it("has no section when no image moves", () => {
        expect(render(only(fullReport(), ["create"]))).not.toContain("Image moves");
    });
});
