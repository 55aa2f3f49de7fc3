import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isImageId, parseImageReference } from "../lib/docker";
import { describeResource, forTypes, TYPES } from "../lib/resources";
import { readString } from "../lib/unknown";

/** Why an image reference is not pinned, or undefined when it is. */
export function unpinnedReason(image: string): string | undefined {
    if (isImageId(image)) {
        return undefined;
    }
    const ref = parseImageReference(image);
    if (ref.digest !== undefined) {
        return undefined;
    }
    if (ref.tag === undefined) {
        return "has no tag (Docker pulls 'latest')";
    }
    if (ref.tag.toLowerCase() === "latest") {
        return "uses the 'latest' tag";
    }
    return undefined;
}

/** A deploy must be repeatable: every image is named by an explicit tag (not latest) or a digest. */
export const dockerImageRequirePinnedTag: ResourceValidationPolicy = {
    name: "docker-image-require-pinned-tag",
    description: "Docker images must be pinned to an explicit tag other than latest, or to a digest.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set the image tag in the stack config (e.g. gitlab/gitlab-ce:18.11.2-ce.0).",
    validateResource: forTypes([TYPES.remoteImage, TYPES.container], (args, reportViolation) => {
        const input = args.type === TYPES.remoteImage ? "name" : "image";
        const image = readString(args.props, input);
        if (image === undefined) {
            return;
        }
        const reason = unpinnedReason(image);
        if (reason !== undefined) {
            reportViolation(`${describeResource(args.type, args.name)} ${input} '${image}' ${reason}.`);
        }
    }),
};
