import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, effectiveConfig, type PolicyConfigKey } from "../lib/config";
import { describeResource, forTypes, TYPES } from "../lib/resources";
import { read, UNKNOWN } from "../lib/unknown";

/** Generated passwords are the platform's only credentials: they must be long enough on their own. */
export const randomPasswordRequireMinLength: ResourceValidationPolicy = {
    name: "random-password-require-min-length",
    description: "random.RandomPassword must generate at least minGeneratedLength characters.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("minGeneratedLength"),
    remediationSteps: "Raise `length` (the platform uses 32).",
    validateResource: forTypes([TYPES.randomPassword], (args, reportViolation) => {
        const config = effectiveConfig(args.getConfig<Partial<Record<PolicyConfigKey, unknown>>>());
        const length = read(args.props, "length");
        if (length === UNKNOWN) {
            return;
        }
        if (typeof length !== "number" || length < config.minGeneratedLength) {
            reportViolation(
                `${describeResource(args.type, args.name)} length is ${typeof length === "number" ? length : "not set"}; ` +
                    `at least ${config.minGeneratedLength} is required.`,
            );
        }
    }),
};
