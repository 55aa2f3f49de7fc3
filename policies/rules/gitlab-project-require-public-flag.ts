import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, effectiveConfig, type PolicyConfigKey } from "../lib/config";
import { describeResource, forTypes, TYPES } from "../lib/resources";
import { readString } from "../lib/unknown";

/** The stack of a URN (`urn:pulumi:<stack>::...`). */
function stackOf(urn: string): string {
    return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1] ?? "";
}

/**
 * A public project in prod shows its code, issues and pipelines to the internet: it must be named
 * in the pack's `publicProjects` config, an explicit decision beside the stack file's own
 * `allowPublic` flag. Other environments' projects are the test of that decision, not exposure.
 */
export const gitlabProjectRequirePublicFlag: ResourceValidationPolicy = {
    name: "gitlab-project-require-public-flag",
    description: "A public GitLab project in a prod stack must be listed in the policy config publicProjects.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("publicProjects"),
    remediationSteps: "Make the project private or internal, or list its logical name (product-<key>) under publicProjects in the prod policy config.",
    validateResource: forTypes([TYPES.gitlabProject], (args, reportViolation) => {
        const stack = stackOf(args.urn);
        if (stack !== "prod" && !stack.startsWith("prod-")) return;
        if (readString(args.props, "visibilityLevel") !== "public") return;
        const config = effectiveConfig(args.getConfig<Partial<Record<PolicyConfigKey, unknown>>>());
        if (!config.publicProjects.includes(args.name)) {
            reportViolation(`${describeResource(args.type, args.name)} is public in stack ${stack} without being listed in publicProjects.`);
        }
    }),
};
