/**
 * The offline runner stands in for the engine's analyzer: these specs pin the arguments it builds
 * and the way it turns policy outcomes into violations, with made-up policies.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { isUnknownValueError } from "../../policies/lib/unknown";
import * as policyProxy from "@pulumi/policy/proxy";
import { describe, expect, it } from "vitest";
import { allPolicies, DEFAULT_CONFIG, policyPackConfigFile, prepareRun, runPolicies, runPolicyPack, type OfflineResource } from "../../policies/offline";
import { compliantStack, setEnv, urn, withChange } from "./fixture";

/**
 * What `read` throws. Compared by the pack's own predicate, not by class identity: after
 * `cd policies && npm ci` the pack loads its own copy of @pulumi/policy, whose class is another object.
 */
function thrownBy(read: () => unknown): unknown {
    try {
        read();
    } catch (err) {
        return err;
    }
    return undefined;
}

const sentinels = policyProxy as unknown as { unknownStringValue: string };

const CONTAINER = "docker:index/container:Container";
// A class shaped like a provider SDK resource class, for isType/asType.
class FakeContainer {
    static __pulumiType = CONTAINER;
}
class FakeByIsInstance {
    static isInstance(obj: unknown): boolean {
        return (obj as { __pulumiType?: string }).__pulumiType === "gitlab:index/application:Application";
    }
}

const parent: OfflineResource = {
    urn: urn("nexora:platform:Platform", "platform"),
    type: "nexora:platform:Platform",
    name: "platform",
    props: {},
    protect: false,
};
const provider: OfflineResource = {
    urn: urn("pulumi:providers:docker", "docker"),
    type: "pulumi:providers:docker",
    name: "docker",
    props: { host: "ssh://deploy@claw-bot" },
    protect: false,
};
const app: OfflineResource = {
    urn: urn(CONTAINER, "app", "nexora:platform:Platform"),
    type: CONTAINER,
    name: "app",
    props: { image: "app:1.0", envs: ["A=1"], later: sentinels.unknownStringValue },
    protect: true,
    parent: parent.urn,
    provider: `${provider.urn}::04da6b54-provider-id`,
    dependencies: [provider.urn, parent.urn, "urn:pulumi:dev::nexora::x:y:Z::not-in-stack"],
};
const resources = [parent, provider, app];

const probe: ResourceValidationPolicy = {
    name: "test-resource-probe",
    description: "probe",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minScore: { type: "integer", default: 3 }, other: { type: "string", default: "x" } } },
    validateResource: () => undefined,
};

describe("resource validation args", () => {
    const args = prepareRun(resources, { minScore: 4 }).resourceArgs(app, probe);

    it("carry the resource's type, name, urn, props and options as the engine sets them", () => {
        expect(args).toMatchObject({ type: CONTAINER, name: "app", urn: app.urn });
        expect(args.props.image).toBe("app:1.0");
        expect(args.opts).toEqual({
            protect: true,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
            parent: parent.urn,
        });
        expect(args.stackTags.size).toBe(0);
    });

    it("wrap props in the SDK's unknown-checking proxy", () => {
        expect(thrownBy(() => args.props.later)).toSatisfy(isUnknownValueError);
    });

    it("resolve a provider reference '<urn>::<id>' to the provider resource", () => {
        expect(args.provider).toMatchObject({ type: "pulumi:providers:docker", urn: provider.urn, name: "docker" });
        expect(args.provider?.props.host).toBe("ssh://deploy@claw-bot");
    });

    it("answer isType/asType from the class's type token or isInstance", () => {
        expect(args.isType(FakeContainer as never)).toBe(true);
        expect(args.isType(FakeByIsInstance as never)).toBe(false);
        expect(args.asType(FakeContainer as never)).toBe(args.props);
        expect(args.asType(FakeByIsInstance as never)).toBeUndefined();
    });

    it("return the schema defaults with the caller's config on top from getConfig", () => {
        expect(args.getConfig()).toEqual({ minScore: 4, other: "x" });
    });

    it("throw from notApplicable, which the runner treats as no violation", () => {
        expect(() => args.notApplicable("n/a")).toThrow("n/a");
        const policy = { ...probe, validateResource: () => args.notApplicable() } as ResourceValidationPolicy;
        expect(runPolicies([policy], resources)).toEqual([]);
    });
});

describe("stack validation args", () => {
    const stackProbe: StackValidationPolicy = { name: "test-stack-probe", description: "probe", validateStack: () => undefined };
    const args = prepareRun(resources).stackArgs(stackProbe);
    const appResource = args.resources.find((r) => r.name === "app");

    it("list every resource with options, parent and dependencies linked as objects", () => {
        expect(args.resources.map((r) => r.name)).toEqual(["platform", "docker", "app"]);
        expect(appResource?.parent).toBe(args.resources[0]);
        // Dependencies outside the stack are dropped, as the engine does.
        expect(appResource?.dependencies).toEqual([args.resources[1], args.resources[0]]);
        expect(appResource?.propertyDependencies).toEqual({});
        expect(appResource?.opts.protect).toBe(true);
        expect(appResource?.provider?.urn).toBe(provider.urn);
        expect(appResource?.isType(FakeContainer as never)).toBe(true);
        expect(thrownBy(() => appResource?.props.later)).toSatisfy(isUnknownValueError);
    });
});

describe("runPolicies", () => {
    const reporting = (name: string, level: "mandatory" | "advisory" | undefined, message: string): ResourceValidationPolicy => ({
        name,
        description: name,
        enforcementLevel: level,
        validateResource: (_args, report) => report(message),
    });

    it("orders violations by resource, then policy, then stack policies", () => {
        const stackPolicy: StackValidationPolicy = {
            name: "s",
            description: "s",
            enforcementLevel: "mandatory",
            validateStack: (args, report) => {
                report("about app", args.resources[2].urn);
                report("about the stack");
            },
        };
        const violations = runPolicies([stackPolicy, reporting("a", "mandatory", "A"), reporting("b", undefined, "B")], resources);
        expect(violations.map((v) => `${v.policy}:${v.urn.split("::").pop()}:${v.level}:${v.message}`)).toEqual([
            "a:platform:mandatory:A",
            "b:platform:advisory:B",
            "a:docker:mandatory:A",
            "b:docker:advisory:B",
            "a:app:mandatory:A",
            "b:app:advisory:B",
            "s:app:mandatory:about app",
            "s::mandatory:about the stack",
        ]);
    });

    it("reports an unguarded unknown read as the engine does: advisory 'can't run during preview'", () => {
        const unguarded: ResourceValidationPolicy = {
            ...probe,
            validateResource: (args) => void String(args.props.later),
        };
        expect(runPolicies([unguarded], [app])).toEqual([
            {
                policy: "test-resource-probe",
                urn: app.urn,
                level: "advisory",
                message: expect.stringMatching(
                    /^can't run policy 'test-resource-probe' from policy pack 'nexora-credentials' during preview: string value at \.later/,
                ),
            },
        ]);
    });

    it("applies enforcement level overrides, disabled included", () => {
        const policy = reporting("p", "mandatory", "M");
        expect(runPolicies([policy], [app], { enforcementLevels: { p: "advisory" } }).map((v) => v.level)).toEqual(["advisory"]);
        expect(runPolicies([policy], [app], { enforcementLevels: { p: "disabled" } })).toEqual([]);
        expect(runPolicies([policy], [app], { enforcementLevels: { p: "remediate" } }).map((v) => v.level)).toEqual(["mandatory"]);
    });

    it("refuses asynchronous validations rather than dropping their result", () => {
        const asyncPolicy: ResourceValidationPolicy = { ...probe, validateResource: async () => undefined };
        expect(() => runPolicies([asyncPolicy], [app])).toThrow(/asynchronous validations are not supported offline/);
    });

    it("rejects malformed config naming the key", () => {
        expect(() => runPolicyPack([], { minScore: 7 })).toThrow(/minScore: expected an integer from 0 to 4/);
        expect(() => runPolicyPack([], { dockerSocketAllowed: "portainer" as never })).toThrow(/dockerSocketAllowed/);
        expect(() => runPolicyPack([], { enforcementLevels: { x: "warn" as never } })).toThrow(/enforcementLevels\.x/);
    });
});

describe("runPolicyPack", () => {
    it("is deterministic: the same stack gives the same violations in the same order", () => {
        const stack = withChange(compliantStack(), "pyerp", (r) => {
            setEnv(r, "DB_PASSWORD", "changeme");
            r.props.image = "pyerp";
        });
        const first = runPolicyPack(stack);
        expect(first.map((v) => v.policy)).toEqual(["credentials-resource-forbid-weak-secrets", "docker-image-require-pinned-tag"]);
        expect(runPolicyPack(structuredClone(stack))).toEqual(first);
    });

    it("exposes the config defaults docs/policy-pack.md documents", () => {
        expect(DEFAULT_CONFIG).toEqual({
            minScore: 3,
            minLength: 15,
            additionalDenylist: [],
            minGeneratedLength: 24,
            dockerSocketAllowed: ["portainer", "gitlab-runner", "backup", "healer"],
            allowLoopbackHttpRedirect: false,
            publicProjects: [],
            enforcementLevels: {},
        });
    });

    it("translates flat config into a --policy-pack-config file keyed by the policies that declare each key", () => {
        expect(
            policyPackConfigFile({ minLength: 20, dockerSocketAllowed: ["portainer"], enforcementLevels: { "docker-volume-require-protect": "advisory" } }),
        ).toEqual({
            "credentials-resource-forbid-weak-secrets": { minLength: 20 },
            "docker-volume-require-protect": { enforcementLevel: "advisory" },
            "docker-container-restrict-docker-socket": { dockerSocketAllowed: ["portainer"] },
        });
        expect(allPolicies.every((p) => !("enforcementLevel" in (p.configSchema?.properties ?? {})))).toBe(true);
    });
});
