// The fixtures describe the real program: every resource, URN, type, parent, protect flag,
// policy name, level and message in them is checked against the staging stack evaluated now,
// with and without the merge request (tests/mr-preview/fixtures.ts), and against the pack.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { POLICY_PACK_NAME, allPolicies } from "../../policies/policy-list";
import { diffPlans, parsePlanDocument } from "../../tools/mr-preview/offline-diff";
import { ResourceState } from "../../tools/mr-preview/model";
import { normalizePolicyLevel, parseEngineEvents, parsePreviewDigest } from "../../tools/mr-preview/parse";
import { PlanResult, evaluateStack } from "../../tools/plan/evaluate";
import { checkPlan, planJson, type PlanDocument, type PlanDocumentResource } from "../../tools/plan/report";
import { stackFileConfig } from "../support/stacks";
import { ConfigError } from "../../components/config";
import { PLAINTEXT_CREDENTIAL_ENV, POSTGRES_BACKUP_LABEL, readFixture, stagingMergeRequestConfig } from "./fixtures";

interface Live {
    readonly result: PlanResult;
    readonly doc: PlanDocument;
    readonly byUrn: ReadonlyMap<string, PlanResult["resources"][number]>;
}

async function evaluate(config: Record<string, unknown>, withBackupLabel: boolean): Promise<Live> {
    const result = await evaluateStack({ stack: "staging", config });
    if (withBackupLabel) {
        // The plaintext credentials the config now refuses, put back as an older branch's plan has them.
        const app = result.resources.find((r) => r.name === "app-erp-dev-container");
        if (!app) throw new Error("the merge request no longer adds erp-dev");
        const extra = Object.entries(PLAINTEXT_CREDENTIAL_ENV).map(([k, v]) => `${k}=${v}`);
        for (const inputs of [app.inputs, app.plainInputs]) inputs.envs = [...(inputs.envs as string[]), ...extra].sort();
        const volume = result.resources.find((r) => r.name === "postgres-data");
        if (!volume) throw new Error("the program no longer declares postgres-data");
        (volume.inputs.labels as unknown[]).push({ ...POSTGRES_BACKUP_LABEL });
    }
    const doc = parsePlanDocument(JSON.stringify(planJson(result, checkPlan(result))), "plan");
    return { result, doc, byUrn: new Map(result.resources.map((r) => [r.urn, r])) };
}

const STACK_URN = "urn:pulumi:staging::nexora::pulumi:pulumi:Stack::nexora-staging";
const names = (resources: readonly PlanDocumentResource[]) => resources.map((r) => r.name).sort();

let base: Live;
let head: Live;
beforeAll(async () => {
    const config = stackFileConfig("staging");
    // One after the other: the mocks the plan runs under are process-wide.
    base = await evaluate(config, false);
    head = await evaluate(stagingMergeRequestConfig(config, { plaintextCredentials: false }), true);
});

it("the merge request's plaintext credentials are a config error today, naming both keys and neither value", async () => {
    const error = await evaluateStack({ stack: "staging", config: stagingMergeRequestConfig(stackFileConfig("staging")) }).then(
        () => undefined,
        (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.key).sort()).toEqual(["nexora:apps.erp-dev.env.DB_PASSWORD", "nexora:apps.erp-dev.env.LEGACY_IMPORT"]);
    for (const value of Object.values(PLAINTEXT_CREDENTIAL_ENV)) expect((error as Error).message).not.toContain(value);
});

describe("plan-staging-base.json and plan-staging-head.json", () => {
    const fixtures = () => ({
        base: parsePlanDocument(readFixture("plan-staging-base.json"), "base"),
        head: parsePlanDocument(readFixture("plan-staging-head.json"), "head"),
    });

    it("declare only resources the program declares, with its URNs, types, parents and protect flags", () => {
        for (const [fixture, live] of [
            [fixtures().base, base],
            [fixtures().head, head],
        ] as const) {
            const liveByUrn = new Map(live.doc.resources.map((r) => [r.urn, r]));
            for (const resource of fixture.resources) {
                const actual = liveByUrn.get(resource.urn);
                expect(actual, resource.urn).toBeDefined();
                expect({ type: resource.type, name: resource.name, parent: resource.parent, protect: resource.protect }).toEqual({
                    type: actual?.type,
                    name: actual?.name,
                    parent: actual?.parent,
                    protect: actual?.protect,
                });
                if (resource.type === "cloudflare:index/dnsRecord:DnsRecord") expect(resource.inputs.comment).toBe(actual?.inputs.comment);
            }
        }
    });

    it("differ as the merge request makes the program differ, with the pack's own findings", () => {
        const fixture = diffPlans(fixtures().base, fixtures().head);
        const live = diffPlans(base.doc, head.doc);
        expect(names(fixture.added)).toEqual(names(live.added));
        expect(names(fixture.removed)).toEqual(names(live.removed));
        expect(fixture.changed.map((c) => c.head.name).sort()).toEqual(live.changed.map((c) => c.head.name).sort());
        expect(fixtures().base.violations).toEqual(base.doc.violations);
        expect(fixtures().head.violations).toEqual(head.doc.violations);
    });
});

describe("preview-staging.json and preview-staging.events.ndjson", () => {
    const digest = () => parsePreviewDigest(readFixture("preview-staging.json"));
    const events = () => parseEngineEvents(readFixture("preview-staging.events.ndjson"));

    function expectLike(state: ResourceState, live: Live, what: string): void {
        const actual = live.byUrn.get(state.urn);
        expect(actual, `${what}: ${state.urn} is not in the program`).toBeDefined();
        if (!actual) return;
        expect({ type: state.type, parent: state.parent, protect: state.protect, retainOnDelete: state.retainOnDelete }, state.urn).toEqual({
            type: actual.type,
            parent: actual.parent ?? STACK_URN,
            protect: actual.protect,
            retainOnDelete: actual.retainOnDelete,
        });
        // Inputs the preview shows are inputs the program sets.
        for (const key of Object.keys(state.inputs)) expect(Object.keys(actual.inputs), `${state.urn}: ${key}`).toContain(key);
        if (state.type === "cloudflare:index/dnsRecord:DnsRecord") expect(state.inputs.comment).toBe(actual.inputs.comment);
    }

    it("show old states from the target branch's program and new states from the merge request's", () => {
        for (const report of [digest(), events()]) {
            for (const step of report.steps) {
                if (step.oldState) expectLike(step.oldState, base, `${step.op} (old)`);
                if (step.newState) expectLike(step.newState, head, `${step.op} (new)`);
            }
        }
    });

    it("create what the merge request adds, delete what it removes and change what it changes", () => {
        const live = diffPlans(base.doc, head.doc);
        const steps = digest().steps;
        const urns = (op: string) =>
            steps
                .filter((s) => s.op === op)
                .map((s) => s.urn)
                .sort();
        expect(urns("create")).toEqual(live.added.map((r) => r.urn).sort());
        expect(urns("delete")).toEqual(live.removed.map((r) => r.urn).sort());
        const changed = live.changed.map((c) => c.head.urn).sort();
        const updatedOrReplaced = [...urns("update"), ...urns("replace")].sort();
        expect(updatedOrReplaced).toEqual(expect.arrayContaining(changed));
        // What the plans cannot show: the new hjhs image's id, unknown until it is pulled, is in the
        // release fingerprint, so it renews the release id, which renames and replaces the container
        // and re-runs its gate and switch (in URN order: the commands, the container, the release id).
        expect(updatedOrReplaced.filter((u) => !changed.includes(u)).map((u) => u.split("::").pop())).toEqual([
            "app-hjhs-gate",
            "app-hjhs-switch",
            "app-hjhs-container",
            "app-hjhs-release",
        ]);
    });

    it("name the real policy pack, its policies, their levels and severities, and the messages it reports", () => {
        const version = (JSON.parse(readFileSync(path.join(__dirname, "../../policies/package.json"), "utf8")) as { version: string }).version;
        const report = events();
        expect(report.policyPacks).toEqual({ [POLICY_PACK_NAME]: version });
        expect(report.policyViolations.length).toBeGreaterThan(0);
        const findings = checkPlan(head.result);
        for (const violation of report.policyViolations) {
            const policy = allPolicies.find((p) => p.name === violation.policyName);
            expect(policy, violation.policyName).toBeDefined();
            expect(violation.policyPack).toBe(POLICY_PACK_NAME);
            expect(violation.level).toBe(normalizePolicyLevel(policy?.enforcementLevel));
            expect(violation.severity).toBe(policy?.severity);
            const finding = findings.find((f) => f.policy === violation.policyName && f.urn === violation.urn);
            expect(finding, `${violation.policyName} on ${violation.urn}`).toBeDefined();
            // The engine reports a resource policy's description, then what it found.
            expect(violation.message).toBe(`${policy?.description}\n${finding?.message}`);
        }
        expect(report.policyViolations).toHaveLength(findings.length);
    });

    it("report the engine's own protection errors for the protected resources they replace or delete", () => {
        const steps = digest().steps;
        for (const diagnostic of [...digest().diagnostics, ...events().diagnostics].filter((d) => d.severity === "error")) {
            const step = steps.find((s) => s.urn === diagnostic.urn);
            expect(step?.oldState?.protect, diagnostic.urn).toBe(true);
            expect(diagnostic.message).toContain(`"${diagnostic.urn}"`);
            expect(diagnostic.message).toContain(step?.op === "replace" ? "unable to replace resource" : "cannot be deleted\nbecause it is protected");
        }
    });
});
