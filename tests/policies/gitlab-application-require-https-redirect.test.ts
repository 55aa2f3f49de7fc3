import { describe, expect, it } from "vitest";
import { runPolicyPack } from "../../policies/offline";
import { compliantStack, policiesOf, withChange } from "./fixture";

const POLICY = "gitlab-application-require-https-redirect";
const base = compliantStack();
const redirect = (url: string) => withChange(base, "outline-oauth", (r) => (r.props.redirectUrl = url));

describe(POLICY, () => {
    it("passes the compliant stack", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it.each([
        ["an http redirect", "http://dev-outline.nexora.restry.cn/auth/oidc.callback", "redirectUrl #1 uses http"],
        ["http on loopback (refused by default)", "http://localhost:3000/auth/oidc.callback", "redirectUrl #1 uses http"],
        ["a custom scheme", "nexora://callback", "uses scheme nexora"],
        ["a relative URL", "/auth/oidc.callback", "is not an absolute URL"],
        ["one http URL among several", "https://dev-outline.nexora.restry.cn/cb\nhttp://dev-outline.nexora.restry.cn/cb", "redirectUrl #2 uses http"],
    ])("catches %s", (_title, url, fragment) => {
        const violations = runPolicyPack(redirect(url));
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations).toHaveLength(1);
        expect(violations[0].level).toBe("mandatory");
        expect(violations[0].message).toContain(fragment);
    });

    it("accepts http loopback redirects only with allowLoopbackHttpRedirect", () => {
        const stack = redirect("http://127.0.0.1:3000/auth/oidc.callback");
        expect(runPolicyPack(stack, { allowLoopbackHttpRedirect: true })).toEqual([]);
        expect(runPolicyPack(redirect("http://evil.example/cb"), { allowLoopbackHttpRedirect: true })).toHaveLength(1);
    });
});
