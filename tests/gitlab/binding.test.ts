import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { Application, GITLAB_PROVIDER_VERSION, Provider } from "../../components/gitlab/provider";
import { isSecretOutput, type MockRecorder, outputOf, setupMocks } from "../support/mocks";

const PROVIDER_TYPE = "pulumi:providers:gitlab";
const APPLICATION_TYPE = "gitlab:index/application:Application";
const TOKEN = "glpat-binding-test-token-value";
/**
 * The pulumi-gitlab release this binding's type tokens and input names were checked against.
 * Spelled out so a changed constant fails here: an upgrade is a deliberate edit.
 */
const PINNED_RELEASE = "10.4.0";

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function provider(): Provider {
    return new Provider("gl", { baseUrl: "https://gitlab.example.test/api/v4/", token: TOKEN });
}

describe("GITLAB_PROVIDER_VERSION", () => {
    it("pins exactly the pulumi-gitlab release the binding was checked against", () => {
        expect(GITLAB_PROVIDER_VERSION).toMatch(/^10\.\d+\.\d+$/);
        expect(GITLAB_PROVIDER_VERSION).toBe(PINNED_RELEASE);
    });
});

describe("Provider", () => {
    it("registers as pulumi:providers:gitlab with the pinned plugin version", async () => {
        const p = provider();
        await outputOf(p.urn);
        const rec = mocks.get(PROVIDER_TYPE, "gl");
        expect(rec.custom).toBe(true);
        expect(rec.options.version).toBe(GITLAB_PROVIDER_VERSION);
        expect(rec.options.version).toBe(PINNED_RELEASE);
        expect(rec.inputs.baseUrl).toBe("https://gitlab.example.test/api/v4/");
        expect(rec.inputs.token).toBe(TOKEN);
    });

    it("sends the token only as a secret and keeps it secret in state", async () => {
        const p = provider();
        await outputOf(p.urn);
        const rec = mocks.get(PROVIDER_TYPE, "gl");
        expect(rec.secretInputs).toEqual(["token"]);
        expect(rec.options.additionalSecretOutputs).toEqual(["token"]);
        expect(mocks.plaintextLeaks(TOKEN)).toEqual([]);
        expect(await isSecretOutput(p.token)).toBe(true);
    });

    it("is recognised by isInstance and nothing else is", () => {
        const p = provider();
        expect(Provider.isInstance(p)).toBe(true);
        expect(Provider.isInstance({})).toBe(false);
        expect(Application.isInstance(p)).toBe(false);
    });

    it("lets an explicit version option win over the pinned default", async () => {
        const p = new Provider("gl-next", { token: TOKEN }, { version: "10.9.9" });
        await outputOf(p.urn);
        expect(mocks.get(PROVIDER_TYPE, "gl-next").options.version).toBe("10.9.9");
    });
});

describe("Application", () => {
    it("registers the upstream type token with exactly the upstream input names", async () => {
        const p = provider();
        const app = new Application(
            "outline",
            { name: "nexora-staging-outline", redirectUrl: "https://outline.example.test/auth/oidc.callback", scopes: ["openid", "email"], confidential: true },
            { provider: p },
        );
        await outputOf(app.applicationId);
        const rec = mocks.get(APPLICATION_TYPE, "outline");
        expect(Object.keys(rec.inputs).sort()).toEqual(["confidential", "name", "redirectUrl", "scopes"]);
        expect(rec.inputs).toEqual({
            name: "nexora-staging-outline",
            redirectUrl: "https://outline.example.test/auth/oidc.callback",
            scopes: ["openid", "email"],
            confidential: true,
        });
        expect(rec.options.version).toBe(GITLAB_PROVIDER_VERSION);
        expect(rec.options.version).toBe(PINNED_RELEASE);
        expect(rec.provider).toBe(`${await outputOf(p.urn)}::${await outputOf(p.id)}`);
    });

    it("marks the client secret as a secret output, as the generated SDK does", async () => {
        const app = new Application("grafana", { redirectUrl: "https://grafana.example.test/login/gitlab", scopes: ["openid"] });
        const secret = await outputOf(app.secret);
        expect(secret).toMatch(/^gloas-/);
        expect(mocks.get(APPLICATION_TYPE, "grafana").options.additionalSecretOutputs).toEqual(["secret"]);
        expect(await isSecretOutput(app.secret)).toBe(true);
        expect(await isSecretOutput(app.applicationId)).toBe(false);
    });

    it("fails like the generated SDK when a required input is missing", () => {
        expect(() => new Application("broken", { scopes: ["openid"] } as never)).toThrow("Missing required property 'redirectUrl'");
        expect(() => new Application("broken", { redirectUrl: "https://x.test/" } as never)).toThrow("Missing required property 'scopes'");
    });

    it("pins the provider release and is recognised across SDK copies", async () => {
        const app = new Application("pinned", { redirectUrl: "https://grafana.example.test/login/gitlab", scopes: ["openid"] });
        await outputOf(app.urn);
        const rec = mocks.get(APPLICATION_TYPE, "pinned");
        expect(rec.options.version).toBe(GITLAB_PROVIDER_VERSION);
        expect(rec.options.version).toBe(PINNED_RELEASE);
        expect(Application.isInstance(app)).toBe(true);
        expect(pulumi.CustomResource.isInstance(app)).toBe(true);
    });
});
