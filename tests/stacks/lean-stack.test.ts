import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateStack, PlanResult } from "../../tools/plan/evaluate";
import { baseContainerName, ROOT, stackFileConfig } from "../support/stacks";

/** The e2e's lean stack (tests/e2e/stack.yaml) under mocks: what the real e2e brings up. */
let plan: PlanResult;

beforeAll(async () => {
    plan = await evaluateStack({ stack: "dev-e2e", configFile: path.join(ROOT, "tests/e2e/stack.yaml") });
});

describe("a lean stack without GitLab", () => {
    it("runs exactly the data stores, Caddy, the portal, the tunnel, its apps and the backup", () => {
        const containers = plan.resources.filter((r) => r.type === "docker:index/container:Container").map((r) => baseContainerName(String(r.inputs.name)));
        expect(containers.sort()).toEqual(
            ["backup", "caddy", "frpc", "ledger", "mysql", "portal", "postgres", "redis", "shop"].map((s) => `nexora-dev-e2e-${s}`).sort(),
        );
    });

    it("declares no identity provider, OAuth application, GitLab token or DNS record", () => {
        const types = new Set(plan.resources.map((r) => r.type));
        for (const type of types) expect(type).not.toMatch(/^gitlab:|^cloudflare:|pulumi:providers:gitlab|nexora:identity|nexora:gitlab/);
        expect(plan.resources.filter((r) => r.name.includes("gitlab"))).toEqual([]);
    });

    it("provisions no PostgreSQL consumer it does not run", () => {
        expect(plan.resources.filter((r) => /postgres-(gitlab|outline|grafana)-password/.test(r.name))).toEqual([]);
    });

    it("routes only what it runs, and no GitLab SSH", () => {
        expect(Object.keys(plan.outputs.urls as Record<string, string>).sort()).toEqual(["ledger", "portal", "shop"]);
        expect(plan.outputs.gitlabSsh).toBeUndefined();
        expect(Object.keys(plan.outputs.adminCredentials as Record<string, string>)).toEqual(["edgeAdmin"]);
    });
});

describe("Portainer without GitLab", () => {
    it("runs with its own admin login and no OAuth settings", async () => {
        const config: Record<string, unknown> = {
            ...stackFileConfig("dev"),
            "nexora:gitlabEnabled": false,
            "nexora:outlineEnabled": false,
            "nexora:grafanaEnabled": false,
        };
        const apps = config["nexora:apps"] as Record<string, Record<string, unknown>>;
        config["nexora:apps"] = Object.fromEntries(Object.entries(apps).map(([k, v]) => [k, { ...v, sso: undefined }]));
        const lean = await evaluateStack({ stack: "dev", config });
        const names = lean.resources.map((r) => r.name);
        expect(names).toContain("portainer-container");
        expect(names.filter((n) => /oauth|identity/.test(n))).toEqual([]);
        expect(Object.keys(lean.outputs.adminCredentials as Record<string, string>).sort()).toEqual(["edgeAdmin", "portainerAdmin"]);
    });
});
