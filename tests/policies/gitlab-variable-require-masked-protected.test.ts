import { describe, expect, it } from "vitest";
import { runPolicyPack } from "../../policies/offline";
import { compliantStack, policiesOf, withChange } from "./fixture";

const POLICY = "gitlab-variable-require-masked-protected";
const base = compliantStack();
const VARIABLE = "product-portal-var-DEPLOY_TOKEN";

describe(POLICY, () => {
    it("passes the compliant stack (a masked, protected DEPLOY_TOKEN and a plain SITE_TITLE)", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it("catches a credential-named variable that is not masked", () => {
        const violations = runPolicyPack(withChange(base, VARIABLE, (r) => (r.props.masked = false)));
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations[0]).toMatchObject({
            level: "mandatory",
            message: `GitLab project variable '${VARIABLE}' holds the credential DEPLOY_TOKEN but is not masked.`,
        });
    });

    it("catches one that is neither masked nor protected, GitLab's defaults when absent", () => {
        const violations = runPolicyPack(
            withChange(base, VARIABLE, (r) => {
                delete r.props.masked;
                delete r.props.protected;
            }),
        );
        expect(violations.map((v) => v.message)).toEqual([
            `GitLab project variable '${VARIABLE}' holds the credential DEPLOY_TOKEN but is not masked and protected.`,
        ]);
    });

    it("applies to group variables and to every credential word (PASSWORD, SECRET, API_KEY)", () => {
        for (const key of ["SMTP_PASSWORD", "CLIENT_SECRET", "API_KEY"]) {
            const stack = withChange(base, VARIABLE, (r) => {
                r.type = "gitlab:index/groupVariable:GroupVariable";
                r.urn = r.urn.replace("projectVariable:ProjectVariable", "groupVariable:GroupVariable");
                r.props.key = key;
                r.props.protected = false;
            });
            expect(runPolicyPack(stack).map((v) => v.message)).toEqual([
                `GitLab group variable '${VARIABLE}' holds the credential ${key} but is not protected.`,
            ]);
        }
    });

    it("leaves a plain variable alone whatever its flags", () => {
        expect(runPolicyPack(withChange(base, "product-portal-var-SITE_TITLE", (r) => delete r.props.masked)).filter((v) => v.policy === POLICY)).toEqual([]);
    });
});
