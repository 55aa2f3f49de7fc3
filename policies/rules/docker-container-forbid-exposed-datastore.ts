import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { containerLabels, isDatastoreImage, isImageId, ROLE_LABEL } from "../lib/docker";
import { describeResource, TYPES } from "../lib/resources";
import { knownIndexed, read, readString, UNKNOWN } from "../lib/unknown";

/** Image references a container's `image` stands for: itself, or — for an image id — the RemoteImage it is the id of. */
function imageNames(container: PolicyResource, images: readonly PolicyResource[]): string[] {
    const image = readString(container.props, "image");
    if (image === undefined) {
        return [];
    }
    if (!isImageId(image)) {
        return [image];
    }
    // The program passes RemoteImage.imageId / repoDigest: find which RemoteImage that is.
    const fromDependencies = (container.propertyDependencies["image"] ?? []).filter((d) => d.type === TYPES.remoteImage);
    const byValue = images.filter((img) => ["imageId", "repoDigest", "id"].some((key) => readString(img.props, key) === image));
    return [...fromDependencies, ...byValue].map((img) => readString(img.props, "name")).filter((n): n is string => n !== undefined);
}

/**
 * PostgreSQL, MySQL/MariaDB, Redis/Valkey (by image, or label nexora.role=datastore) publish no
 * host port and are attached only to Docker networks of this stack created with `internal: true`.
 */
export const dockerContainerForbidExposedDatastore: StackValidationPolicy = {
    name: "docker-container-forbid-exposed-datastore",
    description:
        "Data store containers (postgres, mysql, mariadb, redis, valkey, or label nexora.role=datastore) " +
        "publish no host ports and sit only on internal Docker networks.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Drop `ports` from the data store, attach it only to the stack's internal network " +
        "(docker.Network with internal: true), and reach it from apps by its network alias.",
    validateStack: (args, reportViolation) => {
        const internalNetworks = new Set<string>();
        for (const network of args.resources.filter((r) => r.type === TYPES.network)) {
            if (read(network.props, "internal") === true) {
                for (const key of ["name", "id"]) {
                    const value = readString(network.props, key);
                    if (value !== undefined) {
                        internalNetworks.add(value);
                    }
                }
            }
        }
        const images = args.resources.filter((r) => r.type === TYPES.remoteImage);
        for (const container of args.resources.filter((r) => r.type === TYPES.container)) {
            const role = containerLabels(container.props).get(ROLE_LABEL);
            if (role !== "datastore" && !imageNames(container, images).some(isDatastoreImage)) {
                continue;
            }
            const self = `data store ${describeResource(container.type, container.name)}`;
            for (const [i, port] of knownIndexed(read(container.props, "ports"))) {
                const internal = read(port, "internal");
                const external = read(port, "external");
                const shown = typeof external === "number" ? external : typeof internal === "number" ? internal : "?";
                reportViolation(`${self} publishes host port ${shown} (ports[${i}]).`, container.urn);
            }
            if (read(container.props, "publishAllPorts") === true) {
                reportViolation(`${self} sets publishAllPorts.`, container.urn);
            }
            const networkMode = read(container.props, "networkMode");
            if (networkMode === "host") {
                reportViolation(`${self} uses the host network.`, container.urn);
                continue;
            }
            const networks = read(container.props, "networksAdvanced");
            if (networks === UNKNOWN) {
                continue;
            }
            const attached = knownIndexed(networks);
            // The docker provider disconnects a container with networksAdvanced from the default bridge
            // (its networkMode still reads "bridge"), so then only the listed networks count.
            const hasAdvanced = Array.isArray(networks) && networks.length > 0;
            const standalone = typeof networkMode === "string" && (networkMode === "none" || networkMode.startsWith("container:"));
            if (!hasAdvanced && !standalone) {
                if (networkMode === undefined || networkMode === "bridge" || networkMode === "default") {
                    reportViolation(`${self} has no networksAdvanced: it joins Docker's default bridge network.`, container.urn);
                } else if (typeof networkMode === "string" && !internalNetworks.has(networkMode)) {
                    reportViolation(`${self} sets networkMode '${networkMode}', which is not an internal network of this stack.`, container.urn);
                }
            }
            for (const [i, network] of attached) {
                const name = readString(network, "name");
                if (name !== undefined && !internalNetworks.has(name)) {
                    reportViolation(
                        `${self} is attached to network '${name}' (networksAdvanced[${i}]), which is not an internal network of this stack.`,
                        container.urn,
                    );
                }
            }
        }
    },
};
