import { describe, expect, it } from "vitest";
import { APP_OAUTH_SCOPES } from "../../components/config";
import { BUSINESS_APP_SSO_DEFAULT, oidcEndpoints, scopeString, SSO_CONSUMERS, ssoRedirectUrl, validateScopes } from "../../components/sso";

describe("SSO_CONSUMERS", () => {
    it("gives each consumer its callback path and the fewest scopes its login works with", () => {
        expect(SSO_CONSUMERS).toEqual({
            outline: { redirectPath: "/auth/oidc.callback", scopes: ["openid", "email"] },
            grafana: { redirectPath: "/login/gitlab", scopes: ["openid", "email"] },
            portainer: { redirectPath: "/", scopes: ["openid"] },
            mattermost: { redirectPath: "/signup/gitlab/complete", scopes: ["read_user"] },
        });
    });

    it("never grants API write access to a login", () => {
        for (const [consumer, spec] of Object.entries(SSO_CONSUMERS)) {
            expect(spec.scopes, consumer).not.toContain("api");
            expect(spec.scopes, consumer).not.toContain("sudo");
            expect(spec.scopes, consumer).not.toContain("admin_mode");
        }
    });

    it("defaults business apps to what OIDC libraries request unasked", () => {
        expect(BUSINESS_APP_SSO_DEFAULT).toEqual({ redirectPath: "/oauth/callback", scopes: ["openid", "profile", "email"] });
    });

    it("lets config give apps only valid sign-in and read scopes", () => {
        expect(validateScopes(APP_OAUTH_SCOPES, "config scopes")).toEqual(APP_OAUTH_SCOPES);
        expect(APP_OAUTH_SCOPES).not.toContain("api");
        expect(APP_OAUTH_SCOPES).not.toContain("sudo");
    });
});

describe("validateScopes", () => {
    it("rejects empty, unknown and duplicate scopes, naming the owner", () => {
        expect(() => validateScopes([], "app x")).toThrow(/app x: at least one/);
        expect(() => validateScopes(["openid", "read_everything"], "app x")).toThrow(/app x: unknown GitLab OAuth scope\(s\) read_everything/);
        expect(() => validateScopes(["openid", "openid"], "app x")).toThrow(/duplicate/);
    });

    it("joins scopes the way OAuth clients are configured", () => {
        expect(scopeString(["openid", "email"])).toBe("openid email");
    });
});

describe("oidcEndpoints", () => {
    it("derives GitLab's OIDC endpoints from its public URL", () => {
        expect(oidcEndpoints("https://gitlab.nexora.restry.cn/")).toEqual({
            issuer: "https://gitlab.nexora.restry.cn",
            discoveryUrl: "https://gitlab.nexora.restry.cn/.well-known/openid-configuration",
            authorizeUrl: "https://gitlab.nexora.restry.cn/oauth/authorize",
            tokenUrl: "https://gitlab.nexora.restry.cn/oauth/token",
            userinfoUrl: "https://gitlab.nexora.restry.cn/oauth/userinfo",
            jwksUrl: "https://gitlab.nexora.restry.cn/oauth/discovery/keys",
        });
    });

    it("rejects a URL that is not plain http(s)", () => {
        expect(() => oidcEndpoints("gitlab.nexora.restry.cn")).toThrow(/GitLab URL must be an absolute/);
        expect(() => oidcEndpoints("https://gitlab.test/#x")).toThrow(/without query, fragment/);
    });
});

describe("ssoRedirectUrl", () => {
    it("joins the consumer's public URL and callback path without double slashes", () => {
        expect(ssoRedirectUrl("https://staging-outline.nexora.restry.cn", SSO_CONSUMERS.outline.redirectPath)).toBe(
            "https://staging-outline.nexora.restry.cn/auth/oidc.callback",
        );
        expect(ssoRedirectUrl("https://portainer.nexora.restry.cn/", SSO_CONSUMERS.portainer.redirectPath)).toBe("https://portainer.nexora.restry.cn/");
        expect(ssoRedirectUrl("https://mm.cn.restry.cn", SSO_CONSUMERS.mattermost.redirectPath)).toBe("https://mm.cn.restry.cn/signup/gitlab/complete");
    });

    it("rejects paths GitLab would not match exactly", () => {
        expect(() => ssoRedirectUrl("https://a.test", "oauth/callback")).toThrow(/must start with "\/"/);
        expect(() => ssoRedirectUrl("https://a.test", "/cb?x=1")).toThrow(/no spaces, query or fragment/);
    });
});
