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
    "mysql",
    "backup",
    "restic",
    "portainerApiClient",
    "prometheus",
    "blackboxExporter",
    "alertmanager",
    "nodeExporter",
    "healer",
    "autokuma",
] as const;
export type ImageName = (typeof imageNames)[number];

export const DEFAULT_IMAGES: Readonly<Record<ImageName, string>> = {
    // 18.11 is the last GitLab line that runs on PostgreSQL 16. Evidence (2026-12 look-up): public
    // deployment scripts pull exactly "gitlab/gitlab-ce:18.11.12-ce.0" (and 18.11.11-ce.0); no later 18.11 patch seen.
    gitlab: "gitlab/gitlab-ce:18.11.12-ce.0",
    postgres: "postgres:16.15-bookworm",
    redis: "redis:7.4.11-alpine",
    // Evidence: a renovate-managed pin "outlinewiki/outline:1.10.1@sha256:832051f039b4…" and a changelog
    // (2026-09-10) moving 1.10.0 → 1.10.1; no 1.11 reference found.
    outline: "outlinewiki/outline:1.10.1",
    // Evidence: "docker.io/louislam/uptime-kuma:2.5.6@sha256:9912da7d7d9b…" in a public NixOS config
    // (2.5.0 was released 2026-08; 2.5.5 seen verified 2026-09-28).
    uptimeKuma: "louislam/uptime-kuma:2.5.6",
    // The -alpine variant has a shell and wget for the health check; the default image has neither.
    // Evidence: "docker.io/portainer/portainer-ce:2.45.1-alpine", digest sha256:4d9a99f4495c…, recorded 2026-09-17.
    portainer: "portainer/portainer-ce:2.45.1-alpine",
    // Evidence: nginx stable 1.30.5 (mainline 1.31.6, 2026-09-15); "nginx:1.30.5-alpine" index digest
    // sha256:0985e772fb9f… pinned in several public Dockerfiles.
    portal: "nginx:1.30.5-alpine",
    caddy: "caddy:2.11.4-alpine",
    // Evidence: the Go module proxy serves github.com/fatedier/frp@v0.71.0 (tag of 2026-08-14, commit 4a23aa18;
    // v0.71.1 and v0.72.0 are not served), and public configs run "fatedier/frpc:v0.71.0", the official image.
    frpc: "fatedier/frpc:v0.71.0",
    grafana: "grafana/grafana:12.4.11",
    gitlabRunner: "gitlab/gitlab-runner:v18.11.4",
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
    alertmanager: "prom/alertmanager:v0.28.1",
    blackboxExporter: "prom/blackbox-exporter:v0.28.0",
    nodeExporter: "prom/node-exporter:v1.11.1",
    // The healer is a POSIX sh loop around the docker CLI: the backup's own pinned CLI image.
    healer: "docker:28.3.1-cli",
    // Evidence: a public sync script defaults to "ghcr.io/bigboot/autokuma:2.0.0" (AutoKuma 2.x is the line for Uptime Kuma 2).
    autokuma: "ghcr.io/bigboot/autokuma:2.0.0",
};

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
