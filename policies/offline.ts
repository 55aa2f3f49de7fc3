/**
 * Runs the pack without the Pulumi engine: builds the ResourceValidationArgs and
 * StackValidationArgs the engine's analyzer would (see @pulumi/policy's server.js), calls every
 * policy and collects what they report. Used by `npm run plan` / `npm run policy` and the tests.
 *
 * Differences from the engine, by necessity: resource policies and stack policies both see the
 * props given here (the engine gives stack policies the resources' outputs); `propertyDependencies`
 * are empty; stack tags are empty; validations must be synchronous (all of this pack's are).
 */
import type {
    EnforcementLevel,
    Policies,
    Policy,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { DEFAULT_CONFIG, validateConfig, type PolicyConfigKey, type PolicyPackConfigValues } from "./lib/config";
import { TYPES } from "./lib/resources";
import { unknownCheckingProxy } from "./lib/sdk-proxy";
import { isUnknownValueError } from "./lib/unknown";
import { allPolicies, POLICY_PACK_NAME } from "./policy-list";

export { allPolicies, DEFAULT_CONFIG, POLICY_PACK_NAME };
export type { PolicyPackConfigValues };

/** A resource as the offline plan knows it: plain resolved inputs, secrets in plaintext. */
export interface OfflineResource {
    urn: string;
    type: string;
    name: string;
    props: Record<string, unknown>;
    protect: boolean;
    /** URN of the parent resource. */
    parent?: string;
    /** URN of the provider resource, or a provider reference "<urn>::<id>". */
    provider?: string;
    /** URNs of the resources this one depends on. */
    dependencies?: string[];
}

/** One reported violation. `message` names the resource and the input, never a credential value. */
export interface Violation {
    policy: string;
    urn: string;
    level: "mandatory" | "advisory";
    message: string;
}

/** Thrown by `notApplicable()`; the engine records these as "not applicable", not as violations. */
class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicableError(reason);
}

// Same test as the SDK's isTypeOf: the class's registered type token, else its isInstance check.
function isTypeOf(type: string, resourceClass: unknown): boolean {
    const pulumiType = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
    if (typeof pulumiType === "string" && pulumiType.length > 0) {
        return type === pulumiType;
    }
    const isInstance = (resourceClass as { isInstance?: unknown }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function isResourcePolicy(p: Policy): p is ResourceValidationPolicy {
    const v = (p as ResourceValidationPolicy).validateResource;
    return typeof v === "function" || Array.isArray(v);
}

function isStackPolicy(p: Policy): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

/** The level a policy runs at: the configured override, else its own, else the SDK's pack default (advisory). */
function levelOf(policy: Policy, config: PolicyPackConfigValues): EnforcementLevel {
    return config.enforcementLevels[policy.name] ?? policy.enforcementLevel ?? "advisory";
}

/** What `getConfig()` returns: the schema defaults with the caller's values on top, as the engine reconciles them. */
function policyConfig(policy: Policy, config: PolicyPackConfigValues): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        const given = config[key as PolicyConfigKey];
        const fallback = typeof schema === "object" ? schema.default : undefined;
        if (given !== undefined || fallback !== undefined) {
            out[key] = given ?? fallback;
        }
    }
    return out;
}

function resourceOptions(r: OfflineResource): PolicyResourceOptions {
    const opts: PolicyResourceOptions = {
        protect: r.protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
    // The engine sets parent only when there is one.
    if (r.parent !== undefined && r.parent !== "") {
        opts.parent = r.parent;
    }
    return opts;
}

function providerOf(r: OfflineResource, byUrn: ReadonlyMap<string, OfflineResource>): PolicyProviderResource | undefined {
    if (r.provider === undefined || r.provider === "") {
        return undefined;
    }
    // A provider reference is "<provider urn>::<provider id>".
    const provider = byUrn.get(r.provider) ?? byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::")));
    return provider === undefined ? undefined : { type: provider.type, props: unknownCheckingProxy(provider.props), urn: provider.urn, name: provider.name };
}

function levelForReport(level: EnforcementLevel): Violation["level"] {
    // A remediation that still violates is reported as mandatory by the engine.
    return level === "advisory" ? "advisory" : "mandatory";
}

/**
 * Calls one validation like the engine does: not-applicable is silent, an unknown value read
 * outside the policy's own guards becomes an advisory "can't run during preview", anything else fails the run.
 */
function invoke(policy: Policy, urn: string, call: () => unknown, violations: Violation[]): void {
    try {
        const result = call();
        if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
            throw new Error("asynchronous validations are not supported offline");
        }
    } catch (err) {
        if (err instanceof NotApplicableError) {
            return;
        }
        const message = err instanceof Error ? err.message : String(err);
        if (isUnknownValueError(err)) {
            violations.push({
                policy: policy.name,
                urn,
                level: "advisory",
                message: `can't run policy '${policy.name}' from policy pack '${POLICY_PACK_NAME}' during preview: ${message}`,
            });
            return;
        }
        throw new Error(`policy '${policy.name}' failed on ${urn === "" ? "the stack" : urn}: ${message}`, { cause: err });
    }
}

/** The stack's resources as a StackValidationArgs resource list, parents and dependencies linked. */
function policyResources(resources: readonly OfflineResource[], byUrn: ReadonlyMap<string, OfflineResource>): PolicyResource[] {
    const built = new Map<string, PolicyResource>();
    const list = resources.map((r) => {
        const props = unknownCheckingProxy(r.props);
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: resourceOptions(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (resourceClass) => isTypeOf(r.type, resourceClass),
            asType: (resourceClass) => (isTypeOf(r.type, resourceClass) ? (props as never) : undefined),
        };
        const provider = providerOf(r, byUrn);
        if (provider !== undefined) {
            resource.provider = provider;
        }
        built.set(r.urn, resource);
        return resource;
    });
    resources.forEach((r, i) => {
        const parent = r.parent !== undefined ? built.get(r.parent) : undefined;
        if (parent !== undefined) {
            list[i].parent = parent;
        }
        list[i].dependencies = (r.dependencies ?? []).map((d) => built.get(d)).filter((d): d is PolicyResource => d !== undefined);
    });
    return list;
}

/** The validation arguments of one offline run, built as the engine's analyzer builds them. */
export interface OfflineRun {
    /** The pack config in effect: DEFAULT_CONFIG with the caller's values on top. */
    readonly config: PolicyPackConfigValues;
    /** What a resource policy receives for `resource`. Props are wrapped in the SDK's unknown-checking proxy. */
    resourceArgs(resource: OfflineResource, policy: Policy): ResourceValidationArgs;
    /** What a stack policy receives: every resource, parents and dependencies linked. */
    stackArgs(policy: Policy): StackValidationArgs;
}

/** Validates `config` and prepares the arguments builders for `resources`. */
export function prepareRun(resources: readonly OfflineResource[], config?: Partial<PolicyPackConfigValues>): OfflineRun {
    const given = config ?? {};
    validateConfig(given);
    const effective: PolicyPackConfigValues = {
        ...DEFAULT_CONFIG,
        ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
    };
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const stackTags: ReadonlyMap<string, string> = new Map();
    return {
        config: effective,
        resourceArgs: (r, policy) => {
            // A fresh proxy per validation, as the engine deserializes the props for each one.
            const props = unknownCheckingProxy(r.props);
            const args: ResourceValidationArgs = {
                type: r.type,
                props,
                urn: r.urn,
                name: r.name,
                opts: resourceOptions(r),
                stackTags,
                isType: (resourceClass) => isTypeOf(r.type, resourceClass),
                asType: (resourceClass) => (isTypeOf(r.type, resourceClass) ? (props as never) : undefined),
                getConfig: <T extends object>() => policyConfig(policy, effective) as T,
                notApplicable: throwNotApplicable,
            };
            const provider = providerOf(r, byUrn);
            if (provider !== undefined) {
                args.provider = provider;
            }
            return args;
        },
        stackArgs: (policy) => ({
            resources: policyResources(resources, byUrn),
            stackTags,
            getConfig: <T extends object>() => policyConfig(policy, effective) as T,
            notApplicable: throwNotApplicable,
        }),
    };
}

/**
 * Applies every policy of the pack to `resources` and returns the violations in a stable order:
 * for each resource in the order given, each resource policy in `allPolicies` order; then each
 * stack policy in order. `config` overrides the pack defaults (see DEFAULT_CONFIG).
 */
export function runPolicyPack(resources: OfflineResource[], config?: Partial<PolicyPackConfigValues>): Violation[] {
    return runPolicies(allPolicies, resources, config);
}

/** `runPolicyPack` for any list of policies (the runner's own tests use made-up ones). */
export function runPolicies(policies: Policies, resources: readonly OfflineResource[], config?: Partial<PolicyPackConfigValues>): Violation[] {
    const run = prepareRun(resources, config);
    const violations: Violation[] = [];

    for (const r of resources) {
        for (const policy of policies) {
            const level = levelOf(policy, run.config);
            if (level === "disabled" || !isResourcePolicy(policy) || policy.validateResource === undefined) {
                continue;
            }
            const validations: ResourceValidation[] = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
            const report: ReportViolation = (message) => {
                // As in the engine, a resource policy's violation is always about the resource validated.
                violations.push({ policy: policy.name, urn: r.urn, level: levelForReport(level), message });
            };
            for (const validation of validations) {
                const args = run.resourceArgs(r, policy);
                invoke(policy, r.urn, () => validation(args, report), violations);
            }
        }
    }

    const stackUrn = resources.find((r) => r.type === TYPES.stack)?.urn ?? "";
    for (const policy of policies) {
        const level = levelOf(policy, run.config);
        if (level === "disabled" || !isStackPolicy(policy)) {
            continue;
        }
        const report: ReportViolation = (message, urn) => {
            violations.push({ policy: policy.name, urn: urn ?? stackUrn, level: levelForReport(level), message });
        };
        const args = run.stackArgs(policy);
        invoke(policy, stackUrn, () => policy.validateStack(args, report), violations);
    }
    return violations;
}

/**
 * The same settings as a `--policy-pack-config` file for the real CLI: per policy, its
 * enforcement level override and the config keys its schema declares.
 */
export function policyPackConfigFile(config: Partial<PolicyPackConfigValues> = {}): Record<string, Record<string, unknown>> {
    validateConfig(config);
    const out: Record<string, Record<string, unknown>> = {};
    for (const policy of allPolicies) {
        const entry: Record<string, unknown> = {};
        const level = config.enforcementLevels?.[policy.name];
        if (level !== undefined) {
            entry.enforcementLevel = level;
        }
        for (const key of Object.keys(policy.configSchema?.properties ?? {})) {
            const value = config[key as PolicyConfigKey];
            if (value !== undefined) {
                entry[key] = value;
            }
        }
        if (Object.keys(entry).length > 0) {
            out[policy.name] = entry;
        }
    }
    return out;
}
