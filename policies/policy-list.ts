/**
 * The pack's policies, in the order they run and report. Shared by index.ts (the engine's pack)
 * and offline.ts (the engine-less runner) so both apply the same list.
 */
import type { Policies } from "@pulumi/policy";
import { credentialsResourceFlagPlaintextLiterals } from "./rules/credentials-resource-flag-plaintext-literals";
import { credentialsResourceForbidEmptyAuth } from "./rules/credentials-resource-forbid-empty-auth";
import { credentialsResourceForbidWeakSecrets } from "./rules/credentials-resource-forbid-weak-secrets";
import { dockerContainerForbidExposedDatastore } from "./rules/docker-container-forbid-exposed-datastore";
import { dockerContainerRestrictDockerSocket } from "./rules/docker-container-restrict-docker-socket";
import { dockerImageRequirePinnedTag } from "./rules/docker-image-require-pinned-tag";
import { dockerVolumeRequireProtect } from "./rules/docker-volume-require-protect";
import { gitlabApplicationRequireConfidential } from "./rules/gitlab-application-require-confidential";
import { gitlabApplicationRequireHttpsRedirect } from "./rules/gitlab-application-require-https-redirect";
import { gitlabProjectRequirePublicFlag } from "./rules/gitlab-project-require-public-flag";
import { gitlabVariableRequireMaskedProtected } from "./rules/gitlab-variable-require-masked-protected";
import { randomPasswordRequireMinLength } from "./rules/random-password-require-min-length";
import { randomStringForbidCredentialUse } from "./rules/random-string-forbid-credential-use";

export const POLICY_PACK_NAME = "nexora-credentials";

export const allPolicies: Policies = [
    credentialsResourceForbidWeakSecrets,
    credentialsResourceForbidEmptyAuth,
    randomPasswordRequireMinLength,
    randomStringForbidCredentialUse,
    dockerContainerForbidExposedDatastore,
    gitlabApplicationRequireConfidential,
    gitlabApplicationRequireHttpsRedirect,
    gitlabVariableRequireMaskedProtected,
    gitlabProjectRequirePublicFlag,
    dockerVolumeRequireProtect,
    dockerImageRequirePinnedTag,
    dockerContainerRestrictDockerSocket,
    credentialsResourceFlagPlaintextLiterals,
];
