import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isCredentialKey } from "../lib/keys";
import { describeResource, forTypes, TYPES } from "../lib/resources";
import { read, readString } from "../lib/unknown";

/**
 * A CI/CD variable whose key names a credential must be masked (GitLab hides it in job logs) and
 * protected (only pipelines of protected branches and tags see it): any branch's pipeline could
 * otherwise print or send it.
 */
export const gitlabVariableRequireMaskedProtected: ResourceValidationPolicy = {
    name: "gitlab-variable-require-masked-protected",
    description: "GitLab CI/CD variables whose key names a credential must be masked and protected.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set masked: true and protected: true on the variable (a credential-named key under nexora:products.<key>.variables defaults to both).",
    validateResource: forTypes([TYPES.gitlabProjectVariable, TYPES.gitlabGroupVariable], (args, reportViolation) => {
        const key = readString(args.props, "key");
        if (key === undefined || !isCredentialKey(key)) return;
        // Absent means false: GitLab's default for both.
        const missing = (["masked", "protected"] as const).filter((flag) => read(args.props, flag) !== true);
        if (missing.length > 0) {
            reportViolation(`${describeResource(args.type, args.name)} holds the credential ${key} but is not ${missing.join(" and ")}.`);
        }
    }),
};
