import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, effectiveConfig, type PolicyConfigKey } from "../lib/config";
import { describeResource, forTypes, TYPES } from "../lib/resources";
import { readString } from "../lib/unknown";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Why a redirect URL is refused, or undefined when it is acceptable. */
export function redirectProblem(url: string, allowLoopbackHttp: boolean): string | undefined {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return "is not an absolute URL";
    }
    if (parsed.protocol === "https:") {
        return undefined;
    }
    if (parsed.protocol === "http:" && allowLoopbackHttp && LOOPBACK_HOSTS.has(parsed.hostname)) {
        return undefined;
    }
    return parsed.protocol === "http:" ? "uses http" : `uses scheme ${parsed.protocol.replace(/:$/, "")}`;
}

/**
 * The authorization code travels to the redirect URL: it must be https. Every stack, the laptop
 * dev stack included, serves its sites through Caddy with TLS (`tls internal` locally), so plain
 * http loopback redirects are refused unless `allowLoopbackHttpRedirect` is set.
 */
export const gitlabApplicationRequireHttpsRedirect: ResourceValidationPolicy = {
    name: "gitlab-application-require-https-redirect",
    description: "GitLab OAuth application redirect URLs must use https.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("allowLoopbackHttpRedirect"),
    remediationSteps: "Derive the redirect URL from the route table's https URL of the service.",
    validateResource: forTypes([TYPES.gitlabApplication], (args, reportViolation) => {
        const config = effectiveConfig(args.getConfig<Partial<Record<PolicyConfigKey, unknown>>>());
        const redirectUrl = readString(args.props, "redirectUrl");
        if (redirectUrl === undefined) {
            return;
        }
        // GitLab takes several redirect URIs separated by whitespace (one per line in the UI).
        const urls = redirectUrl.split(/\s+/).filter((u) => u !== "");
        if (urls.length === 0) {
            reportViolation(`${describeResource(args.type, args.name)} redirectUrl is empty.`);
        }
        urls.forEach((url, i) => {
            const problem = redirectProblem(url, config.allowLoopbackHttpRedirect);
            if (problem !== undefined) {
                reportViolation(`${describeResource(args.type, args.name)} redirectUrl #${i + 1} ${problem}.`);
            }
        });
    }),
};
