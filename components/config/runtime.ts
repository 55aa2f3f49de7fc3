// The program's single reader of the Pulumi runtime's config (and of sibling stack files, for name collisions).
import { parse as parseYaml } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { nullProtoMap } from "../validators";
import { parseSettings, toPlatformConfig } from "./parse";
import { CONFIG_NAMESPACE, type PlatformConfig } from "./types";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Whether the runtime stores a config key as a secret: `isConfigSecret` is internal to @pulumi/pulumi 3.x, so it is feature-tested. */
function runtimeIsSecret(fullKey: string): boolean | undefined {
    const fn = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    return typeof fn === "function" ? fn(fullKey) : undefined;
}

/** The project's other stack files in the working directory, with their app keys (for the Docker-name collision check). */
export function readSiblingStacks(dir: string, project: string): { stack: string; appKeys: string[] }[] {
    const out: { stack: string; appKeys: string[] }[] = [];
    let files: string[] = [];
    try {
        files = readdirSync(dir).filter((f) => /^Pulumi\.[a-z][a-z0-9-]*\.yaml$/.test(f));
    } catch {
        return out;
    }
    for (const file of files) {
        try {
            const doc = parseYaml(readFileSync(join(dir, file), "utf8")) as { config?: Record<string, unknown> } | null;
            const apps = doc?.config?.[`${CONFIG_NAMESPACE}:apps`];
            out.push({ stack: file.slice("Pulumi.".length, -".yaml".length), appKeys: apps && typeof apps === "object" ? Object.keys(apps) : [] });
        } catch {
            // A sibling's broken file is that stack's problem, reported when it is planned.
        }
    }
    return out.filter((s) => s.stack !== project);
}

/** Reads this stack's `nexora:*` config from the Pulumi runtime. The program's single config entry. */
export function readPlatformConfig(): PlatformConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const entries: [string, string][] = [];
    const otherKeys: string[] = [];
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) entries.push([key.slice(prefix.length), value]);
        else otherKeys.push(key);
    }
    const stack = pulumi.getStack();
    const { settings, secretValues } = parseSettings(nullProtoMap(entries), {
        project: pulumi.getProject(),
        stack,
        isSecret: runtimeIsSecret,
        otherKeys,
        siblingStacks: readSiblingStacks(process.cwd(), pulumi.getProject()).filter((s) => s.stack !== stack),
    });
    return toPlatformConfig(settings, secretValues);
}
