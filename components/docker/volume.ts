import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerName, ownerLabels, ServiceRole } from "../naming";

export interface PersistentVolumeArgs {
    readonly stack: string;
    readonly service: string;
    readonly role: ServiceRole;
    /** What the volume holds, e.g. "data", "config". */
    readonly purpose: string;
}

/**
 * A named volume holding state. Protected (a plan that would delete it fails) and retained on
 * delete (even an intended removal leaves the data on the host). Its logical name is
 * `${service}-${purpose}`: renaming it changes the URN, which needs an alias, or data is lost.
 */
export function persistentVolume(args: PersistentVolumeArgs, parent: pulumi.Resource, provider: docker.Provider): docker.Volume {
    return new docker.Volume(
        `${args.service}-${args.purpose}`,
        {
            name: dockerName(args.stack, args.service, args.purpose),
            labels: ownerLabels(args.stack, args.service, args.role),
        },
        { parent, provider, protect: true, retainOnDelete: true },
    );
}
