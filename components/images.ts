/**
 * Pinned images of the platform services. A stack overrides any of them under `nexora:images`;
 * config validation rejects unpinned or `latest` references.
 */
export const imageNames = [
    "gitlab",
    "postgres",
    "redis",
    "outline",
    "uptimeKuma",
    "portainer",
    "portal",
    "caddy",
    "frpc",
    "grafana",
    "gitlabRunner",
    "registry",
    "mysql",
] as const;
export type ImageName = (typeof imageNames)[number];

export const DEFAULT_IMAGES: Readonly<Record<ImageName, string>> = {
    // 18.11 is the last GitLab line that runs on PostgreSQL 16.
    gitlab: "gitlab/gitlab-ce:18.11.3-ce.0",
    postgres: "postgres:16.10-bookworm",
    redis: "redis:7.4.6-alpine",
    outline: "outlinewiki/outline:0.87.4",
    uptimeKuma: "louislam/uptime-kuma:2.0.2",
    portainer: "portainer/portainer-ce:2.33.2",
    portal: "nginx:1.28.0-alpine",
    caddy: "caddy:2.10.2-alpine",
    frpc: "snowdreamtech/frpc:0.65.0",
    grafana: "grafana/grafana:12.2.1",
    gitlabRunner: "gitlab/gitlab-runner:alpine-v18.5.0",
    registry: "registry:3.0.0",
    mysql: "mysql:8.4.7",
};

export interface ImageRef {
    readonly registry?: string;
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

/** Splits an image reference into registry, repository, tag and digest; undefined when malformed. */
export function parseImageRef(ref: string): ImageRef | undefined {
    const m = /^(?:([a-z0-9.-]+(?::\d+)?|localhost(?::\d+)?)\/)?([a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(ref);
    if (!m) return undefined;
    let [, registry, repository, tag, digest] = m;
    // "name/x" without a dot or port in the first part is a Docker Hub namespace, not a registry.
    if (registry && !/[.:]/.test(registry) && registry !== "localhost") {
        repository = `${registry}/${repository}`;
        registry = undefined;
    }
    return { registry, repository: repository!, tag, digest };
}
