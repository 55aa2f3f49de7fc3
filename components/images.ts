import { serviceList, type ServiceKey } from "./catalog";

/**
 * Pinned images of the platform. A stack overrides any of them under `nexora:images`; config
 * validation rejects unpinned or `latest` references. A platform service's image is named by its
 * service key and pinned in its catalog entry (catalog.ts); these are the images of what the
 * catalog does not describe: the data stores, the backup and the monitoring containers.
 */
export const SUPPORT_IMAGES = {
    postgres: "postgres:16.15-bookworm",
    redis: "redis:7.4.11-alpine",
    mysql: "mysql:8.4.11",
    // The backup container's scheduler: the docker CLI (dumps run in the stores' own containers).
    backup: "docker:28.3.1-cli",
    // restic runs in its official image (Alpine, /bin/sh, restic as the entrypoint).
    restic: "restic/restic:0.18.1",
    // Runs Portainer's REST calls (components/sso/portainer.ts) next to it: Portainer's image has no HTTP client that can PUT.
    // Evidence: "docker.io/curlimages/curl:8.16.0" used in public scripts (curl 8.16.0 released 2025-09).
    portainerApiClient: "curlimages/curl:8.16.0",
    // Monitoring (docs/monitoring.md). Evidence (2026-12 look-up of public compose files and scripts):
    // "prom/prometheus:v3.7.3" in a containerlab topology; "prom/alertmanager:v0.28.1" in several
    // stacks and an amtool check script; "prom/blackbox-exporter:v0.28.0" in a pinned image list and a
    // config-check script; "prom/node-exporter:v1.11.1" in a host set-up script.
    prometheus: "prom/prometheus:v3.7.3",
    blackboxExporter: "prom/blackbox-exporter:v0.28.0",
    alertmanager: "prom/alertmanager:v0.28.1",
    nodeExporter: "prom/node-exporter:v1.11.1",
    // The healer is a POSIX sh loop around the docker CLI: the backup's own pinned CLI image.
    healer: "docker:28.3.1-cli",
    // Evidence: a public sync script defaults to "ghcr.io/bigboot/autokuma:2.0.0" (AutoKuma 2.x is the line for Uptime Kuma 2).
    autokuma: "ghcr.io/bigboot/autokuma:2.0.0",
} as const;

export type ImageName = ServiceKey | keyof typeof SUPPORT_IMAGES;

/** Every image name: the services' (catalog order), then the support images'. */
export function imageNames(): readonly ImageName[] {
    return [...serviceList().map((s) => s.key), ...(Object.keys(SUPPORT_IMAGES) as (keyof typeof SUPPORT_IMAGES)[])];
}

/** Every image's default pin, by image name (the catalog's as it stands now). */
export function defaultImages(): Readonly<Record<ImageName, string>> {
    return { ...Object.fromEntries(serviceList().map((s) => [s.key, s.image])), ...SUPPORT_IMAGES } as Record<ImageName, string>;
}

/** The default pins as the module loaded them, for scripts and tests (the program reads defaultImages()). */
export const DEFAULT_IMAGES: Readonly<Record<ImageName, string>> = defaultImages();

export interface ImageRef {
    readonly registry?: string;
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

/** Splits an image reference into registry, repository, tag and digest; undefined when malformed. */
export function parseImageRef(ref: string): ImageRef | undefined {
    const m =
        /^(?:([a-z0-9.-]+(?::\d+)?|localhost(?::\d+)?)\/)?([a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(
            ref,
        );
    if (!m) return undefined;
    const [, first, rest, tag, digest] = m;
    // "name/x" without a dot or port in the first part is a Docker Hub namespace, not a registry.
    const isRegistry = first !== undefined && (/[.:]/.test(first) || first === "localhost");
    const repository = first !== undefined && !isRegistry ? `${first}/${rest!}` : rest!;
    return { registry: isRegistry ? first : undefined, repository, tag, digest };
}
