import { describe, expect, it } from "vitest";
import { PreviewStep } from "../../tools/mr-preview/model";
import { PreviewParseError, collapseSteps, mergeReports, parseEngineEvents, parsePreviewDigest } from "../../tools/mr-preview/parse";
import { readFixture } from "./fixtures";

const digest = () => parsePreviewDigest(readFixture("preview-staging.json"));
const events = () => parseEngineEvents(readFixture("preview-staging.events.ndjson"));

describe("parsePreviewDigest", () => {
    it("keeps every changing step and drops the root stack's `same` step", () => {
        const report = digest();
        expect(report.steps.map((s) => `${s.op} ${s.name}`)).toEqual([
            "create mazugift-container",
            "create mazugift-db-password",
            "create dns-staging-mazugift",
            "update uptime-kuma-container",
            "update dns-staging-outline",
            "replace outline-container",
            "replace gitlab-data",
            "delete hjhs-container",
            "delete dns-staging-hjhs",
            "delete hjhs-uploads",
        ]);
    });

    it("reads type, protect, replace reasons and the detailed diff of a step", () => {
        const report = digest();
        const volume = report.steps.find((s) => s.name === "hjhs-uploads");
        expect(volume?.type).toBe("docker:index/volume:Volume");
        expect(volume?.oldState?.protect).toBe(true);
        const outline = report.steps.find((s) => s.name === "outline-container");
        expect(outline?.replaceReasons).toEqual(["envs", "image"]);
        expect(outline?.detailedDiff).toContainEqual({ path: "envs[5]", kind: "update-replace", inputDiff: true });
        expect(outline?.oldState?.inputs.image).toBe("outlinewiki/outline:0.82.0");
        expect(outline?.newState?.inputs.image).toBe("outlinewiki/outline:0.83.0");
    });

    it("takes the engine's change summary and every diagnostic", () => {
        const report = digest();
        expect(report.changeSummary).toEqual({ create: 3, delete: 3, replace: 2, same: 41, update: 2 });
        expect(report.diagnostics.map((d) => d.severity)).toEqual(["info", "warning", "error"]);
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
        expect(report.steps.map((s) => `${s.op} ${s.name}`)).toEqual(["create mazugift-container", "replace outline-container", "delete hjhs-uploads"]);
        const outline = report.steps.find((s) => s.name === "outline-container");
        expect(outline?.replaceReasons).toEqual(["image"]);
        // Events name the diff kind `diffKind`; the digest names it `kind`.
        expect(outline?.detailedDiff).toEqual([{ path: "image", kind: "update-replace", inputDiff: true }]);
    });

    it("turns the event log's secret envelope into [secret]", () => {
        const create = events().steps.find((s) => s.name === "mazugift-container");
        expect(create?.newState?.inputs.envs).toEqual([
            "NODE_ENV=production",
            "DATABASE_URL=mysql://mazugift:Qw3rtyPlain2026@nexora-staging-mysql:3306/mazugift",
            "[secret]",
        ]);
    });

    it("collects policy violations once each, whatever the key casing, with their level", () => {
        const violations = events().policyViolations;
        expect(violations).toHaveLength(2);
        expect(violations[0]).toMatchObject({ policyPack: "nexora-policies", policyName: "docker-container-env-forbid-plaintext-credential", level: "mandatory" });
        expect(violations[0].urn).toMatch(/::mazugift-container$/);
        // resourceURN / Message / PolicyName / EnforcementLevel: PascalCase variants still read.
        expect(violations[1]).toMatchObject({ policyName: "docker-image-require-digest", level: "advisory", severity: "low" });
        expect(violations[1].urn).toMatch(/::mazugift-container$/);
        expect(violations[1].message).toMatch(/pin it by digest/);
    });

    it("reads the summary's PascalCase PolicyPacks and resource changes", () => {
        const report = events();
        expect(report.policyPacks).toEqual({ "nexora-policies": "v0.1.0" });
        expect(report.changeSummary).toEqual({ create: 1, delete: 1, replace: 1, same: 2 });
    });

    it("strips colour directives, skips ephemeral diagnostics and unknown events, and counts unreadable lines", () => {
        const report = events();
        expect(report.diagnostics).toHaveLength(1);
        expect(report.diagnostics[0].message).toMatch(/^error: unable to delete resource/);
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
        expect(merged.steps).toHaveLength(10);
        expect(merged.policyViolations).toHaveLength(2);
        expect(merged.changeSummary?.same).toBe(41);
        // The protection error arrives in both: listed once.
        expect(merged.diagnostics.filter((d) => d.severity === "error")).toHaveLength(1);
    });

    it("falls back to the event log's steps when no digest is given", () => {
        expect(mergeReports(undefined, events()).steps).toHaveLength(3);
    });
});
