import type { ResourceValidationPolicy } from "@pulumi/policy";
import { extractCredentials } from "../lib/credentials";
import { containerEnv } from "../lib/docker";
import { keyWords } from "../lib/keys";
import { describeResource, TYPES } from "../lib/resources";

// Env switches that let clients in without a password, whatever their value.
const ALLOW_EMPTY = new Set(["MYSQL_ALLOW_EMPTY_PASSWORD", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "MARIADB_ALLOW_EMPTY_PASSWORD", "ALLOW_EMPTY_PASSWORD"]);

/** Trust authentication, allow-empty switches and empty credentials: a data store anyone on the network can open. */
export const credentialsResourceForbidEmptyAuth: ResourceValidationPolicy = {
    name: "credentials-resource-forbid-empty-auth",
    description:
        "No trust authentication (POSTGRES_HOST_AUTH_METHOD=trust), no *_ALLOW_EMPTY_PASSWORD switch, " + "and no empty credential (e.g. DB_PASSWORD=).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Remove the trust/allow-empty setting and give the service a generated password (random.RandomPassword).",
    validateResource: (args, reportViolation) => {
        const resource = describeResource(args.type, args.name);
        if (args.type === TYPES.container) {
            for (const env of containerEnv(args.props)) {
                const key = env.key.toUpperCase();
                if (key === "POSTGRES_HOST_AUTH_METHOD" && env.value.trim().toLowerCase() === "trust") {
                    reportViolation(`${resource} envs[${env.key}] turns on trust authentication.`);
                } else if (key === "POSTGRES_INITDB_ARGS" && /--auth(-host|-local)?[= ]trust\b/.test(env.value)) {
                    reportViolation(`${resource} envs[${env.key}] initialises the cluster with trust authentication.`);
                } else if (ALLOW_EMPTY.has(key) || (keyWords(key).includes("ALLOW") && keyWords(key).includes("EMPTY"))) {
                    reportViolation(`${resource} envs[${env.key}] is set: the server accepts an empty password.`);
                }
            }
        }
        for (const candidate of extractCredentials(args.props)) {
            if (candidate.value.trim() === "") {
                reportViolation(`${resource} ${candidate.location} is empty.`);
            }
        }
    },
};
