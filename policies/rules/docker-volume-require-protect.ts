import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeResource, forTypes, TYPES } from "../lib/resources";

/**
 * Docker volumes hold the platform's state (PostgreSQL, GitLab, Outline, Caddy certificates); a
 * changed name or a refactor must not be able to delete one: `protect: true`.
 */
export const dockerVolumeRequireProtect: ResourceValidationPolicy = {
    name: "docker-volume-require-protect",
    description: "Docker volumes hold state and must be created with the protect resource option.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Create the volume with `{ protect: true }` (and `retainOnDelete` if it must outlive the stack).",
    validateResource: forTypes([TYPES.volume], (args, reportViolation) => {
        if (!args.opts.protect) {
            reportViolation(`${describeResource(args.type, args.name)} is not protected.`);
        }
    }),
};
