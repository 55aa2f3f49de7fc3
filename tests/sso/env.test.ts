import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { appOauthEnv, grafanaGitlabEnv, mattermostGitlabSettings, outlineOidcEnv } from "../../components/sso";
import { isSecretOutput, type MockRecorder, outputOf, setupMocks } from "../support/mocks";

const GITLAB_URL = "https://staging-gitlab.nexora.restry.cn";
const CLIENT_ID = "cid-0123456789abcdef";
const CLIENT_SECRET = "gloas-test-client-secret-0123456789";

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function creds() {
    return { gitlabUrl: GITLAB_URL, clientId: pulumi.secret(CLIENT_ID), clientSecret: pulumi.secret(CLIENT_SECRET) };
}

/** Resolves "K=V" entries into a map; throws on a duplicate key. */
async function envMap(entries: pulumi.Input<string>[]): Promise<Record<string, string>> {
    const map: Record<string, string> = {};
    for (const entry of await outputOf(pulumi.all(entries))) {
        const i = entry.indexOf("=");
        const key = entry.slice(0, i);
        if (key in map) throw new Error(`duplicate env key ${key}`);
        map[key] = entry.slice(i + 1);
    }
    return map;
}

async function secretKeys(entries: pulumi.Input<string>[]): Promise<string[]> {
    const keys: string[] = [];
    for (const e of entries) {
        if (pulumi.Output.isInstance(e) && (await isSecretOutput(e))) keys.push((await outputOf(e)).split("=")[0]);
    }
    return keys;
}

describe("outlineOidcEnv", () => {
    it("sets every OIDC key Outline needs, pointed at GitLab's endpoints", async () => {
        expect(await envMap(outlineOidcEnv({ ...creds(), displayName: "Nexora GitLab" }))).toEqual({
            OIDC_CLIENT_ID: CLIENT_ID,
            OIDC_CLIENT_SECRET: CLIENT_SECRET,
            OIDC_AUTH_URI: `${GITLAB_URL}/oauth/authorize`,
            OIDC_TOKEN_URI: `${GITLAB_URL}/oauth/token`,
            OIDC_USERINFO_URI: `${GITLAB_URL}/oauth/userinfo`,
            OIDC_USERNAME_CLAIM: "preferred_username",
            OIDC_DISPLAY_NAME: "Nexora GitLab",
            OIDC_SCOPES: "openid email",
        });
    });

    it("keeps the client credentials secret even when given as plain strings", async () => {
        const env = outlineOidcEnv({ gitlabUrl: GITLAB_URL, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
        expect((await secretKeys(env)).sort()).toEqual(["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]);
    });

    it("never lets the secret reach a container's env in plaintext", async () => {
        const c = new docker.Container("outline", { name: "nexora-staging-outline", image: "outlinewiki/outline:1.10.1", envs: outlineOidcEnv(creds()) });
        await outputOf(c.urn);
        const rec = mocks.get("docker:index/container:Container", "outline");
        expect(rec.secretInputs).toContain("envs");
        expect(rec.inputs.envs).toContain(`OIDC_CLIENT_SECRET=${CLIENT_SECRET}`);
        expect(mocks.plaintextLeaks(CLIENT_SECRET)).toEqual([]);
    });

    it("enforces Outline's 50-character limit on the button label", () => {
        expect(() => outlineOidcEnv({ ...creds(), displayName: "x".repeat(51) })).toThrow(/1-50 characters/);
        expect(() => outlineOidcEnv({ ...creds(), displayName: " " })).toThrow(/1-50 characters/);
        expect(() => outlineOidcEnv({ ...creds(), displayName: "x".repeat(50) })).not.toThrow();
    });
});

describe("grafanaGitlabEnv", () => {
    it("configures Grafana's GitLab connector with GitLab's endpoints and hides the password form", async () => {
        expect(await envMap(grafanaGitlabEnv({ ...creds(), allowedGroups: ["nexora", "nexora/ops"] }))).toEqual({
            GF_AUTH_GITLAB_ENABLED: "true",
            GF_AUTH_GITLAB_NAME: "GitLab",
            GF_AUTH_GITLAB_CLIENT_ID: CLIENT_ID,
            GF_AUTH_GITLAB_CLIENT_SECRET: CLIENT_SECRET,
            GF_AUTH_GITLAB_SCOPES: "openid email",
            GF_AUTH_GITLAB_AUTH_URL: `${GITLAB_URL}/oauth/authorize`,
            GF_AUTH_GITLAB_TOKEN_URL: `${GITLAB_URL}/oauth/token`,
            GF_AUTH_GITLAB_API_URL: `${GITLAB_URL}/api/v4`,
            GF_AUTH_GITLAB_ALLOW_SIGN_UP: "true",
            GF_AUTH_GITLAB_USE_PKCE: "true",
            GF_AUTH_GITLAB_ALLOWED_GROUPS: "nexora,nexora/ops",
            GF_AUTH_DISABLE_LOGIN_FORM: "true",
        });
        expect((await secretKeys(grafanaGitlabEnv(creds()))).sort()).toEqual(["GF_AUTH_GITLAB_CLIENT_ID", "GF_AUTH_GITLAB_CLIENT_SECRET"]);
    });

    it("leaves groups open and the form visible only when asked", async () => {
        const env = await envMap(grafanaGitlabEnv({ ...creds(), disableLoginForm: false, allowSignUp: false }));
        expect(env).not.toHaveProperty("GF_AUTH_GITLAB_ALLOWED_GROUPS");
        expect(env).not.toHaveProperty("GF_AUTH_DISABLE_LOGIN_FORM");
        expect(env.GF_AUTH_GITLAB_ALLOW_SIGN_UP).toBe("false");
    });

    it("rejects group names that are not GitLab paths", () => {
        expect(() => grafanaGitlabEnv({ ...creds(), allowedGroups: ["ops team"] })).toThrow(/GitLab group paths/);
    });
});

describe("mattermostGitlabSettings", () => {
    it("is one secret map with the endpoints and the scope Mattermost must request", async () => {
        const settings = mattermostGitlabSettings(creds());
        expect(await isSecretOutput(settings)).toBe(true);
        expect(await outputOf(settings)).toEqual({
            MM_GITLABSETTINGS_ENABLE: "true",
            MM_GITLABSETTINGS_ID: CLIENT_ID,
            MM_GITLABSETTINGS_SECRET: CLIENT_SECRET,
            MM_GITLABSETTINGS_SCOPE: "read_user",
            MM_GITLABSETTINGS_AUTHENDPOINT: `${GITLAB_URL}/oauth/authorize`,
            MM_GITLABSETTINGS_TOKENENDPOINT: `${GITLAB_URL}/oauth/token`,
            MM_GITLABSETTINGS_USERAPIENDPOINT: `${GITLAB_URL}/api/v4/user`,
        });
    });
});

describe("appOauthEnv", () => {
    it("gives a business app its client and GitLab's issuer", async () => {
        const env = appOauthEnv(creds());
        expect(await envMap(env)).toEqual({ OAUTH_CLIENT_ID: CLIENT_ID, OAUTH_CLIENT_SECRET: CLIENT_SECRET, OAUTH_ISSUER: GITLAB_URL });
        expect((await secretKeys(env)).sort()).toEqual(["OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET"]);
    });
});
