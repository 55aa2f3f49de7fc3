import { CONFIG_NAMESPACE } from "../../components/config";

export const SYNTHETIC_IMAGE = "registry.example.cn/bench/app:1.0.0";

/** App key of the i-th synthetic app (1-based), zero-padded so keys sort in creation order. */
export function syntheticAppKey(i: number): string {
    return `app-${String(i).padStart(3, "0")}`;
}

/**
 * A stack config with `count` synthetic apps instead of the base stack's own: every app gets a
 * database, every 3rd SSO and every 2nd a generated secret, so each app feature scales.
 */
export function syntheticAppsConfig(base: Readonly<Record<string, unknown>>, count: number): Record<string, unknown> {
    const apps: Record<string, unknown> = {};
    for (let i = 1; i <= count; i++) {
        apps[syntheticAppKey(i)] = {
            image: SYNTHETIC_IMAGE,
            port: 8080,
            database: true,
            ...(i % 3 === 0 ? { sso: true } : {}),
            ...(i % 2 === 0 ? { generatedSecrets: ["SECRET_KEY"] } : {}),
        };
    }
    return { ...base, [`${CONFIG_NAMESPACE}:apps`]: apps };
}
