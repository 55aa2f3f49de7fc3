/**
 * The pack's configurable thresholds: one default per key, used both for the policies'
 * `configSchema` (the engine fills schema defaults in before calling a policy) and for the
 * `??` fallbacks in the policies themselves (so a policy behaves the same when called without them).
 */
import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";

/** Every config key of the pack, flat. In the engine each key belongs to the policies that declare it. */
export interface PolicyPackConfigValues {
    /** Lowest zxcvbn score (0–4) a credential may have. @default 3 */
    readonly minScore: number;
    /** Shortest credential accepted, in characters (NIST SP 800-63B: 15 for single-factor secrets). @default 15 */
    readonly minLength: number;
    /** Extra values rejected as a whole, case-insensitively, on top of the vendor-default list. @default [] */
    readonly additionalDenylist: readonly string[];
    /** Shortest `RandomPassword.length` accepted. @default 24 */
    readonly minGeneratedLength: number;
    /** `nexora.service` label values allowed to mount the Docker socket. @default ["portainer", "gitlab-runner", "backup", "healer"] */
    readonly dockerSocketAllowed: readonly string[];
    /** Accept `http://localhost` / `http://127.0.0.1` OAuth redirect URLs. @default false */
    readonly allowLoopbackHttpRedirect: boolean;
    /** Logical names of GitLab projects (`product-<key>`) allowed to be public in a prod stack. @default [] */
    readonly publicProjects: readonly string[];
    /** Per-policy enforcement level override, as `"<policy>": "advisory"` in a policy config file. @default {} */
    readonly enforcementLevels: Readonly<Record<string, EnforcementLevel>>;
}

export const DEFAULT_CONFIG: PolicyPackConfigValues = Object.freeze({
    minScore: 3,
    minLength: 15,
    additionalDenylist: Object.freeze([]) as readonly string[],
    minGeneratedLength: 24,
    dockerSocketAllowed: Object.freeze(["portainer", "gitlab-runner", "backup", "healer"]) as readonly string[],
    allowLoopbackHttpRedirect: false,
    publicProjects: Object.freeze([]) as readonly string[],
    enforcementLevels: Object.freeze({}),
});

/** The keys a policy can declare in its configSchema (enforcement levels are the engine's own). */
export type PolicyConfigKey = Exclude<keyof PolicyPackConfigValues, "enforcementLevels">;

const SCHEMAS: Record<PolicyConfigKey, PolicyConfigSchema["properties"][string]> = {
    minScore: {
        type: "integer",
        minimum: 0,
        maximum: 4,
        default: DEFAULT_CONFIG.minScore,
        description: "Lowest zxcvbn score (0-4) a credential may have.",
    },
    minLength: {
        type: "integer",
        minimum: 1,
        default: DEFAULT_CONFIG.minLength,
        description: "Shortest credential accepted, in characters (NIST SP 800-63B).",
    },
    additionalDenylist: {
        type: "array",
        items: { type: "string" },
        default: [...DEFAULT_CONFIG.additionalDenylist],
        description: "Extra values rejected as a whole, case-insensitively.",
    },
    minGeneratedLength: {
        type: "integer",
        minimum: 1,
        default: DEFAULT_CONFIG.minGeneratedLength,
        description: "Shortest RandomPassword length accepted.",
    },
    dockerSocketAllowed: {
        type: "array",
        items: { type: "string" },
        default: [...DEFAULT_CONFIG.dockerSocketAllowed],
        description: "nexora.service label values allowed to mount the Docker socket.",
    },
    allowLoopbackHttpRedirect: {
        type: "boolean",
        default: DEFAULT_CONFIG.allowLoopbackHttpRedirect,
        description: "Accept http://localhost and http://127.0.0.1 OAuth redirect URLs.",
    },
    publicProjects: {
        type: "array",
        items: { type: "string" },
        default: [...DEFAULT_CONFIG.publicProjects],
        description: "Logical names of GitLab projects (product-<key>) allowed to be public in a prod stack.",
    },
};

/** A policy's configSchema declaring exactly `keys`, with the pack defaults. */
export function configSchemaFor(...keys: PolicyConfigKey[]): PolicyConfigSchema {
    const properties: PolicyConfigSchema["properties"] = {};
    for (const key of keys) {
        properties[key] = SCHEMAS[key];
    }
    return { properties };
}

/** Config as a policy reads it: what the engine passed, falling back to the pack defaults. */
export function effectiveConfig(given: Partial<Record<PolicyConfigKey, unknown>>): Omit<PolicyPackConfigValues, "enforcementLevels"> {
    return {
        minScore: typeof given.minScore === "number" ? given.minScore : DEFAULT_CONFIG.minScore,
        minLength: typeof given.minLength === "number" ? given.minLength : DEFAULT_CONFIG.minLength,
        additionalDenylist: stringArray(given.additionalDenylist) ?? DEFAULT_CONFIG.additionalDenylist,
        minGeneratedLength: typeof given.minGeneratedLength === "number" ? given.minGeneratedLength : DEFAULT_CONFIG.minGeneratedLength,
        dockerSocketAllowed: stringArray(given.dockerSocketAllowed) ?? DEFAULT_CONFIG.dockerSocketAllowed,
        allowLoopbackHttpRedirect:
            typeof given.allowLoopbackHttpRedirect === "boolean" ? given.allowLoopbackHttpRedirect : DEFAULT_CONFIG.allowLoopbackHttpRedirect,
        publicProjects: stringArray(given.publicProjects) ?? DEFAULT_CONFIG.publicProjects,
    };
}

function stringArray(value: unknown): readonly string[] | undefined {
    return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
}

/**
 * Checks a caller-supplied partial config (the offline runner's equivalent of the engine's schema
 * validation) and fails naming the key and the expected form.
 */
export function validateConfig(config: Partial<PolicyPackConfigValues>): void {
    const integer = (key: PolicyConfigKey, min: number, max = Number.MAX_SAFE_INTEGER): void => {
        const value = config[key];
        if (value !== undefined && (!Number.isInteger(value) || (value as number) < min || (value as number) > max)) {
            throw new Error(`policy config ${key}: expected an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}`);
        }
    };
    integer("minScore", 0, 4);
    integer("minLength", 1);
    integer("minGeneratedLength", 1);
    for (const key of ["additionalDenylist", "dockerSocketAllowed", "publicProjects"] as const) {
        const value = config[key];
        if (value !== undefined && stringArray(value) === undefined) {
            throw new Error(`policy config ${key}: expected an array of strings`);
        }
    }
    if (config.allowLoopbackHttpRedirect !== undefined && typeof config.allowLoopbackHttpRedirect !== "boolean") {
        throw new Error("policy config allowLoopbackHttpRedirect: expected true or false");
    }
    const levels: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];
    for (const [policy, level] of Object.entries(config.enforcementLevels ?? {})) {
        if (!levels.includes(level)) {
            throw new Error(`policy config enforcementLevels.${policy}: expected one of ${levels.join(", ")}`);
        }
    }
}
