import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import {
    BranchProtection,
    GITLAB_PROVIDER_VERSION,
    Group,
    GroupVariable,
    Project,
    ProjectDeployToken,
    ProjectHook,
    ProjectVariable,
    TagProtection,
} from "../../components/gitlab/provider";
import { type MockRecorder, outputOf, setupMocks } from "../support/mocks";

/**
 * The content resources' type tokens, required inputs and secret handling, as upstream's
 * generated SDK (pulumi/pulumi-gitlab sdk/nodejs/<resource>.ts) declares them: a typo here would be
 * a resource the real plugin does not know, or an input it silently drops.
 */
const UPSTREAM = [
    { cls: Group, token: "gitlab:index/group:Group", required: ["path"], secretOutputs: ["runnersToken"] },
    { cls: Project, token: "gitlab:index/project:Project", required: [], secretOutputs: ["importUrlPassword", "runnersToken"] },
    { cls: ProjectVariable, token: "gitlab:index/projectVariable:ProjectVariable", required: ["key", "project", "value"], secretOutputs: [] },
    { cls: GroupVariable, token: "gitlab:index/groupVariable:GroupVariable", required: ["group", "key", "value"], secretOutputs: [] },
    { cls: BranchProtection, token: "gitlab:index/branchProtection:BranchProtection", required: ["branch", "project"], secretOutputs: [] },
    { cls: TagProtection, token: "gitlab:index/tagProtection:TagProtection", required: ["project", "tag"], secretOutputs: [] },
    { cls: ProjectHook, token: "gitlab:index/projectHook:ProjectHook", required: ["project", "url"], secretOutputs: ["signingToken", "token"] },
    { cls: ProjectDeployToken, token: "gitlab:index/projectDeployToken:ProjectDeployToken", required: ["project", "scopes"], secretOutputs: ["token"] },
] as const;

/** A full set of args, every required input present. */
const ARGS: Record<string, Record<string, unknown>> = {
    "gitlab:index/group:Group": { path: "nexora", name: "Nexora", visibilityLevel: "private", parentId: 4, description: "d" },
    "gitlab:index/project:Project": {
        name: "portal",
        path: "portal",
        namespaceId: 41,
        visibilityLevel: "private",
        defaultBranch: "main",
        environmentsAccessLevel: "enabled",
    },
    "gitlab:index/projectVariable:ProjectVariable": {
        project: "7",
        key: "K",
        value: "v",
        masked: false,
        protected: true,
        environmentScope: "*",
        variableType: "env_var",
        raw: false,
    },
    "gitlab:index/groupVariable:GroupVariable": { group: "41", key: "K", value: "v" },
    "gitlab:index/branchProtection:BranchProtection": {
        project: "7",
        branch: "main",
        pushAccessLevel: "maintainer",
        mergeAccessLevel: "maintainer",
        allowForcePush: false,
    },
    "gitlab:index/tagProtection:TagProtection": { project: "7", tag: "v*", createAccessLevel: "maintainer" },
    "gitlab:index/projectHook:ProjectHook": { project: "7", url: "https://bot.example.test/hook", token: "hook-token-value-0123456789", pushEvents: true },
    "gitlab:index/projectDeployToken:ProjectDeployToken": { project: "7", scopes: ["read_registry"], name: "pull" },
};

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

describe.each(UPSTREAM)("$token", ({ cls, token, required, secretOutputs }) => {
    it("registers the upstream token with the given inputs under their upstream names, the pinned version and the secret outputs", async () => {
        const Ctor = cls as unknown as new (name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;
        const r = new Ctor("x", ARGS[token]!);
        await outputOf(r.urn);
        const rec = mocks.get(token, "x");
        expect(rec.custom).toBe(true);
        expect(rec.inputs).toEqual(ARGS[token]);
        expect(rec.options.version).toBe(GITLAB_PROVIDER_VERSION);
        expect(rec.options.additionalSecretOutputs).toEqual(secretOutputs);
        expect((cls as unknown as { isInstance(o: unknown): boolean }).isInstance(r)).toBe(true);
        expect((cls as unknown as { isInstance(o: unknown): boolean }).isInstance({})).toBe(false);
    });

    it.each(required.map((k) => [k]))("fails like the generated SDK without %s", (key) => {
        const Ctor = cls as unknown as new (name: string, args: Record<string, unknown>) => pulumi.CustomResource;
        const args = { ...ARGS[token] };
        delete args[key];
        expect(() => new Ctor("y", args)).toThrow(`Missing required property '${key}'`);
    });
});

describe("secret inputs", () => {
    it("wraps a hook token as a secret even when given in plaintext, as upstream does", async () => {
        const hook = new ProjectHook("h", { project: "7", url: "https://bot.example.test/hook", token: "plain-hook-token-0123456789" });
        await outputOf(hook.urn);
        expect(mocks.get("gitlab:index/projectHook:ProjectHook", "h").secretInputs).toEqual(["token"]);
        expect(mocks.plaintextLeaks("plain-hook-token-0123456789")).toEqual([]);
    });

    it("passes a variable's value through as given: secret when the caller's Output is secret (upstream does not wrap it)", async () => {
        const v = new ProjectVariable("v", { project: "7", key: "API_TOKEN", value: pulumi.secret("s3cr3t-Value-0123456789") });
        const p = new ProjectVariable("p", { project: "7", key: "TITLE", value: "plain" });
        await Promise.all([outputOf(v.urn), outputOf(p.urn)]);
        expect(mocks.get("gitlab:index/projectVariable:ProjectVariable", "v").secretInputs).toEqual(["value"]);
        expect(mocks.get("gitlab:index/projectVariable:ProjectVariable", "p").secretInputs).toEqual([]);
    });
});
