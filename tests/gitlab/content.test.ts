import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import type { GitlabGroupSettings, ProductSettings } from "../../components/config/products";
import { GitlabContent, groupResourceName } from "../../components/gitlab/content";
import { GITLAB_PROVIDER_VERSION, Provider } from "../../components/gitlab/provider";
import { parseSettings, toPlatformConfig } from "../../components/config";
import { runPolicyPack } from "../../policies/offline";
import { evaluateStack } from "../../tools/plan/evaluate";
import { type MockRecorder, outputOf, setupMocks } from "../support/mocks";
import { stackFileConfig } from "../support/stacks";

const T = {
    group: "gitlab:index/group:Group",
    project: "gitlab:index/project:Project",
    variable: "gitlab:index/projectVariable:ProjectVariable",
    branch: "gitlab:index/branchProtection:BranchProtection",
    tag: "gitlab:index/tagProtection:TagProtection",
    hook: "gitlab:index/projectHook:ProjectHook",
    deployToken: "gitlab:index/projectDeployToken:ProjectDeployToken",
    component: "nexora:gitlab:Content",
};
const HOOK_TOKEN = "hook-Token-Value-8f2c1d9e7a6b5c4d3e2f";
const DEPLOY_KEY = "deploy-Key-Secret-Value-5e4d3c2b1a09f8e7";

const GROUPS: GitlabGroupSettings[] = [
    { path: "nexora", name: "Nexora", description: "", visibility: "private", importId: "41" },
    { path: "nexora/apps", name: "Apps", description: "Business apps", visibility: "internal", parent: "nexora" },
];
function product(over: Partial<ProductSettings> & { key: string }): ProductSettings {
    return {
        group: "nexora",
        path: over.key,
        name: over.key,
        description: "",
        visibility: "private",
        allowPublic: false,
        defaultBranch: "main",
        reviewEnvironments: false,
        variables: [],
        importIds: { branches: {}, tags: {} },
        ...over,
    };
}
const PORTAL = product({
    key: "portal",
    path: "nexora-portal",
    name: "nexora-portal",
    reviewEnvironments: true,
    variables: [
        {
            key: "SITE_TITLE",
            value: "Nexora",
            masked: false,
            protected: false,
            environmentScope: "*",
            variableType: "env_var",
            raw: true,
            description: "Shown in the header",
        },
        {
            key: "DEPLOY_KEY",
            secret: "portalDeployKey",
            masked: true,
            protected: true,
            environmentScope: "production",
            variableType: "file",
            raw: false,
            description: "",
            importId: "nexora/nexora-portal:DEPLOY_KEY:production",
        },
    ],
    importIds: { project: "nexora/nexora-portal", branches: { main: "nexora/nexora-portal:main" }, tags: { "v*": "nexora/nexora-portal:v*" } },
});
const SHOP = product({ key: "shop", group: "nexora/apps", app: "shop", renamedFrom: "mall" });

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

async function build(products: ProductSettings[] = [PORTAL, SHOP], hook = true, registryProducts: string[] = ["shop"]) {
    const provider = new Provider("gl", { baseUrl: "https://gitlab.example.test/api/v4/", token: "glpat-test" });
    const content = new GitlabContent("gitlab-content", {
        groups: GROUPS,
        products,
        provider,
        productSecrets: { portalDeployKey: pulumi.secret(DEPLOY_KEY) },
        hook: hook ? { url: "https://bot.example.test/gitlab/hook", token: pulumi.secret(HOOK_TOKEN) } : undefined,
        registryProducts,
    });
    await outputOf(content.urn);
    await mocks.settled();
    return content;
}

describe("GitlabContent", () => {
    it("declares groups parent-first with the subgroup's parentId from its parent, protected and retained, the existing one imported", async () => {
        await build();
        const top = mocks.get(T.group, "gitlab-group-nexora");
        const sub = mocks.get(T.group, groupResourceName("nexora/apps"));
        expect(sub.name).toBe("gitlab-group-nexora--apps");
        expect(top.inputs).toEqual({ path: "nexora", name: "Nexora", description: "", visibilityLevel: "private" });
        expect(sub.inputs).toMatchObject({ path: "apps", name: "Apps", visibilityLevel: "internal" });
        // The imported group's id is the import ID (a number: the program passes it on as one).
        expect(sub.inputs.parentId).toBe(41);
        expect(sub.options.propertyDependencies.parentId).toEqual([top.urn]);
        expect(top.id).toBe("41");
        expect(sub.id).toBeUndefined();
        for (const g of [top, sub]) {
            expect(g.options.protect).toBe(true);
            expect(g.options.retainOnDelete).toBe(true);
            expect(g.options.version).toBe(GITLAB_PROVIDER_VERSION);
            expect(g.provider).toMatch(/pulumi:providers:gitlab::gl::/);
        }
    });

    it("declares one protected, retained project per product in its group, with import ID and rename alias", async () => {
        await build();
        const projects = mocks.ofType(T.project);
        expect(projects.map((p) => p.name).sort()).toEqual(["product-portal", "product-shop"]);
        const portal = mocks.get(T.project, "product-portal");
        const group = mocks.get(T.group, "gitlab-group-nexora");
        expect(portal.inputs).toEqual({
            name: "nexora-portal",
            path: "nexora-portal",
            description: "",
            namespaceId: portal.inputs.namespaceId,
            visibilityLevel: "private",
            defaultBranch: "main",
            environmentsAccessLevel: "enabled",
        });
        expect(portal.options.propertyDependencies.namespaceId).toEqual([group.urn]);
        expect(portal.inputs.namespaceId).toBe(41);
        expect(Number.isInteger(mocks.get(T.project, "product-shop").inputs.namespaceId)).toBe(true);
        expect(portal.id).toBe("nexora/nexora-portal");
        const shop = mocks.get(T.project, "product-shop");
        expect(shop.inputs.environmentsAccessLevel).toBe("disabled");
        expect(shop.options.propertyDependencies.namespaceId).toEqual([mocks.get(T.group, "gitlab-group-nexora--apps").urn]);
        expect(shop.options.aliases.join(" ")).toContain("product-mall");
        for (const p of projects) {
            expect(p.options.protect).toBe(true);
            expect(p.options.retainOnDelete).toBe(true);
        }
        expect(portal.options.aliases).toEqual([]);
    });

    it("protects main and develop and the v* tags of every project, at the declared levels, importing where config says", async () => {
        await build();
        expect(mocks.ofType(T.branch)).toHaveLength(4);
        expect(mocks.ofType(T.tag)).toHaveLength(2);
        const projectUrn = mocks.get(T.project, "product-portal").urn;
        const main = mocks.get(T.branch, "product-portal-branch-main");
        expect(main.inputs).toEqual({
            project: main.inputs.project,
            branch: "main",
            pushAccessLevel: "maintainer",
            mergeAccessLevel: "maintainer",
            allowForcePush: false,
        });
        expect(main.options.propertyDependencies.project).toEqual([projectUrn]);
        expect(main.id).toBe("nexora/nexora-portal:main");
        const develop = mocks.get(T.branch, "product-portal-branch-develop");
        expect(develop.inputs).toMatchObject({ branch: "develop", pushAccessLevel: "developer", mergeAccessLevel: "developer" });
        expect(develop.id).toBeUndefined();
        const tag = mocks.get(T.tag, "product-portal-tag-v");
        expect(tag.inputs).toMatchObject({ tag: "v*", createAccessLevel: "maintainer" });
        expect(tag.id).toBe("nexora/nexora-portal:v*");
        expect(mocks.get(T.branch, "product-shop-branch-main").options.aliases.join(" ")).toContain("product-mall-branch-main");
    });

    it("sets variables masked, protected and scoped as configured; a secret value travels only as a secret", async () => {
        await build();
        expect(
            mocks
                .ofType(T.variable)
                .map((v) => v.name)
                .sort(),
        ).toEqual(["product-portal-var-DEPLOY_KEY", "product-portal-var-SITE_TITLE"]);
        const key = mocks.get(T.variable, "product-portal-var-DEPLOY_KEY");
        expect(key.inputs).toMatchObject({
            key: "DEPLOY_KEY",
            value: DEPLOY_KEY,
            masked: true,
            protected: true,
            environmentScope: "production",
            variableType: "file",
            raw: false,
        });
        expect(key.secretInputs).toEqual(["value"]);
        expect(key.id).toBe("nexora/nexora-portal:DEPLOY_KEY:production");
        const title = mocks.get(T.variable, "product-portal-var-SITE_TITLE");
        expect(title.inputs).toMatchObject({
            key: "SITE_TITLE",
            value: "Nexora",
            masked: false,
            protected: false,
            environmentScope: "*",
            variableType: "env_var",
            raw: true,
            description: "Shown in the header",
        });
        expect(title.secretInputs).toEqual([]);
        expect(mocks.plaintextLeaks(DEPLOY_KEY)).toEqual([]);
    });

    it("points one hook per project at the ops bot with the token as a secret", async () => {
        await build();
        const hooks = mocks.ofType(T.hook);
        expect(hooks).toHaveLength(2);
        const hook = mocks.get(T.hook, "product-portal-hook");
        expect(hook.inputs).toMatchObject({
            url: "https://bot.example.test/gitlab/hook",
            token: HOOK_TOKEN,
            pushEvents: true,
            tagPushEvents: true,
            mergeRequestsEvents: true,
            pipelineEvents: true,
            enableSslVerification: true,
        });
        expect(hook.secretInputs).toEqual(["token"]);
        expect(hook.options.additionalSecretOutputs).toEqual(["signingToken", "token"]);
        expect(hook.id).toBeUndefined();
        expect(mocks.plaintextLeaks(HOOK_TOKEN)).toEqual([]);
    });

    it("declares no hook without a hook URL", async () => {
        await build([PORTAL], false, []);
        expect(mocks.ofType(T.hook)).toEqual([]);
    });

    it("gives a read_registry deploy token only to products whose app pulls the project's image; its value is a secret output", async () => {
        const content = await build();
        const tokens = mocks.ofType(T.deployToken);
        expect(tokens.map((t) => t.name)).toEqual(["product-shop-registry-token"]);
        expect(tokens[0]!.inputs).toMatchObject({ name: "nexora-shop-pull", scopes: ["read_registry"] });
        expect(tokens[0]!.options.additionalSecretOutputs).toEqual(["token"]);
        expect(Object.keys(content.registryLogins)).toEqual(["shop"]);
        expect(await outputOf(content.registryLogins.shop!.password)).toMatch(/^gldt-/);
        expect(await pulumi.isSecret(content.registryLogins.shop!.password)).toBe(true);
    });

    it("counts: 2 groups, 2 projects, 2 variables, 4 branch and 2 tag protections, 2 hooks, 1 deploy token, all under the component", async () => {
        await build();
        const component = mocks.get(T.component, "gitlab-content");
        const children = mocks.childrenOf(component.urn);
        expect(children).toHaveLength(15);
        expect(children.every((c) => c.type.startsWith("gitlab:index/"))).toBe(true);
    });
});

describe("a stack with products", () => {
    it("pulls an app's @project image with its product's deploy token through a Docker provider of its own; other apps keep the host's provider", async () => {
        const config = stackFileConfig("staging");
        const plan = await evaluateStack({
            stack: "staging",
            config: {
                ...config,
                "nexora:gitlabGroups": { nexora: { name: "Nexora" } },
                "nexora:products": { hjhs: { group: "nexora", app: "hjhs", description: "Gold recycling" } },
                "nexora:apps": { ...(config["nexora:apps"] as object), hjhs: { image: "@project:1.4.1", port: 80, database: true } },
            },
        });
        const r = plan.recorder;
        const image = r.get("docker:index/remoteImage:RemoteImage", "app-hjhs-image");
        expect(image.inputs.name).toBe("staging-registry.nexora.restry.cn/nexora/hjhs:1.4.1");
        const appProvider = r.get("pulumi:providers:docker", "app-hjhs-registry-docker");
        expect(image.provider).toContain("app-hjhs-registry-docker");
        expect(r.get("docker:index/container:Container", "app-hjhs-container").provider).toContain("app-hjhs-registry-docker");
        const token = r.get(T.deployToken, "product-hjhs-registry-token");
        const auth = JSON.parse(appProvider.inputs.registryAuth as string) as { address: string; username: string; password: string }[];
        expect(auth).toEqual([{ address: "staging-registry.nexora.restry.cn", username: token.outputs.username, password: expect.stringMatching(/^gldt-/) }]);
        expect(appProvider.secretInputs).toContain("registryAuth");
        expect(r.plaintextLeaks(auth[0]!.password)).toEqual([]);
        expect(appProvider.options.dependencies).toContain(token.urn);
        expect(r.get("docker:index/remoteImage:RemoteImage", "app-pyerp-image").provider).toMatch(/docker-provider::/);
    });
});

describe("policy on product variables from config", () => {
    it("applies the weak-password rules to a value from secret config and masked/protected to the variable's flags", async () => {
        const weak = "Passw0rd123";
        const { settings, secretValues } = parseSettings(
            {
                environment: "dev",
                edgeSubnet: "172.30.40.0/24",
                dataSubnet: "172.30.41.0/24",
                gitlabGroups: JSON.stringify({ nexora: {} }),
                products: JSON.stringify({
                    platform: {
                        group: "nexora",
                        variables: { DEPLOY_TOKEN: { secret: "platformDeployToken" }, SMTP_PASSWORD: { secret: "platformSmtp", masked: false } },
                    },
                }),
                platformDeployToken: weak,
                platformSmtp: "Vq7Lr2Xn9Ck4Tw8Hz3Mb6Pd1",
            },
            { project: "nexora", stack: "dev" },
        );
        const config = toPlatformConfig(settings, secretValues);
        const content = new GitlabContent("gitlab-content", {
            groups: config.gitlabContent.groups,
            products: config.gitlabContent.products,
            provider: new Provider("gl", { token: "glpat-test" }),
            productSecrets: config.secrets.productSecrets,
            registryProducts: [],
        });
        await outputOf(content.urn);
        await mocks.settled();
        const resources = mocks.resources
            .filter((r) => r.type.startsWith("gitlab:index/"))
            .map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs as Record<string, unknown>, protect: r.options.protect ?? false }));
        expect(mocks.get(T.variable, "product-platform-var-DEPLOY_TOKEN").secretInputs).toEqual(["value"]);
        const messages = runPolicyPack(resources).map((v) => `${v.policy}: ${v.message}`);
        expect(messages).toContainEqual(
            expect.stringMatching(
                /^credentials-resource-forbid-weak-secrets: GitLab project variable 'product-platform-var-DEPLOY_TOKEN' value \(DEPLOY_TOKEN\) is weak/,
            ),
        );
        expect(messages).toContain(
            "gitlab-variable-require-masked-protected: GitLab project variable 'product-platform-var-SMTP_PASSWORD' holds the credential SMTP_PASSWORD but is not masked.",
        );
        expect(messages).toHaveLength(2);
        expect(messages.join("\n")).not.toContain(weak);
    });
});
