import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { GITLAB_PROVIDER_VERSION } from "../../components/gitlab/provider";
import { Identity, type IdentityArgs } from "../../components/identity/identity";
import { isSecretOutput, type MockRecorder, mockRandomBytes, mockRandomValue, outputOf, type RecordedResource, setupMocks } from "../support/mocks";
import { dockerProvider, envMap, providerRef, T, testHost, upstreamOf, urnOf } from "./support";

const GITLAB_URL = "https://staging-gitlab.nexora.restry.cn";
const OUTLINE_URL = "https://staging-outline.nexora.restry.cn";
const GRAFANA_URL = "https://staging-grafana.nexora.restry.cn";
const PORTAINER_URL = "https://staging-portainer.nexora.restry.cn";
const MATTERMOST_URL = "https://mm.cn.restry.cn";
const EXISTING_TOKEN = "glpat-existing-admin-token-0123456789";
const MINTED_TOKEN = "glpat-" + mockRandomValue("identity-admin-token-value", 40);
const clientSecretOf = (applicationName: string) => "gloas-" + mockRandomBytes(`${applicationName}:client-secret`, 32).toString("hex");

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function build(overrides: Partial<IdentityArgs> = {}) {
    const provider = dockerProvider();
    const gitlabContainer = new docker.Container("gitlab", { name: "nexora-staging-gitlab", image: "gitlab/gitlab-ce:18.11.2-ce.0", wait: true }, { provider });
    const portainerContainer = new docker.Container(
        "portainer",
        { name: "nexora-staging-portainer", image: "portainer/portainer-ce:2.45.1-alpine" },
        { provider },
    );
    const identity = new Identity("identity", {
        host: testHost({ provider }),
        gitlabUrl: GITLAB_URL,
        outlineUrl: OUTLINE_URL,
        gitlabContainer,
        tokenRotation: "2026-11",
        insecureTls: false,
        portainer: { url: PORTAINER_URL, container: portainerContainer, adminPassword: pulumi.secret("Portainer0AdminPassword0123456789") },
        apps: [],
        ...overrides,
    });
    return { gitlabContainer, portainerContainer, identity };
}

const ALL_CONSUMERS: Partial<IdentityArgs> = {
    grafanaUrl: GRAFANA_URL,
    mattermostUrl: MATTERMOST_URL,
    apps: [
        { key: "pyerp", redirectUrl: "https://staging-pyerp.nexora.restry.cn/oauth/callback", scopes: ["openid", "profile", "email"] },
        { key: "hjhs", redirectUrl: "https://staging-hjhs.nexora.restry.cn/auth/callback", scopes: ["openid"] },
    ],
};

/** Applications ALL_CONSUMERS registers: outline, grafana, portainer, mattermost and the two apps. */
const ALL_CONSUMER_APPLICATIONS = 6;
/** Applications registered when only the always-on consumers sign in: outline and portainer. */
const BASE_APPLICATIONS = 2;

function applicationsByName(): Record<string, RecordedResource> {
    return Object.fromEntries(mocks.ofType(T.application).map((a) => [a.name, a]));
}

describe("Identity without an existing token", () => {
    it("mints an admin token inside the GitLab container, after the container", async () => {
        const { gitlabContainer } = build();
        await mocks.settled();
        const token = mocks.get(T.adminToken, "identity-admin-token");
        expect(token.options.parent).toBe(mocks.get("nexora:identity:Identity", "identity").urn);
        const issue = mocks.get(T.command, "identity-admin-token-issue");
        expect(issue.options.parent).toBe(token.urn);
        expect(issue.options.dependencies).toContain(await urnOf(gitlabContainer));
        expect(issue.inputs.create).toMatch(/^docker exec -e NEXORA_GITLAB_ADMIN_TOKEN nexora-staging-gitlab gitlab-rails runner '/);
        expect(issue.inputs.triggers).toEqual(["2026-11"]);
    });

    it("configures the gitlab provider with the API base URL and the minted token as a secret", async () => {
        build();
        await mocks.settled();
        const provider = mocks.get(T.gitlabProvider, "identity-gitlab");
        expect(mocks.ofType(T.gitlabProvider)).toHaveLength(1);
        expect(provider.inputs).toMatchObject({ baseUrl: `${GITLAB_URL}/api/v4/`, token: MINTED_TOKEN, insecure: "false", retries: "5" });
        expect(provider.secretInputs).toContain("token");
        expect(provider.options.version).toBe(GITLAB_PROVIDER_VERSION);
        expect(mocks.plaintextLeaks(MINTED_TOKEN)).toEqual([]);
    });

    it("registers outline and portainer applications only, when nothing else signs in", async () => {
        build();
        await mocks.settled();
        expect(Object.keys(applicationsByName()).sort()).toEqual(["identity-outline-app", "identity-portainer-app"]);
    });

    it("registers one confidential application per consumer with its redirect URL and scopes", async () => {
        build(ALL_CONSUMERS);
        await mocks.settled();
        const apps = applicationsByName();
        expect(Object.keys(apps).sort()).toEqual(
            [
                "identity-outline-app",
                "identity-grafana-app",
                "identity-portainer-app",
                "identity-mattermost-app",
                "identity-app-pyerp-app",
                "identity-app-hjhs-app",
            ].sort(),
        );
        const expected: Record<string, { name: string; redirectUrl: string; scopes: string[] }> = {
            "identity-outline-app": { name: "nexora-staging-outline", redirectUrl: `${OUTLINE_URL}/auth/oidc.callback`, scopes: ["openid", "email"] },
            "identity-grafana-app": { name: "nexora-staging-grafana", redirectUrl: `${GRAFANA_URL}/login/gitlab`, scopes: ["openid", "email"] },
            "identity-portainer-app": { name: "nexora-staging-portainer", redirectUrl: `${PORTAINER_URL}/`, scopes: ["openid"] },
            "identity-mattermost-app": { name: "nexora-staging-mattermost", redirectUrl: `${MATTERMOST_URL}/signup/gitlab/complete`, scopes: ["read_user"] },
            "identity-app-pyerp-app": {
                name: "nexora-staging-app-pyerp",
                redirectUrl: "https://staging-pyerp.nexora.restry.cn/oauth/callback",
                scopes: ["openid", "profile", "email"],
            },
            "identity-app-hjhs-app": {
                name: "nexora-staging-app-hjhs",
                redirectUrl: "https://staging-hjhs.nexora.restry.cn/auth/callback",
                scopes: ["openid"],
            },
        };
        for (const [name, inputs] of Object.entries(expected)) {
            expect(apps[name]!.inputs).toEqual({ ...inputs, confidential: true });
            expect(apps[name]!.options.version).toBe(GITLAB_PROVIDER_VERSION);
        }
    });

    it("registers every application with the gitlab provider, never the default one", async () => {
        const { identity } = build(ALL_CONSUMERS);
        await mocks.settled();
        const ref = await providerRef(identity.provider);
        expect(mocks.ofType(T.application)).toHaveLength(ALL_CONSUMER_APPLICATIONS);
        for (const app of mocks.ofType(T.application)) expect(app.provider).toBe(ref);
    });

    it("creates applications only after the token command, which runs only after the GitLab container", async () => {
        const { gitlabContainer } = build(ALL_CONSUMERS);
        await mocks.settled();
        const provider = mocks.get(T.gitlabProvider, "identity-gitlab");
        const issue = mocks.get(T.command, "identity-admin-token-issue");
        expect(provider.options.dependencies).toContain(issue.urn);
        expect(issue.options.dependencies).toContain(await urnOf(gitlabContainer));
        expect(mocks.ofType(T.application)).toHaveLength(ALL_CONSUMER_APPLICATIONS);
        for (const app of mocks.ofType(T.application)) {
            const upstream = upstreamOf(mocks, app);
            expect(upstream).toContain(provider.urn);
            expect(upstream).toContain(issue.urn);
            expect(upstream).toContain(await urnOf(gitlabContainer));
        }
    });

    it("hands out the consumers' settings with client secrets that never travel in plaintext", async () => {
        const { identity } = build(ALL_CONSUMERS);
        const outline = envMap(await outputOf(pulumi.all(identity.outlineEnv!)));
        expect(outline.OIDC_CLIENT_SECRET).toBe(clientSecretOf("identity-outline-app"));
        expect(outline.OIDC_AUTH_URI).toBe(`${GITLAB_URL}/oauth/authorize`);
        const grafana = envMap(await outputOf(pulumi.all(identity.grafanaEnv!)));
        expect(grafana.GF_AUTH_GITLAB_CLIENT_SECRET).toBe(clientSecretOf("identity-grafana-app"));
        expect(grafana.GF_AUTH_GITLAB_SCOPES).toBe("openid email");
        expect(Object.keys(identity.appEnv).sort()).toEqual(["hjhs", "pyerp"]);
        expect(envMap(await outputOf(pulumi.all(identity.appEnv.pyerp!))).OAUTH_CLIENT_SECRET).toBe(clientSecretOf("identity-app-pyerp-app"));
        expect(await isSecretOutput(identity.mattermost!)).toBe(true);
        await mocks.settled();
        expect(mocks.ofType(T.application)).toHaveLength(ALL_CONSUMER_APPLICATIONS);
        for (const app of mocks.ofType(T.application)) expect(mocks.plaintextLeaks(clientSecretOf(app.name))).toEqual([]);
    });

    it("applies Portainer's OAuth settings after the Portainer container and its application, credentials secret", async () => {
        const { portainerContainer } = build();
        await mocks.settled();
        const apply = mocks.get(T.command, "identity-portainer-oauth-apply");
        expect(apply.options.dependencies).toContain(await urnOf(portainerContainer));
        expect(upstreamOf(mocks, apply)).toContain(mocks.get(T.application, "identity-portainer-app").urn);
        expect(apply.secretInputs).toContain("environment");
        expect(mocks.plaintextLeaks("Portainer0AdminPassword0123456789")).toEqual([]);
    });

    it("leaves grafana and mattermost settings unset when they have no URL", async () => {
        const { identity } = build();
        await mocks.settled();
        expect(identity.grafanaEnv).toBeUndefined();
        expect(identity.mattermost).toBeUndefined();
        expect(identity.appEnv).toEqual({});
    });
});

describe("Identity with an existing token", () => {
    it("mints nothing and gives the provider that token as a secret, after the GitLab container", async () => {
        const { gitlabContainer } = build({ existingApiToken: pulumi.secret(EXISTING_TOKEN) });
        await mocks.settled();
        expect(mocks.ofType(T.adminToken)).toEqual([]);
        expect(mocks.resources.filter((r) => r.name.startsWith("identity-admin-token"))).toEqual([]);
        expect(mocks.ofType(T.randomPassword)).toEqual([]);
        const provider = mocks.get(T.gitlabProvider, "identity-gitlab");
        expect(provider.inputs.token).toBe(EXISTING_TOKEN);
        expect(provider.secretInputs).toContain("token");
        expect(provider.options.dependencies).toContain(await urnOf(gitlabContainer));
        expect(mocks.plaintextLeaks(EXISTING_TOKEN)).toEqual([]);
        expect(mocks.ofType(T.application)).toHaveLength(BASE_APPLICATIONS);
        for (const app of mocks.ofType(T.application)) expect(upstreamOf(mocks, app)).toContain(await urnOf(gitlabContainer));
    });
});
