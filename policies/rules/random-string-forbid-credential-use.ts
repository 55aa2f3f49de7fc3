import type { StackValidationPolicy } from "@pulumi/policy";
import { extractCredentials } from "../lib/credentials";
import { isCredentialKey } from "../lib/keys";
import { describeResource, TYPES } from "../lib/resources";
import { readString } from "../lib/unknown";

// Shorter results are only compared whole: a short suffix can turn up inside any long value by chance.
const MIN_SUBSTRING_MATCH = 8;

/**
 * random.RandomString keeps its result in plaintext (it is also the resource id), so it must never
 * be a credential: flags a RandomString named like one, and one whose result is found in another
 * resource's credential input.
 */
export const randomStringForbidCredentialUse: StackValidationPolicy = {
    name: "random-string-forbid-credential-use",
    description: "random.RandomString stores its result unencrypted in the state: use random.RandomPassword for credentials.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Replace the RandomString with a random.RandomPassword (its result is a secret).",
    validateStack: (args, reportViolation) => {
        const randomStrings = args.resources.filter((r) => r.type === TYPES.randomString);
        if (randomStrings.length === 0) {
            return;
        }
        const credentialsByResource = args.resources
            .filter((r) => r.type !== TYPES.randomString)
            .map((r) => ({ resource: r, credentials: extractCredentials(r.props) }));
        for (const rs of randomStrings) {
            const self = describeResource(rs.type, rs.name);
            if (isCredentialKey(rs.name)) {
                reportViolation(`${self} is named like a credential; its result is stored in plaintext.`, rs.urn);
            }
            const result = readString(rs.props, "result");
            if (result === undefined || result === "") {
                continue;
            }
            for (const { resource, credentials } of credentialsByResource) {
                for (const c of credentials) {
                    const used = result.length >= MIN_SUBSTRING_MATCH ? c.value.includes(result) : c.value === result;
                    if (used) {
                        reportViolation(
                            `${self} is used as a credential: ${describeResource(resource.type, resource.name)} ${c.location} contains its result.`,
                            rs.urn,
                        );
                    }
                }
            }
        }
    },
};
