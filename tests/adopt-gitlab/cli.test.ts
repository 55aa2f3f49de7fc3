import { readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { main } from "../../tools/adopt-gitlab/cli";
import { evaluateStack } from "../../tools/plan/evaluate";
import { ROOT } from "../support/stacks";

/** Recorded answers of a GitLab, by request path (query strings ignored: the fixture holds every page). */
const ANSWERS = JSON.parse(readFileSync(path.join(__dirname, "fixtures", "instance.json"), "utf8")) as Record<string, unknown>;
const TOKEN = "glpat-adopt-test-token-0123456789";
const SECRET_VALUE = "Zq8mKt3Rw9Xp2LvNbJhFdSyG";
const HOOK_URL = "https://bot.nexora.restry.cn/hooks/gitlab";

let server: Server;
let url: string;
const requests: string[] = [];
const work = mkdtempSync(path.join(tmpdir(), "nexora-adopt-"));

beforeAll(async () => {
    server = createServer((req, res) => {
        const pathname = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
        requests.push(pathname);
        if (req.headers["private-token"] !== TOKEN) {
            res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ message: "401 Unauthorized" }));
            return;
        }
        if (!Object.hasOwn(ANSWERS, pathname)) {
            res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "404 Not Found" }));
            return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(ANSWERS[pathname]));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(work, { recursive: true, force: true });
});

/** A copy of the prod stack file that also names the ops bot's hook URL. */
function prodCopy(name: string): string {
    const file = path.join(work, name);
    writeFileSync(file, readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8") + `  nexora:gitlabHookUrl: ${HOOK_URL}\n`);
    return file;
}

async function adopt(
    args: string[],
    env: Record<string, string | undefined> = { GITLAB_TOKEN: TOKEN },
    pulumi?: (a: readonly string[], input: string) => Promise<number>,
) {
    let stdout = "";
    let stderr = "";
    const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, pulumi });
    return { code, stdout, stderr };
}

describe("npm run adopt-gitlab against recorded GitLab answers", () => {
    it("writes groups by id and projects with import IDs for the project, its variables and the protections that match", async () => {
        const file = prodCopy("adopt.yaml");
        const before = readFileSync(file, "utf8");
        const r = await adopt(["prod", "--url", url, "--config", file, "--write"]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const after = readFileSync(file, "utf8");
        // Comments and every other key stay.
        expect(after).toContain("# Production: {service}.nexora.restry.cn on claw-bot");
        expect(after.length).toBeGreaterThan(before.length);
        const config = (parseYaml(after) as { config: Record<string, unknown> }).config;
        expect(config["nexora:gitlabGroups"]).toEqual({
            nexora: { name: "Nexora", visibility: "private", import: "41" },
            "nexora/apps": { name: "Apps", description: "Business apps", visibility: "internal", import: "57" },
        });
        const products = config["nexora:products"] as Record<string, Record<string, unknown>>;
        expect(Object.keys(products).sort()).toEqual(["platform", "portal", "shop"]);
        // Declared products keep their keys and the operator's fields; adopted fields take GitLab's values.
        expect(products.portal).toEqual({
            group: "nexora",
            path: "nexora-portal",
            description: "Company portal",
            reviewEnvironments: true,
            variables: {
                SITE_TITLE: { value: "Nexora", masked: false, protected: false, import: "nexora/nexora-portal:SITE_TITLE:*" },
                DEPLOY_TOKEN: {
                    secret: "portal-DEPLOY_TOKEN",
                    masked: true,
                    protected: true,
                    environmentScope: "production",
                    import: "nexora/nexora-portal:DEPLOY_TOKEN:production",
                },
                SIGNING_KEY: {
                    secret: "portal-SIGNING_KEY",
                    masked: true,
                    protected: true,
                    variableType: "file",
                    raw: true,
                    description: "release signing",
                    import: "nexora/nexora-portal:SIGNING_KEY:*",
                },
            },
            import: { project: "nexora/nexora-portal", branches: { main: "nexora/nexora-portal:main" }, tags: { "v*": "nexora/nexora-portal:v*" } },
        });
        expect(products.platform).toMatchObject({
            group: "nexora",
            path: "nexora-platform",
            name: "Nexora Platform",
            reviewEnvironments: false,
            import: { project: "nexora/nexora-platform", branches: { main: "nexora/nexora-platform:main", develop: "nexora/nexora-platform:develop" } },
        });
        expect((products.platform!.import as Record<string, unknown>).tags).toBeUndefined();
        expect(products.shop).toEqual({
            group: "nexora/apps",
            visibility: "internal",
            defaultBranch: "master",
            reviewEnvironments: true,
            import: { project: "nexora/apps/shop" },
        });
        // No credential in the stack file.
        expect(after).not.toContain(SECRET_VALUE);
        // Each project once, though GitLab lists a subgroup's projects under its parent too.
        expect(requests.filter((p) => p === "/api/v4/projects/107/variables")).toHaveLength(1);
    });

    it("says what it did not adopt as it is, and what to do", async () => {
        const r = await adopt(["prod", "--url", url, "--config", prodCopy("notes.yaml")]);
        expect(r.code).toBe(0);
        const notes = r.stdout.split("\n").filter((l) => l.startsWith("- "));
        expect(notes).toEqual([
            expect.stringMatching(/^- group Legacy_Stuff: not adopted: its path is not lowercase/),
            expect.stringMatching(/^- nexora\/apps\/shop deploy token 5 \(pull\): not imported \(its value cannot be read back\).*revoke 5 after it$/),
            expect.stringMatching(/^- nexora\/nexora-platform tags v\*: created by developer; the program declares maintainer/),
            expect.stringMatching(
                /^- nexora\/nexora-portal variable SITE_TITLE \(review\/\*\): not adopted: the program declares one environment scope per key/,
            ),
            expect.stringMatching(
                /^- nexora\/nexora-portal variable SIGNING_KEY \(\*\): hidden in GitLab, its value cannot be read: set nexora:portal-SIGNING_KEY yourself/,
            ),
            expect.stringMatching(
                /^- nexora\/nexora-portal branch develop: protected as push maintainer, merge developer; the program declares push developer, merge developer: not imported\. Unprotect it/,
            ),
            expect.stringMatching(
                /^- nexora\/nexora-portal hook 9 to the ops bot: not imported \(GitLab never returns its token\); the first up adds a hook with nexora:gitlabHookToken: delete hook 9 after it$/,
            ),
        ]);
        expect(r.stdout).toContain("pulumi config set --secret --stack prod portal-DEPLOY_TOKEN");
        expect(r.stdout).not.toContain(SECRET_VALUE);
        expect(r.stdout).not.toContain(TOKEN);
    });

    it("stores a credential value with pulumi config set --secret, the value on stdin only", async () => {
        const calls: { args: readonly string[]; input: string }[] = [];
        const r = await adopt(["prod", "--url", url, "--config", prodCopy("secrets.yaml"), "--set-secrets"], { GITLAB_TOKEN: TOKEN }, async (args, input) => {
            calls.push({ args, input });
            return 0;
        });
        expect(r.code).toBe(0);
        // The hidden one has no value to store: the operator sets it (said in the notes).
        expect(calls).toEqual([{ args: ["config", "set", "--secret", "--stack", "prod", "nexora:portal-DEPLOY_TOKEN"], input: SECRET_VALUE }]);
        expect(r.stdout).not.toContain(SECRET_VALUE);
    });

    it("makes a config whose evaluation imports every adopted object, creates the hook anew (rotated once) and protects and retains what it imports", async () => {
        const file = prodCopy("evaluate.yaml");
        expect((await adopt(["prod", "--url", url, "--config", file, "--write"])).code).toBe(0);
        const plan = await evaluateStack({ stack: "prod", configFile: file });
        const r = plan.recorder;
        expect(r.get("gitlab:index/group:Group", "gitlab-group-nexora").id).toBe("41");
        expect(r.get("gitlab:index/group:Group", "gitlab-group-nexora--apps").inputs.parentId).toBe(41);
        const portal = r.get("gitlab:index/project:Project", "product-portal");
        expect(portal.id).toBe("nexora/nexora-portal");
        expect(portal.inputs).toMatchObject({
            name: "nexora-portal",
            path: "nexora-portal",
            description: "Company portal",
            visibilityLevel: "private",
            defaultBranch: "main",
            environmentsAccessLevel: "enabled",
            namespaceId: 41,
        });
        expect(portal.options).toMatchObject({ protect: true, retainOnDelete: true });
        expect(r.get("gitlab:index/project:Project", "product-shop").inputs).toMatchObject({
            defaultBranch: "master",
            visibilityLevel: "internal",
            namespaceId: 57,
        });
        expect(r.get("gitlab:index/projectVariable:ProjectVariable", "product-portal-var-DEPLOY_TOKEN").id).toBe(
            "nexora/nexora-portal:DEPLOY_TOKEN:production",
        );
        expect(r.get("gitlab:index/projectVariable:ProjectVariable", "product-portal-var-SIGNING_KEY").inputs).toMatchObject({
            variableType: "file",
            raw: true,
            masked: true,
            protected: true,
        });
        expect(r.get("gitlab:index/branchProtection:BranchProtection", "product-portal-branch-main").id).toBe("nexora/nexora-portal:main");
        expect(r.get("gitlab:index/branchProtection:BranchProtection", "product-portal-branch-develop").id).toBeUndefined();
        expect(r.get("gitlab:index/tagProtection:TagProtection", "product-portal-tag-v").id).toBe("nexora/nexora-portal:v*");
        const hook = r.get("gitlab:index/projectHook:ProjectHook", "product-portal-hook");
        expect(hook.id).toBeUndefined();
        expect(hook.inputs.url).toBe(HOOK_URL);
        expect(hook.secretInputs).toEqual(["token"]);
        expect(r.ofType("gitlab:index/projectHook:ProjectHook")).toHaveLength(3);
    });

    it("exits 2 without GITLAB_TOKEN or with a bad URL, and 1 when GitLab refuses the token, never printing it", async () => {
        const file = prodCopy("bad.yaml");
        const noToken = await adopt(["prod", "--url", url, "--config", file], {});
        expect(noToken.code).toBe(2);
        expect(noToken.stderr).toContain("GITLAB_TOKEN");
        const badUrl = await adopt(["prod", "--url", "gitlab.example;rm -rf /", "--config", file]);
        expect(badUrl.code).toBe(2);
        expect(badUrl.stderr).toContain("--url");
        const refused = await adopt(["prod", "--url", url, "--config", file], { GITLAB_TOKEN: "glpat-wrong-token-value-000000" });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain("GitLab API");
        expect(refused.stderr).not.toContain("glpat-wrong-token-value-000000");
        expect(readFileSync(file, "utf8")).not.toContain("import:");
    });

    it("adopts only the groups --group names, with their subgroups", async () => {
        requests.length = 0;
        const r = await adopt(["prod", "--url", url, "--config", prodCopy("only.yaml"), "--group", "nexora/apps"]);
        // A subgroup is adopted with its parent only (its resource takes the parent's id): nothing here.
        expect(r.code).toBe(0);
        expect(r.stdout).toContain("0 groups, 0 projects adopted.");
        expect(r.stdout).toContain("- group nexora/apps: not adopted: its parent nexora is not adopted");
        expect(requests).not.toContain("/api/v4/groups/60/projects");
    });
});
