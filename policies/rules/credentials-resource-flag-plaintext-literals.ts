import type { ResourceValidationPolicy } from "@pulumi/policy";
import { extractCredentials } from "../lib/credentials";
import { isHighEntropyToken, knownTokenKind, tokens } from "../lib/literals";
import { describeResource } from "../lib/resources";
import { knownEntries, knownIndexed } from "../lib/unknown";

// Followed nesting depth; resource inputs are shallow.
const MAX_DEPTH = 12;

function visitStrings(value: unknown, location: string, depth: number, visit: (text: string, location: string) => void): void {
    if (depth > MAX_DEPTH) {
        return;
    }
    if (typeof value === "string") {
        visit(value, location);
    } else if (Array.isArray(value)) {
        for (const [i, item] of knownIndexed(value)) {
            visitStrings(item, `${location}[${i}]`, depth + 1, visit);
        }
    } else if (value !== null && typeof value === "object") {
        for (const [key, item] of knownEntries(value)) {
            visitStrings(item, location === "" ? key : `${location}.${key}`, depth + 1, visit);
        }
    }
}

/**
 * A credential outside a credential input (a token in a label, a URL path, a script, a plain
 * config value) escapes the checks and the reviewers' eye. Values the weak-secret policy already
 * recognises as credentials are not reported again.
 */
export const credentialsResourceFlagPlaintextLiterals: ResourceValidationPolicy = {
    name: "credentials-resource-flag-plaintext-literals",
    description:
        "Flags token-shaped (glpat-, ghp_, AKIA..., xox..., private keys) or high-entropy string literals " +
        "outside credential inputs.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
        "Keep the credential in `pulumi config set --secret` or a RandomPassword and pass it through an input " +
        "named for what it is (…_TOKEN, …_PASSWORD).",
    validateResource: (args, reportViolation) => {
        const credentialValues = extractCredentials(args.props)
            .map((c) => c.value)
            .filter((v) => v !== "");
        // Substring matches only for credentials long enough not to match by chance.
        const isKnownCredential = (token: string): boolean =>
            credentialValues.some((v) => v === token || v.includes(token) || (v.length >= 8 && token.includes(v)));
        visitStrings(args.props, "", 0, (text, location) => {
            const kind = knownTokenKind(text);
            if (kind !== undefined && !credentialValues.some((v) => text.includes(v) && knownTokenKind(v) === kind)) {
                reportViolation(`${describeResource(args.type, args.name)} ${location} contains what looks like a ${kind}.`);
                return;
            }
            if (tokens(text).some((t) => isHighEntropyToken(t) && !isKnownCredential(t))) {
                reportViolation(`${describeResource(args.type, args.name)} ${location} contains a high-entropy literal that looks like a credential.`);
            }
        });
    },
};
