import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, effectiveConfig, type PolicyConfigKey } from "../lib/config";
import { describingNames, extractCredentials, locationWords, mentionedUsernames, stackWords } from "../lib/credentials";
import { describeResource } from "../lib/resources";
import { assessSecret, describeWeaknesses, nameInputs } from "../lib/strength";

/**
 * Every credential a resource receives — env entries, provider tokens, command environments,
 * passwords in URLs and in rendered config — must be long, not a vendor default, not its own user
 * name, and rated at least `minScore` by zxcvbn knowing the resource's own names and the stack's
 * words (company, stack, domain, the key the value sits under).
 */
export const credentialsResourceForbidWeakSecrets: ResourceValidationPolicy = {
    name: "credentials-resource-forbid-weak-secrets",
    description:
        "Credentials passed to a resource must be at least minLength characters, not a vendor default, " +
        "not equal to their user name, and reach zxcvbn score minScore.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: configSchemaFor("minScore", "minLength", "additionalDenylist"),
    remediationSteps:
        "Generate the credential with random.RandomPassword (length >= 24) or set it with " +
        "`pulumi config set --secret`, and pass it in; never write a default or a guessable value.",
    validateResource: (args, reportViolation) => {
        const config = effectiveConfig(args.getConfig<Partial<Record<PolicyConfigKey, unknown>>>());
        const candidates = extractCredentials(args.props);
        if (candidates.length === 0) {
            return;
        }
        // What an attacker knows about this resource: its names, image, service label and users,
        // and the stack's own words: the company (project), the stack and the domain.
        const userInputs = nameInputs(
            args.name,
            ...describingNames(args.props),
            ...mentionedUsernames(args.props),
            ...stackWords(
                args.urn,
                args.props,
                candidates.map((c) => c.value),
            ),
        );
        for (const candidate of candidates) {
            // Empty credentials are credentials-resource-forbid-empty-auth's finding.
            if (candidate.value.trim() === "") {
                continue;
            }
            const weaknesses = assessSecret(candidate.value, config, {
                userInputs: [...userInputs, ...locationWords(candidate.location)],
                username: candidate.username,
            });
            if (weaknesses.length > 0) {
                reportViolation(`${describeResource(args.type, args.name)} ${candidate.location} is weak: ${describeWeaknesses(weaknesses)}.`);
            }
        }
    },
};
