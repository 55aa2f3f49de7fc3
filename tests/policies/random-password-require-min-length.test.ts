import { describe, expect, it } from "vitest";
import { runPolicyPack } from "../../policies/offline";
import { compliantStack, policiesOf, withChange } from "./fixture";

const POLICY = "random-password-require-min-length";
const base = compliantStack();

describe(POLICY, () => {
    it("passes the compliant stack (length 32)", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it("catches a RandomPassword shorter than 24", () => {
        const violations = runPolicyPack(withChange(base, "postgres-password", (r) => (r.props.length = 16)));
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations[0].message).toBe("RandomPassword 'postgres-password' length is 16; at least 24 is required.");
    });

    it("accepts exactly the minimum", () => {
        expect(runPolicyPack(withChange(base, "postgres-password", (r) => (r.props.length = 24)))).toEqual([]);
    });

    it("applies minGeneratedLength from the config", () => {
        const violations = runPolicyPack(base, { minGeneratedLength: 40 });
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations[0].message).toContain("at least 40");
    });
});
