/**
 * Reading @pulumi/docker inputs: env entries, labels, image references, host paths.
 * Every reader skips values unknown at preview one at a time (see ./unknown).
 */
import * as path from "node:path";
import { knownElements, knownIndexed, read, readString } from "./unknown";

/** One `envs` entry split at the first "=". `hasValue` is false for a bare "KEY". */
export interface EnvEntry {
    readonly key: string;
    readonly value: string;
    readonly hasValue: boolean;
}

export function parseEnvEntry(entry: string): EnvEntry {
    const eq = entry.indexOf("=");
    return eq < 0 ? { key: entry, value: "", hasValue: false } : { key: entry.slice(0, eq), value: entry.slice(eq + 1), hasValue: true };
}

/** The known entries of a container's `envs` (string[] of "KEY=VALUE"). */
export function containerEnv(props: unknown): EnvEntry[] {
    return knownElements(read(props, "envs"))
        .filter((e): e is string => typeof e === "string")
        .map(parseEnvEntry);
}

/** The known `labels` ([{label, value}]) as a map. */
export function containerLabels(props: unknown): Map<string, string> {
    const labels = new Map<string, string>();
    for (const item of knownElements(read(props, "labels"))) {
        const label = readString(item, "label");
        const value = readString(item, "value");
        if (label !== undefined && value !== undefined) {
            labels.set(label, value);
        }
    }
    return labels;
}

export const SERVICE_LABEL = "nexora.service";
export const ROLE_LABEL = "nexora.role";

/** A parsed image reference: `[registry/]repository[:tag][@digest]`. */
export interface ImageReference {
    readonly registry?: string;
    /** Path without registry, e.g. "library/postgres" is given as "postgres", "gitlab/gitlab-ce". */
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

/** True for an image id rather than a reference: "sha256:<hex>" or a bare 64-hex id. */
export function isImageId(image: string): boolean {
    return /^sha256:[0-9a-f]{64}$/i.test(image) || /^[0-9a-f]{64}$/i.test(image);
}

export function parseImageReference(image: string): ImageReference {
    let rest = image.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    // A ":" after the last "/" starts the tag; one before it is a registry port (host:5000/x).
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
    }
    let registry: string | undefined;
    const firstSlash = rest.indexOf("/");
    if (firstSlash >= 0) {
        const first = rest.slice(0, firstSlash);
        // Docker's rule: the first component is a registry when it has a "." or ":" or is localhost.
        if (first.includes(".") || first.includes(":") || first === "localhost") {
            registry = first;
            rest = rest.slice(firstSlash + 1);
        }
    }
    return { registry, repository: rest, tag: tag === "" ? undefined : tag, digest: digest === "" ? undefined : digest };
}

/** Last path component of the repository: "bitnami/postgresql" → "postgresql". */
export function imageBaseName(image: string): string {
    const repo = parseImageReference(image).repository;
    return repo.slice(repo.lastIndexOf("/") + 1).toLowerCase();
}

const DATASTORE_IMAGES = new Set(["postgres", "postgresql", "mysql", "mariadb", "redis", "valkey"]);

/** True when an image reference names a data store image. */
export function isDatastoreImage(image: string): boolean {
    return !isImageId(image) && DATASTORE_IMAGES.has(imageBaseName(image));
}

const DOCKER_SOCKETS = ["/var/run/docker.sock", "/run/docker.sock"];

/**
 * True when mounting `hostPath` hands the container the Docker socket: the socket itself or any
 * directory above it ("/var/run" exposes /var/run/docker.sock just the same), or a socket of a
 * daemon elsewhere (rootless, or a second daemon) by its name `docker.sock`.
 */
export function exposesDockerSocket(hostPath: string): boolean {
    if (!hostPath.startsWith("/")) {
        return false;
    }
    const normalized = path.posix.normalize(hostPath).replace(/\/+$/, "") || "/";
    return (
        normalized.endsWith("/docker.sock") ||
        DOCKER_SOCKETS.some((socket) => socket === normalized || normalized === "/" || socket.startsWith(`${normalized}/`))
    );
}

/** Host paths a container mounts: bind `mounts[].source` and `volumes[].hostPath`, with where they came from. */
export function containerHostPaths(props: unknown): { readonly input: string; readonly hostPath: string }[] {
    const out: { input: string; hostPath: string }[] = [];
    for (const [i, mount] of knownIndexed(read(props, "mounts"))) {
        const type = readString(mount, "type");
        const source = readString(mount, "source");
        // Only binds take a host path; a "volume" mount's source is a volume name.
        if (source !== undefined && (type === undefined || type === "bind")) {
            out.push({ input: `mounts[${i}]`, hostPath: source });
        }
    }
    for (const [i, volume] of knownIndexed(read(props, "volumes"))) {
        const hostPath = readString(volume, "hostPath");
        if (hostPath !== undefined) {
            out.push({ input: `volumes[${i}]`, hostPath });
        }
    }
    return out;
}
