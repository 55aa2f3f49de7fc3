import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, effectiveConfig, type PolicyConfigKey } from "../lib/config";
import { containerHostPaths, containerLabels, exposesDockerSocket, SERVICE_LABEL } from "../lib/docker";
import { describeResource, forTypes, TYPES } from "../lib/resources";
import { knownIndexed, read, UNKNOWN } from "../lib/unknown";

/**
 * The Docker socket is root on the host. Only the services that manage containers (Portainer, a
 * GitLab Runner) may mount it — or a directory above it — identified by their `nexora.service` label.
 */
export const dockerContainerRestrictDockerSocket: ResourceValidationPolicy = {
    name: "docker-container-restrict-docker-socket",
    description:
        "Only containers whose nexora.service label is in dockerSocketAllowed may mount the Docker socket " +
        "(/var/run/docker.sock, /run/docker.sock) or a directory containing it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: configSchemaFor("dockerSocketAllowed"),
    remediationSteps: "Remove the mount, or label the container with an allowed nexora.service.",
    validateResource: forTypes([TYPES.container], (args, reportViolation) => {
        const config = effectiveConfig(args.getConfig<Partial<Record<PolicyConfigKey, unknown>>>());
        const mounts = containerHostPaths(args.props).filter((m) => exposesDockerSocket(m.hostPath));
        if (mounts.length === 0) {
            return;
        }
        const service = containerLabels(args.props).get(SERVICE_LABEL);
        // Labels unknown at preview cannot be judged (the update re-checks them with values).
        const labels = read(args.props, "labels");
        if (service === undefined && (labels === UNKNOWN || knownIndexed(labels).length < (Array.isArray(labels) ? labels.length : 0))) {
            return;
        }
        if (service !== undefined && config.dockerSocketAllowed.includes(service)) {
            return;
        }
        for (const mount of mounts) {
            reportViolation(
                `${describeResource(args.type, args.name)} mounts the Docker socket via ${mount.input} ('${mount.hostPath}') ` +
                    `but its ${SERVICE_LABEL} label (${service === undefined ? "absent" : `'${service}'`}) is not in dockerSocketAllowed.`,
            );
        }
    }),
};
