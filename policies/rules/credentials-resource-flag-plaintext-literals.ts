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
        const isEnv = location === "envs";
        for (const [i, item] of knownIndexed(value)) {
            // Name env entries by their key, and look at the value only.
            const eq = isEnv && typeof item === "string" ? item.indexOf("=") : -1;
            if (eq > 0) {
                visit((item as string).slice(eq + 1), `envs[${(item as string).slice(0, eq)}]`);
            } else {
                visitStrings(item, `${location}[${i}]`, depth + 1, visit);
            }
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
    description: "Flags token-shaped (glpat-, ghp_, AKIA..., xox..., private keys) or high-entropy string literals " + "outside credential inputs.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
        "Keep the credential in `pulumi config set --secret` or a RandomPassword and pass it through an input " + "named for what it is (…_TOKEN, …_PASSWORD).",
    validateResource: (args, reportViolation) => {
        // The random provider's values are generated, not literals (and offline props may carry its outputs).
        if (args.type.startsWith("random:")) {
            return args.notApplicable("random values are generated, not literals");
        }
        const credentialValues = extractCredentials(args.props)
            .map((c) => c.value)
            .filter((v) => v !== "");
        // Substring matches only for credentials long enough not to match by chance; backslashes
        // are dropped because rendered config escapes quotes inside the values it embeds.
        const isKnownCredential = (token: string): boolean => {
            const t = token.replace(/\\/g, "");
            return credentialValues.some((v) => v === t || v.includes(t) || (v.length >= 8 && t.includes(v)));
        };
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
