import { describe, expect, it } from "vitest";
import { runPolicyPack } from "../../policies/offline";
import { compliantStack, freshSecrets, policiesOf, rename, withChange } from "./fixture";

const POLICY = "random-string-forbid-credential-use";

describe(POLICY, () => {
    const secrets = freshSecrets();
    const base = compliantStack(secrets);

    it("passes the compliant stack (a RandomString used as a name suffix)", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it("catches a RandomString named like a credential", () => {
        const violations = runPolicyPack(withChange(base, "name-suffix", (r) => rename(r, "pyerp-db-password")));
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations[0]).toMatchObject({
            level: "mandatory",
            urn: "urn:pulumi:dev::nexora::random:index/randomString:RandomString::pyerp-db-password",
        });
        expect(violations[0].message).toContain("named like a credential");
    });

    it("catches a RandomString whose result is another resource's credential", () => {
        const stack = withChange(base, "name-suffix", (r) => (r.props.result = secrets.pyerpDbPassword));
        const violations = runPolicyPack(stack);
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations).toHaveLength(1);
        expect(violations[0].urn).toBe(stack.find((r) => r.name === "name-suffix")?.urn);
        expect(violations[0].message).toContain("container 'pyerp' envs[DB_PASSWORD] contains its result");
    });

    it("catches a result embedded in a DSN", () => {
        const stack = withChange(base, "name-suffix", (r) => (r.props.result = secrets.outlineDbPassword));
        const violations = runPolicyPack(stack);
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations[0].message).toContain("container 'outline' envs[DATABASE_URL] URL password");
    });
});
