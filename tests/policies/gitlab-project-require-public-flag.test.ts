import { describe, expect, it } from "vitest";
import type { OfflineResource } from "../../policies/offline";
import { runPolicyPack } from "../../policies/offline";
import { compliantStack, policiesOf, withChange } from "./fixture";

const POLICY = "gitlab-project-require-public-flag";
const base = compliantStack();

/** The fixture as stack `stack` (URNs carry the stack name). */
function asStack(resources: readonly OfflineResource[], stack: string): OfflineResource[] {
    return resources.map((r) => ({ ...r, urn: r.urn.replace(/^urn:pulumi:dev::/, `urn:pulumi:${stack}::`) }));
}
const publicPortal = withChange(base, "product-portal", (r) => (r.props.visibilityLevel = "public"));

describe(POLICY, () => {
    it("passes the compliant stack, in dev and in prod", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
        expect(runPolicyPack(asStack(base, "prod")).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it("catches a public project in prod that publicProjects does not list", () => {
        const violations = runPolicyPack(asStack(publicPortal, "prod"));
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations[0]).toMatchObject({
            level: "mandatory",
            message: "GitLab project 'product-portal' is public in stack prod without being listed in publicProjects.",
        });
        expect(runPolicyPack(asStack(publicPortal, "prod-eu")).map((v) => v.policy)).toEqual([POLICY]);
    });

    it("accepts it once listed, and only that project", () => {
        expect(runPolicyPack(asStack(publicPortal, "prod"), { publicProjects: ["product-portal"] })).toEqual([]);
        expect(runPolicyPack(asStack(publicPortal, "prod"), { publicProjects: ["product-platform"] }).map((v) => v.policy)).toEqual([POLICY]);
    });

    it("leaves public projects of dev and staging alone, and internal ones in prod", () => {
        expect(runPolicyPack(publicPortal)).toEqual([]);
        expect(runPolicyPack(asStack(publicPortal, "staging"))).toEqual([]);
        expect(
            runPolicyPack(
                asStack(
                    withChange(base, "product-portal", (r) => (r.props.visibilityLevel = "internal")),
                    "prod",
                ),
            ),
        ).toEqual([]);
    });
});
