import * as docker from "@pulumi/docker";
import { beforeEach, describe, expect, it } from "vitest";
import { GitlabAdminToken, gitlabApiBaseUrl } from "../../components/gitlab/admin-token";
import { GITLAB_PROVIDER_VERSION, Provider } from "../../components/gitlab/provider";
import { type KnownConsumer, SsoApplication, SSO_CONSUMERS, ssoRedirectUrl } from "../../components/sso";
import { isSecretOutput, type MockRecorder, outputOf, setupMocks } from "../support/mocks";

const APPLICATION = "gitlab:index/application:Application";
const GITLAB_URL = "https://staging-gitlab.nexora.restry.cn";
const PUBLIC_URLS: Record<KnownConsumer, string> = {
    outline: "https://staging-outline.nexora.restry.cn",
    grafana: "https://staging-grafana.nexora.restry.cn",
    portainer: "https://staging-portainer.nexora.restry.cn",
    mattermost: "https://mm.cn.restry.cn",
};

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function provider(): Provider {
    return new Provider("gitlab", { baseUrl: gitlabApiBaseUrl(GITLAB_URL), token: "glpat-test" });
}

function sso(consumer: KnownConsumer, p: Provider): SsoApplication {
    const spec = SSO_CONSUMERS[consumer];
    return new SsoApplication(`sso-${consumer}`, {
        consumer,
        redirectUrl: ssoRedirectUrl(PUBLIC_URLS[consumer], spec.redirectPath),
        scopes: spec.scopes,
        provider: p,
    });
}

describe("SsoApplication", () => {
    it.each(Object.keys(SSO_CONSUMERS) as KnownConsumer[])(
        "gives %s exactly one confidential application with its redirect URL and minimal scopes",
        async (consumer) => {
            const p = provider();
            const app = sso(consumer, p);
            await outputOf(app.clientSecret);
            await mocks.settled();
            const apps = mocks.ofType(APPLICATION);
            expect(apps).toHaveLength(1);
            const [rec] = apps;
            expect(rec.name).toBe(`sso-${consumer}-app`);
            expect(rec.inputs).toEqual({
                name: `nexora-staging-${consumer}`,
                redirectUrl: ssoRedirectUrl(PUBLIC_URLS[consumer], SSO_CONSUMERS[consumer].redirectPath),
                scopes: [...SSO_CONSUMERS[consumer].scopes],
                confidential: true,
            });
            expect(rec.options.version).toBe(GITLAB_PROVIDER_VERSION);
            expect(rec.provider).toBe(`${await outputOf(p.urn)}::${await outputOf(p.id)}`);
            expect(rec.options.parent).toBe(mocks.get("nexora:sso:Application", `sso-${consumer}`).urn);
        },
    );

    it("hands out the client id and secret as secrets and never sends the secret in plaintext", async () => {
        const p = provider();
        const apps = (Object.keys(SSO_CONSUMERS) as KnownConsumer[]).map((c) => sso(c, p));
        for (const app of apps) {
            expect(await isSecretOutput(app.clientId)).toBe(true);
            expect(await isSecretOutput(app.clientSecret)).toBe(true);
        }
        await mocks.settled();
        expect(mocks.ofType(APPLICATION)).toHaveLength(4);
        for (const app of apps) {
            const secret = await outputOf(app.clientSecret);
            expect(secret).toMatch(/^gloas-/);
            expect(mocks.plaintextLeaks(secret)).toEqual([]);
        }
        const names = mocks.ofType(APPLICATION).map((r) => r.inputs.name);
        expect(new Set(names).size).toBe(4);
    });

    it("names the application for the stack it belongs to", async () => {
        const app = new SsoApplication("sso-pyerp", {
            consumer: "pyerp",
            redirectUrl: "https://pyerp.nexora.restry.cn/oauth/callback",
            scopes: ["openid", "profile", "email"],
            provider: provider(),
            stack: "prod",
        });
        await outputOf(app.clientId);
        expect(mocks.get(APPLICATION, "sso-pyerp-app").inputs.name).toBe("nexora-prod-pyerp");
    });

    it("rejects a bad consumer key, redirect URL or scope list before anything is registered", () => {
        const p = provider();
        const base = { consumer: "outline", redirectUrl: "https://o.test/auth/oidc.callback", scopes: ["openid"] as const, provider: p };
        expect(() => new SsoApplication("a", { ...base, consumer: "Outline App" })).toThrow(/lowercase catalog key/);
        expect(() => new SsoApplication("b", { ...base, redirectUrl: "https://o.test/cb#frag" })).toThrow(/redirect URL of outline/);
        expect(() => new SsoApplication("c", { ...base, scopes: [] })).toThrow(/SSO scopes of outline: at least one/);
    });

    it("creates applications only through a provider whose token waits for GitLab to be healthy", async () => {
        const gitlab = new docker.Container("gitlab", { name: "nexora-staging-gitlab", image: "gitlab/gitlab-ce:18.11.12-ce.0", wait: true });
        const token = new GitlabAdminToken("gitlab-token", { containerName: gitlab.name, dockerHost: "unix:///var/run/docker.sock" }, { dependsOn: [gitlab] });
        const p = new Provider("gitlab", { baseUrl: gitlabApiBaseUrl(GITLAB_URL), token: token.token });
        const app = sso("outline", p);
        await outputOf(app.clientSecret);
        await mocks.settled();
        const containerUrn = await outputOf(gitlab.urn);
        const cmd = mocks.get("command:local:Command", "gitlab-token-issue");
        const providerRec = mocks.get("pulumi:providers:gitlab", "gitlab");
        // container (healthy) -> token command -> provider -> application
        expect(cmd.options.dependencies).toContain(containerUrn);
        expect(providerRec.options.propertyDependencies.token).toContain(cmd.urn);
        expect(mocks.get(APPLICATION, "sso-outline-app").provider).toBe(`${providerRec.urn}::${await outputOf(p.id)}`);
    });
});
