import * as path from "node:path";
import { CONFIG_NAMESPACE, parseSettings, PlatformSettings } from "../../components/config";
import { readStackFile, toEngineConfig } from "../../tools/plan/evaluate";

export const ROOT = path.resolve(__dirname, "..", "..");

/** The `config:` mapping of a committed stack file. */
export function stackFileConfig(stack: string): Record<string, unknown> {
    return readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
}

/** Validated settings of a stack config mapping, the way the program sees them (secrets as placeholders). */
export function settingsOf(stack: string, config: Record<string, unknown> = stackFileConfig(stack)): PlatformSettings {
    const { values } = toEngineConfig(stack, config);
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw = Object.fromEntries(
        Object.entries(values)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
    return parseSettings(raw, { project: "nexora", stack }).settings;
}

/**
 * A container's name without its release id: released services (business apps, the portal) run
 * each release as `<base>-<8 hex>` (components/docker/release.ts); Caddy's route and the
 * catalog know the base.
 */
export function baseContainerName(name: string): string {
    return name.replace(/-[0-9a-f]{8}$/, "");
}
