/**
 * The stack's feature switches. Kept apart from config/, which parses them, so the service
 * catalog can say when a service runs without importing the config module back.
 */

/** Switchable platform services (`nexora:<name>Enabled`), by service key. */
export interface PlatformFeatures {
    /** GitLab CE, the identity provider: SSO, Outline, Grafana, the runner and the registry need it. */
    readonly gitlab: boolean;
    readonly outline: boolean;
    readonly uptimeKuma: boolean;
    readonly portainer: boolean;
    readonly portal: boolean;
    readonly grafana: boolean;
    readonly gitlabRunner: boolean;
    readonly registry: boolean;
    /** Prometheus, the blackbox exporter, Alertmanager, node-exporter and the healer (docs/monitoring.md). */
    readonly monitoring: boolean;
}

/** Config key of each feature switch (user-facing, so not renamed with the service keys). */
export const FEATURE_KEYS = {
    gitlab: "gitlabEnabled",
    outline: "outlineEnabled",
    uptimeKuma: "uptimeKumaEnabled",
    portainer: "portainerEnabled",
    portal: "portalEnabled",
    grafana: "grafanaEnabled",
    gitlabRunner: "runnerEnabled",
    registry: "registryEnabled",
    monitoring: "monitoringEnabled",
} as const satisfies Record<keyof PlatformFeatures, string>;

/** Features that exist only with GitLab: they log in through it, or are part of it. */
export const NEEDS_GITLAB: readonly (keyof PlatformFeatures)[] = ["outline", "grafana", "gitlabRunner", "registry"];
