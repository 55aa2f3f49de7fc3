import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings } from "../../components/config";
import { VARIABLE_KEY } from "../../components/config/products";
import { stringify as toYaml } from "yaml";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll } from "vitest";
import { main as plan } from "../../tools/plan/cli";
import { stackFileConfig } from "../support/stacks";

/** A valid staging-like raw config with GitLab content (strings, objects as JSON, as the engine hands them). */
function raw(over: { groups?: unknown; products?: unknown; apps?: unknown; extra?: Record<string, string> } = {}): Record<string, string> {
    return {
        environment: "staging",
        dockerHost: "ssh://deploy@192.168.31.141",
        tls: "acme",
        acmeEmail: "ops@restry.cn",
        hostnamePattern: "staging-{service}.{domain}",
        edgeSubnet: "172.30.20.0/24",
        dataSubnet: "172.30.21.0/24",
        tunnelEnabled: "true",
        frpServerAddr: "40.162.94.187",
        sshRemotePort: "2223",
        frpToken: "a-strong-relay-token-value-123456",
        registryEnabled: "true",
        gitlabGroups: JSON.stringify(over.groups ?? { nexora: { name: "Nexora" }, "nexora/apps": {} }),
        products: JSON.stringify(
            over.products ?? {
                portal: {
                    group: "nexora",
                    path: "nexora-portal",
                    reviewEnvironments: true,
                    variables: { SITE_TITLE: "Nexora", DEPLOY_TOKEN: { secret: "portalDeployToken" } },
                },
                shop: { group: "nexora/apps", app: "shop" },
            },
        ),
        apps: JSON.stringify(over.apps ?? { shop: { image: "@project:1.2.0", port: 8080 } }),
        // Set only where the default products reference it: an unreferenced key is itself an error.
        ...(over.products === undefined ? { portalDeployToken: "Zq8mKt3Rw9Xp2LvNbJhFdSyG" } : {}),
        ...over.extra,
    };
}

function issuesOf(config: Record<string, string>): { key: string; expected: string }[] {
    try {
        parseSettings(config, { project: "nexora", stack: "staging" });
    } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return [...(err as ConfigError).issues];
    }
    return [];
}

describe("nexora:gitlabGroups and nexora:products", () => {
    it("reads groups parent-first and products with their defaults; an @project app image resolves to the project's registry image", () => {
        const { settings, secretValues } = parseSettings(raw(), { project: "nexora", stack: "staging" });
        const content = settings.gitlabContent;
        expect(content.groups.map((g) => [g.path, g.parent, g.visibility])).toEqual([
            ["nexora", undefined, "private"],
            ["nexora/apps", "nexora", "private"],
        ]);
        const portal = content.products.find((p) => p.key === "portal")!;
        expect(portal).toMatchObject({
            group: "nexora",
            path: "nexora-portal",
            name: "nexora-portal",
            visibility: "private",
            defaultBranch: "main",
            reviewEnvironments: true,
            allowPublic: false,
        });
        // A credential-named key is masked and protected unless config says otherwise; a plain one is neither.
        expect(portal.variables).toEqual([
            {
                key: "SITE_TITLE",
                value: "Nexora",
                secret: undefined,
                masked: false,
                protected: false,
                environmentScope: "*",
                variableType: "env_var",
                raw: false,
                description: "",
                importId: undefined,
            },
            {
                key: "DEPLOY_TOKEN",
                value: undefined,
                secret: "portalDeployToken",
                masked: true,
                protected: true,
                environmentScope: "*",
                variableType: "env_var",
                raw: false,
                description: "",
                importId: undefined,
            },
        ]);
        expect(secretValues.portalDeployToken).toBe("Zq8mKt3Rw9Xp2LvNbJhFdSyG");
        expect(JSON.stringify(settings)).not.toContain("Zq8mKt3Rw9Xp2LvNbJhFdSyG");
        const shop = settings.apps.find((a) => a.key === "shop")!;
        expect(shop.image).toBe("staging-registry.nexora.restry.cn/nexora/apps/shop:1.2.0");
        expect(shop.registry).toEqual({ product: "shop", address: "staging-registry.nexora.restry.cn" });
    });

    it("refuses an unknown group, naming the product's key", () => {
        const issues = issuesOf(raw({ products: { portal: { group: "platform" } } }));
        expect(issues).toContainEqual({
            key: "nexora:products.portal.group",
            expected: expect.stringContaining("a group declared under nexora:gitlabGroups (nexora, nexora/apps)"),
        });
    });

    it("refuses a product without a group", () => {
        const issues = issuesOf(raw({ products: { portal: { path: "nexora-portal" } }, apps: {} }));
        expect(issues).toEqual([{ key: "nexora:products.portal.group", expected: expect.stringContaining("a product without a group") }]);
    });

    it("refuses two products with one project path in one group, naming the second", () => {
        const issues = issuesOf(raw({ products: { portal: { group: "nexora", path: "www" }, site: { group: "nexora", path: "www" } }, apps: {} }));
        expect(issues).toEqual([{ key: "nexora:products.site.path", expected: expect.stringContaining("nexora/www is also products.portal") }]);
        // The same path in another group is another project.
        expect(issuesOf(raw({ products: { portal: { group: "nexora", path: "www" }, site: { group: "nexora/apps", path: "www" } }, apps: {} }))).toEqual([]);
    });

    it.each([
        ["a hyphen", "DEPLOY-TOKEN"],
        ["a dot", "APP.ENV"],
        ["a space", "APP ENV"],
        ["256 characters", "A".repeat(256)],
    ])("refuses a variable key GitLab would refuse (%s)", (_why, key) => {
        const issues = issuesOf(raw({ products: { portal: { group: "nexora", variables: { [key]: "x" } } }, apps: {} }));
        expect(issues).toHaveLength(1);
        expect(issues[0]!.key).toMatch(/^nexora:products\.portal\.variables\./);
        expect(issues[0]!.expected).toContain("letters, digits and '_' only, 1-255 characters");
    });

    it("accepts GitLab's whole key alphabet up to 255 characters", () => {
        expect(VARIABLE_KEY.test("a".repeat(255))).toBe(true);
        expect(issuesOf(raw({ products: { portal: { group: "nexora", variables: { lower_Case_9: "x", ["B".repeat(255)]: "y" } } }, apps: {} }))).toEqual([]);
    });

    it("refuses a credential-named variable with a plaintext value, never echoing it", () => {
        const issues = issuesOf(raw({ products: { portal: { group: "nexora", variables: { API_TOKEN: "Passw0rd123" } } }, apps: {} }));
        expect(issues).toEqual([{ key: "nexora:products.portal.variables.API_TOKEN.value", expected: expect.stringContaining("pulumi config set --secret") }]);
        expect(JSON.stringify(issues)).not.toContain("Passw0rd123");
    });

    it("requires a variable's secret key to be set and stored as a secret", () => {
        const missing = raw();
        delete missing.portalDeployToken;
        expect(issuesOf(missing)).toContainEqual({
            key: "nexora:products.portal.variables.DEPLOY_TOKEN.secret",
            expected: expect.stringContaining("to be set"),
        });
        expect(() => parseSettings(raw(), { project: "nexora", stack: "staging", isSecret: (k) => k !== "nexora:portalDeployToken" })).toThrow(
            /products\.portal\.variables\.DEPLOY_TOKEN\.secret: expected nexora:portalDeployToken to be stored as a secret/,
        );
    });

    it("refuses an @project image without a product claiming the app, or without the registry", () => {
        expect(issuesOf(raw({ products: {} }))).toContainEqual({
            key: "nexora:apps.shop.image",
            expected: expect.stringContaining("a product that claims this app"),
        });
        expect(issuesOf(raw({ extra: { registryEnabled: "false" } }))).toContainEqual({
            key: "nexora:apps.shop.image",
            expected: expect.stringContaining("registryEnabled is false"),
        });
    });

    it("refuses a subgroup without its parent, a path import of a group, a visibility GitLab lacks and an unknown app", () => {
        const issues = issuesOf(
            raw({
                groups: { nexora: { import: "nexora" }, "tools/ci": {} },
                products: { portal: { group: "nexora", visibility: "secret", app: "nope" } },
                apps: {},
            }),
        );
        expect(issues.map((i) => i.key).sort()).toEqual([
            "nexora:gitlabGroups.nexora.import",
            "nexora:gitlabGroups.tools/ci",
            "nexora:products.portal.app",
            "nexora:products.portal.visibility",
        ]);
    });

    it("requires the hook token when the hook URL is set and products exist", () => {
        expect(issuesOf(raw({ extra: { gitlabHookUrl: "https://bot.nexora.restry.cn/hooks/gitlab" } }))).toContainEqual({
            key: "nexora:gitlabHookToken",
            expected: expect.stringContaining("webhook token"),
        });
        expect(issuesOf(raw({ extra: { gitlabHookUrl: "https://bot.nexora.restry.cn/hooks/gitlab", gitlabHookToken: "Yh7nLq2Wc8Vx4Rt6Mk9Pz3Bd" } }))).toEqual(
            [],
        );
        expect(issuesOf(raw({ extra: { gitlabHookUrl: "http://bot/?token=abc", gitlabHookToken: "Yh7nLq2Wc8Vx4Rt6Mk9Pz3Bd" } }))).toContainEqual({
            key: "nexora:gitlabHookUrl",
            expected: expect.stringContaining("https://"),
        });
    });

    it("refuses products when GitLab is off", () => {
        const config = raw({ products: { portal: { group: "nexora" } }, apps: {} });
        const issues = issuesOf({ ...config, gitlabEnabled: "false", registryEnabled: "false" });
        expect(issues).toContainEqual({ key: "nexora:products", expected: expect.stringContaining("gitlabEnabled is false") });
    });
});

describe("npm run plan with bad GitLab content", () => {
    const work = mkdtempSync(path.join(tmpdir(), "nexora-products-"));
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it("exits 2 naming every bad key (unknown group, duplicate path, refused variable key, no group) before registering anything", async () => {
        const config = stackFileConfig("prod");
        const file = path.join(work, "bad.yaml");
        writeFileSync(
            file,
            toYaml({
                config: {
                    ...config,
                    "nexora:products": {
                        platform: { group: "nexora", path: "nexora-platform", variables: { "BAD-KEY": "x" } },
                        portal: { group: "nexora", path: "nexora-platform" },
                        wiki: { group: "docs" },
                        blog: { path: "blog" },
                    },
                },
            }),
        );
        let stdout = "";
        let stderr = "";
        const code = await plan(["prod", "--config", file], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
        expect(code).toBe(2);
        expect(stdout).toBe("");
        for (const key of [
            "nexora:products.platform.variables.BAD-KEY",
            "nexora:products.portal.path",
            "nexora:products.wiki.group",
            "nexora:products.blog.group",
        ]) {
            expect(stderr).toContain(`${key}: expected`);
        }
        expect(stderr).not.toMatch(/\n\s+at /);
    });
});

describe("a public project", () => {
    it("needs allowPublic in prod, not in staging", () => {
        const prodRaw = {
            ...raw({ products: { portal: { group: "nexora", visibility: "public" } }, apps: {} }),
            environment: "prod",
            hostnamePattern: "{service}.{domain}",
            sshRemotePort: "2222",
        };
        const issues = (() => {
            try {
                parseSettings(prodRaw, { project: "nexora", stack: "prod" });
            } catch (err) {
                return [...(err as ConfigError).issues];
            }
            return [];
        })();
        expect(issues).toEqual([{ key: "nexora:products.portal.visibility", expected: expect.stringContaining("allowPublic: true") }]);
        const allowed = { ...prodRaw, products: JSON.stringify({ portal: { group: "nexora", visibility: "public", allowPublic: true } }) };
        expect(() => parseSettings(allowed, { project: "nexora", stack: "prod" })).not.toThrow();
        expect(issuesOf(raw({ products: { portal: { group: "nexora", visibility: "public" } }, apps: {} }))).toEqual([]);
    });
});
