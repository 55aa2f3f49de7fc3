/**
 * The stack's feature switches. Kept apart from config/, which parses them, so the service
 * catalog can say when a service runs without importing the config module back. A service's
 * switch is part of its catalog entry; the features here are the switches that are not a service
 * of their own.
 */
import { serviceList, type FeatureSwitch, type SwitchedServiceKey } from "./catalog";

/** Switches of what is not a catalog service: part of one (the registry, in GitLab's container) or a group of containers. */
const OTHER_FEATURES = {
    registry: { configKey: "registryEnabled", needsGitlab: true },
    /** Prometheus, the blackbox exporter, Alertmanager, node-exporter and the healer (docs/monitoring.md). */
    monitoring: { configKey: "monitoringEnabled" },
} as const satisfies Readonly<Record<string, FeatureSwitch>>;

/** Switchable parts of the platform (`nexora:<configKey>`): by service key for a service. */
export type PlatformFeatures = { readonly [K in SwitchedServiceKey | keyof typeof OTHER_FEATURES]: boolean };

/** Every feature switch, by feature (service key for a service), in catalog order then the others. */
export function featureSwitches(): Readonly<Record<keyof PlatformFeatures, FeatureSwitch>> {
    const switches: [string, FeatureSwitch][] = serviceList().flatMap((s) => (s.feature ? [[s.key, s.feature] as [string, FeatureSwitch]] : []));
    return Object.fromEntries([...switches, ...Object.entries(OTHER_FEATURES)]) as Record<keyof PlatformFeatures, FeatureSwitch>;
}

/** Config key of each feature switch (user-facing, so not renamed with the service keys). */
export function featureKeys(): Readonly<Record<keyof PlatformFeatures, string>> {
    return Object.fromEntries(Object.entries(featureSwitches()).map(([feature, s]) => [feature, s.configKey])) as Record<keyof PlatformFeatures, string>;
}

/** Features that exist only with GitLab: they log in through it, or are part of it. */
export function featuresNeedingGitlab(): readonly (keyof PlatformFeatures)[] {
    return (Object.entries(featureSwitches()) as [keyof PlatformFeatures, FeatureSwitch][]).filter(([, s]) => s.needsGitlab === true).map(([f]) => f);
}
