import { describe, expect, it } from "vitest";
import { runPolicyPack } from "../../policies/offline";
import { compliantStack, policiesOf, withChange } from "./fixture";

const POLICY = "gitlab-application-require-confidential";
const base = compliantStack();

describe(POLICY, () => {
    it("passes the compliant stack", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it("catches confidential: false", () => {
        const violations = runPolicyPack(withChange(base, "outline-oauth", (r) => (r.props.confidential = false)));
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations[0]).toMatchObject({
            level: "mandatory",
            message: "GitLab application 'outline-oauth' sets confidential to false.",
        });
    });

    it("treats an absent confidential as GitLab's default (true)", () => {
        expect(runPolicyPack(withChange(base, "outline-oauth", (r) => delete r.props.confidential))).toEqual([]);
    });
});
