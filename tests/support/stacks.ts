import * as path from "node:path";
import { PlatformSettings } from "../../components/config";
import { readStackFile, settingsOfConfig } from "../../tools/plan/evaluate";

export const ROOT = path.resolve(__dirname, "..", "..");

/** The `config:` mapping of a committed stack file. */
export function stackFileConfig(stack: string): Record<string, unknown> {
    return readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
}

/** Validated settings of a stack config mapping, the way the program sees them (secrets as placeholders). */
export function settingsOf(stack: string, config: Record<string, unknown> = stackFileConfig(stack)): PlatformSettings {
    return settingsOfConfig(stack, config);
}

/**
 * A container's name without its release id: released services (business apps, the portal) run
 * each release as `<base>-<8 hex>` (components/docker/release.ts); Caddy's route and the
 * catalog know the base.
 */
export function baseContainerName(name: string): string {
    return name.replace(/-[0-9a-f]{8}$/, "");
}
