import { describe, expect, it } from "vitest";
import { PreviewStep } from "../../tools/mr-preview/model";
import { PreviewParseError, UNKNOWN_VALUE, collapseSteps, mergeReports, parseEngineEvents, parsePreviewDigest } from "../../tools/mr-preview/parse";
import { PASTED_GITLAB_TOKEN, WEAK_DB_PASSWORD, readFixture } from "./fixtures";

const digest = () => parsePreviewDigest(readFixture("preview-staging.json"));
const events = () => parseEngineEvents(readFixture("preview-staging.events.ndjson"));

describe("parsePreviewDigest", () => {
    it("keeps every changing step and drops the root stack's `same` step", () => {
        const report = digest();
        expect(report.steps.map((s) => `${s.op} ${s.name}`)).toEqual([
            "replace postgres-data",
            "replace app-hjhs-image",
            "create app-erp-dev",
            "create app-erp-dev-image",
            "create dns-erp-dev",
            "replace caddy-reload",
            "replace tunnel-apply",
            "replace app-hjhs-release",
            "replace app-hjhs-container",
            "replace app-hjhs-gate",
            "replace app-hjhs-switch",
            "create app-erp-dev-release",
            "create app-erp-dev-container",
            "create app-erp-dev-gate",
            "create app-erp-dev-switch",
            "delete gitlab-runner-register",
            "delete gitlab-runner-registration",
            "delete gitlab-runner-container",
            "delete gitlab-runner-config",
            "delete gitlab-runner-image",
            "delete gitlab-runner",
        ]);
    });

    it("reads type, protect, replace reasons and the detailed diff of a step", () => {
        const report = digest();
        const volume = report.steps.find((s) => s.name === "gitlab-runner-config");
        expect(volume?.type).toBe("docker:index/volume:Volume");
        expect(volume?.oldState?.protect).toBe(true);
        expect(volume?.oldState?.retainOnDelete).toBe(true);
        const container = report.steps.find((s) => s.name === "app-hjhs-container");
        // A released container is named after its release id, renewed with the image: both force the replacement.
        expect(container?.replaceReasons).toEqual(["image", "name"]);
        expect(container?.detailedDiff).toContainEqual({ path: "image", kind: "update-replace", inputDiff: false });
        expect(container?.detailedDiff).toContainEqual({ path: "name", kind: "update-replace", inputDiff: false });
        expect(container?.oldState?.inputs.image).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(container?.oldState?.inputs.name).toBe("nexora-staging-hjhs-9e04aca1");
        // The new image's id is only known once it is pulled, and so is the new release id in the name.
        expect(container?.newState?.inputs.image).toBe(UNKNOWN_VALUE);
        expect(container?.newState?.inputs.name).toBe(UNKNOWN_VALUE);
        expect(report.steps.find((s) => s.name === "postgres-data")?.detailedDiff).toEqual([{ path: "labels[4]", kind: "add-replace", inputDiff: false }]);
        // @pulumi/command marks `triggers` replace-on-change: a reload command's re-run is a replacement.
        const reload = report.steps.find((s) => s.name === "caddy-reload");
        expect(reload?.replaceReasons).toEqual(["triggers"]);
        expect(reload?.detailedDiff).toEqual([
            { path: "stdin", kind: "update", inputDiff: true },
            { path: "triggers[0]", kind: "update-replace", inputDiff: true },
        ]);
    });

    it("takes the engine's change summary and every diagnostic", () => {
        const report = digest();
        expect(report.changeSummary).toEqual({ create: 7, delete: 6, replace: 8, same: 135 });
        expect(report.diagnostics.map((d) => `${d.severity} ${d.urn?.split("::").pop()}`)).toEqual(["error postgres-data", "error gitlab-runner-config"]);
    });

    it("rejects what is not a preview document with a clear error", () => {
        expect(() => parsePreviewDigest("Previewing update (staging)")).toThrow(PreviewParseError);
        expect(() => parsePreviewDigest('{"steps": 3}')).toThrow(/steps/);
    });

    it("reads a digest with no steps (nothing to change) as an empty preview", () => {
        const report = parsePreviewDigest('{"changeSummary": {"same": 52}, "duration": 1000}');
        expect(report.steps).toEqual([]);
        expect(report.changeSummary).toEqual({ same: 52 });
    });
});

describe("parseEngineEvents", () => {
    it("turns the replacement's three events into one replace step and drops same steps", () => {
        const report = events();
        expect(report.steps.map((s) => `${s.op} ${s.name}`)).toEqual([
            "create app-erp-dev-release",
            "create app-erp-dev-container",
            "replace app-hjhs-release",
            "replace app-hjhs-container",
            "delete gitlab-runner-config",
        ]);
        const container = report.steps.find((s) => s.name === "app-hjhs-container");
        expect(container?.replaceReasons).toEqual(["image", "name"]);
        // Events name the diff kind `diffKind`; the digest names it `kind`.
        expect(container?.detailedDiff).toEqual([
            { path: "image", kind: "update-replace", inputDiff: false },
            { path: "name", kind: "update-replace", inputDiff: false },
        ]);
    });

    it("turns the event log's secret envelope into [secret], and leaves plain values as they are", () => {
        const report = events();
        const replaced = report.steps.find((s) => s.name === "app-hjhs-container");
        // An app with a secret among its env entries gets the whole list as one secret.
        expect(replaced?.oldState?.inputs.envs).toBe("[secret]");
        expect(replaced?.newState?.inputs.envs).toBe("[secret]");
        const create = report.steps.find((s) => s.name === "app-erp-dev-container");
        expect(create?.newState?.inputs.envs).toEqual([
            "APP_ENV=development",
            "DB_HOST=legacy-erp-db.nexora.internal",
            `DB_PASSWORD=${WEAK_DB_PASSWORD}`,
            `LEGACY_IMPORT=https://staging-gitlab.nexora.restry.cn/api/v4/projects/42/repository/archive?private_token=${PASTED_GITLAB_TOKEN}`,
        ]);
    });

    it("collects policy violations once each, whatever the key casing, with their level", () => {
        const violations = events().policyViolations;
        expect(violations).toHaveLength(2);
        expect(violations[0]).toMatchObject({
            policyPack: "nexora-credentials",
            policyName: "credentials-resource-forbid-weak-secrets",
            level: "mandatory",
            severity: "critical",
        });
        expect(violations[0].urn).toMatch(/::app-erp-dev-container$/);
        expect(violations[0].message).toMatch(/\ncontainer 'app-erp-dev-container' envs\[DB_PASSWORD\] is weak: /);
        // resourceURN / Message / PolicyName / EnforcementLevel: PascalCase variants still read.
        expect(violations[1]).toMatchObject({ policyName: "credentials-resource-flag-plaintext-literals", level: "advisory", severity: "medium" });
        expect(violations[1].urn).toMatch(/::app-erp-dev-container$/);
        expect(violations[1].message).toMatch(/envs\[LEGACY_IMPORT\] contains what looks like a GitLab personal\/project\/group access token/);
    });

    it("reads the summary's PascalCase PolicyPacks and resource changes", () => {
        const report = events();
        expect(report.policyPacks).toEqual({ "nexora-credentials": "0.1.0" });
        expect(report.changeSummary).toEqual({ create: 2, delete: 1, replace: 2, same: 2 });
    });

    it("strips colour directives, skips ephemeral diagnostics and unknown events, and counts unreadable lines", () => {
        const report = events();
        expect(report.diagnostics).toHaveLength(1);
        expect(report.diagnostics[0].message).toMatch(
            /^error: resource "urn:pulumi:staging::nexora::\S+::gitlab-runner-config" cannot be deleted\nbecause it is protected\./,
        );
        expect(report.diagnostics[0].message).not.toMatch(/<\{%/);
        expect(report.unreadableEventLines).toBe(1);
    });
});

describe("collapseSteps", () => {
    const step = (op: string, protect = false, nextProtect = protect): PreviewStep => ({
        op,
        urn: "urn:pulumi:prod::nexora::docker:index/volume:Volume::postgres-data",
        type: "docker:index/volume:Volume",
        name: "postgres-data",
        oldState: { type: "docker:index/volume:Volume", urn: "", protect, retainOnDelete: false, inputs: { name: "old" }, outputs: {} },
        newState: { type: "docker:index/volume:Volume", urn: "", protect: nextProtect, retainOnDelete: false, inputs: { name: "new" }, outputs: {} },
        diffReasons: [],
        replaceReasons: op === "create-replacement" ? ["name"] : [],
    });

    it("stands one replace in for the halves of --show-replacement-steps output", () => {
        const collapsed = collapseSteps([step("create-replacement"), step("delete-replaced")]);
        expect(collapsed.map((s) => s.op)).toEqual(["replace"]);
        expect(collapsed[0].replaceReasons).toEqual(["name"]);
    });

    it("keeps a same step whose protect flag changes: unprotecting a volume is news", () => {
        expect(collapseSteps([step("same", true, false), step("same")]).map((s) => s.op)).toEqual(["same"]);
    });
});

describe("mergeReports", () => {
    it("takes steps from the digest and policy results from the events", () => {
        const merged = mergeReports(digest(), events());
        expect(merged.steps).toHaveLength(21);
        expect(merged.policyViolations).toHaveLength(2);
        expect(merged.changeSummary?.same).toBe(135);
        // The runner volume's protection error arrives in both: listed once.
        expect(merged.diagnostics.filter((d) => d.severity === "error")).toHaveLength(2);
    });

    it("falls back to the event log's steps when no digest is given", () => {
        expect(mergeReports(undefined, events()).steps).toHaveLength(5);
    });
});
