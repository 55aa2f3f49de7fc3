import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeResource, forTypes, TYPES } from "../lib/resources";
import { read } from "../lib/unknown";

/** Every OAuth client on the platform is a server-side app that can keep a secret: it must be confidential. */
export const gitlabApplicationRequireConfidential: ResourceValidationPolicy = {
    name: "gitlab-application-require-confidential",
    description: "GitLab OAuth applications must be confidential (a public client gets tokens without its secret).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove `confidential: false` (GitLab's default is confidential).",
    validateResource: forTypes([TYPES.gitlabApplication], (args, reportViolation) => {
        // Absent means true: the upstream default.
        if (read(args.props, "confidential") === false) {
            reportViolation(`${describeResource(args.type, args.name)} sets confidential to false.`);
        }
    }),
};
