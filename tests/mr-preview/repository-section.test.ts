import { describe, expect, it } from "vitest";
import type { PreviewReport, PreviewStep, ResourceState } from "../../tools/mr-preview/model";
import { renderPreviewNote } from "../../tools/mr-preview/render-note";

const URN = (type: string, name: string) => `urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:gitlab:Content$${type}::${name}`;

function state(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<ResourceState> = {}): ResourceState {
    return { type, urn: URN(type, name), protect: false, retainOnDelete: false, inputs, outputs: inputs, ...extra };
}
function step(op: string, type: string, name: string, inputs: Record<string, unknown>, extra: Partial<ResourceState> = {}): PreviewStep {
    const s = state(type, name, inputs, extra);
    return {
        op,
        urn: s.urn,
        type,
        name,
        oldState: op === "create" ? undefined : s,
        newState: op === "delete" ? undefined : s,
        diffReasons: op === "update" ? ["protected"] : [],
        replaceReasons: [],
    };
}

const steps: PreviewStep[] = [
    step("create", "gitlab:index/project:Project", "product-shop", { path: "shop", visibilityLevel: "private" }, { protect: true, retainOnDelete: true }),
    step("update", "gitlab:index/projectVariable:ProjectVariable", "product-portal-var-DEPLOY_TOKEN", { key: "DEPLOY_TOKEN", protected: true }),
    step("delete", "gitlab:index/branchProtection:BranchProtection", "product-wiki-branch-develop", { branch: "develop" }),
    step("delete", "gitlab:index/project:Project", "product-wiki", { path: "wiki" }, { retainOnDelete: true }),
    step("import", "gitlab:index/tagProtection:TagProtection", "product-portal-tag-v", { tag: "v*" }),
    step("create", "docker:index/container:Container", "app-shop-container", { name: "nexora-prod-shop" }),
];
const report: PreviewReport = {
    steps,
    changeSummary: { create: 2, update: 1, delete: 2, import: 1, same: 80 },
    diagnostics: [],
    policyViolations: [],
    policyPacks: { "nexora-credentials": "0.1.0" },
    unreadableEventLines: 0,
};

describe("the MR note's GitLab repositories section", () => {
    const note = renderPreviewNote(report, { stack: "prod" }).body;
    const section = note.slice(note.indexOf("#### 📦 GitLab repositories"), note.indexOf("#### Policy results"));

    it("lists every repository-level change in its own section before the policy results, deletions first, and nothing else", () => {
        expect(section.startsWith("#### 📦 GitLab repositories (5 changes)")).toBe(true);
        const lines = section.split("\n").filter((l) => l.startsWith("- "));
        expect(lines.map((l) => /`([^`]+)` ·/.exec(l)![1])).toEqual([
            "product-wiki-branch-develop",
            "product-wiki",
            "product-portal-var-DEPLOY_TOKEN",
            "product-shop",
            "product-portal-tag-v",
        ]);
        expect(lines[0]).toMatch(/^- 🗑️ delete /);
        expect(section).not.toContain("app-shop-container");
    });

    it("says a removed product's project stays in GitLab (retained), and raises a data-loss warning for a project that would really go", () => {
        expect(section).toContain("GitLab keeps it (retainOnDelete): no longer managed");
        const gone = renderPreviewNote(
            { ...report, steps: [step("delete", "gitlab:index/project:Project", "product-wiki", { path: "wiki" })], changeSummary: { delete: 1 } },
            { stack: "prod" },
        ).body;
        expect(gone).toContain("🛑 **DATA-LOSS RISK");
        expect(gone).toContain("GitLab repository data: code, issues and history go with it");
    });

    it("has no section when no repository-level object changes", () => {
        const plain = renderPreviewNote({ ...report, steps: [steps[5]!], changeSummary: { create: 1 } }, { stack: "prod" }).body;
        expect(plain).not.toContain("GitLab repositories");
    });
});

describe("the offline note's GitLab repositories section", () => {
    it("lists removed, changed and added repository-level resources, removals first, and only those", async () => {
        const { diffPlans, renderOfflineNote } = await import("../../tools/mr-preview/offline-diff");
        const res = (type: string, name: string, inputs: Record<string, unknown>, extra: { protect?: boolean; retainOnDelete?: boolean } = {}) => ({
            urn: `urn:pulumi:prod::nexora::${type}::${name}`,
            type,
            name,
            parent: null,
            protect: extra.protect ?? false,
            retainOnDelete: extra.retainOnDelete ?? false,
            inputs,
        });
        const project = "gitlab:index/project:Project";
        const variable = "gitlab:index/projectVariable:ProjectVariable";
        const base = {
            stack: "prod",
            violations: [],
            resources: [
                res(project, "product-wiki", { path: "wiki" }, { protect: true, retainOnDelete: true }),
                res(variable, "product-portal-var-TITLE", { key: "TITLE", value: "a" }),
                res("docker:index/container:Container", "app-x", { name: "x" }),
            ],
        };
        const head = {
            stack: "prod",
            violations: [],
            resources: [
                res(variable, "product-portal-var-TITLE", { key: "TITLE", value: "b" }),
                res(project, "product-shop", { path: "shop" }, { protect: true, retainOnDelete: true }),
                res("docker:index/container:Container", "app-x", { name: "y" }),
            ],
        };
        const body = renderOfflineNote(diffPlans(base, head), { stack: "prod" }).body;
        const section = body.slice(body.indexOf("#### 📦 GitLab repositories"));
        const lines = section
            .split("\n")
            .filter((l) => l.startsWith("- "))
            .slice(0, 3);
        expect(section.startsWith("#### 📦 GitLab repositories (3 changes)")).toBe(true);
        expect(lines[0]).toMatch(
            /^- 🗑️ removed `product-wiki` · `gitlab:index\/project:Project` · \*\*GitLab keeps it \(retainOnDelete\): no longer managed; protected resource\*\*$/,
        );
        expect(lines[1]).toBe("- ✏️ changed `product-portal-var-TITLE` · `gitlab:index/projectVariable:ProjectVariable` · `value`");
        expect(lines[2]).toBe("- ➕ added `product-shop` · `gitlab:index/project:Project`");
        expect(section.split("####")[1]).not.toContain("app-x");
    });
});
