/**
 * During `pulumi preview` an input that depends on a resource not created yet is unknown, and the
 * engine's props proxy throws UnknownValueError when it is read. The pack must skip that one value
 * and still judge the rest of the resource.
 */
import { UnknownValueError } from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";
import { describe, expect, it } from "vitest";
import type { OfflineResource } from "../../policies/offline";
import { runPolicyPack } from "../../policies/offline";
import { compliantStack, policiesOf, setEnv, withChange } from "./fixture";

// The SDK's sentinels for unknown values (exported at runtime, untyped).
const sentinels = policyProxy as unknown as { unknownStringValue: string; unknownArrayValue: string; unknownBooleanValue: string };

/** Makes `obj[key]` throw UnknownValueError when read, as the engine's proxy does. */
function unknownAt(obj: object, key: string | number, path: string): void {
    Object.defineProperty(obj, key, {
        enumerable: true,
        get: () => {
            throw new UnknownValueError(sentinels.unknownStringValue, path.split("."));
        },
    });
}

describe("values unknown during preview", () => {
    it("skips an unknown env entry and still reports a weak one beside it (getter that throws)", () => {
        const stack = withChange(compliantStack(), "pyerp", (r) => {
            setEnv(r, "DB_PASSWORD", "changeme");
            const envs = [...(r.props.envs as string[]), "placeholder"];
            unknownAt(envs, envs.length - 1, "envs.6");
            r.props.envs = envs;
        });
        const violations = runPolicyPack(stack);
        expect(policiesOf(violations)).toEqual(["credentials-resource-forbid-weak-secrets"]);
        expect(violations).toHaveLength(1);
        expect(violations[0].message).toContain("envs[DB_PASSWORD]");
        expect(violations.some((v) => v.message.includes("can't run"))).toBe(false);
    });

    it("skips an unknown input and still checks the others of the resource (getter that throws)", () => {
        const stack = withChange(compliantStack(), "redis", (r) => {
            (r.props.command as string[])[2] = "redis";
            unknownAt(r.props, "image", "image");
            unknownAt(r.props, "envs", "envs");
        });
        const violations = runPolicyPack(stack);
        expect(policiesOf(violations)).toEqual(["credentials-resource-forbid-weak-secrets"]);
        expect(violations[0].message).toContain("container 'redis' command --requirepass");
    });

    it("skips the engine's own unknown sentinels, read through the SDK's proxy", () => {
        let stack: OfflineResource[] = compliantStack();
        stack = withChange(stack, "pyerp", (r) => {
            setEnv(r, "DB_PASSWORD", "changeme");
            r.props.envs = [...(r.props.envs as string[]), sentinels.unknownStringValue];
            r.props.image = sentinels.unknownStringValue;
        });
        // A whole unknown list, an unknown flag and an unknown network name in stack policies too.
        stack = withChange(stack, "outline", (r) => (r.props.envs = sentinels.unknownArrayValue));
        stack = withChange(stack, "data-network", (r) => (r.props.name = sentinels.unknownStringValue));
        stack = withChange(stack, "postgres", (r) => (r.props.networksAdvanced = [{ name: sentinels.unknownStringValue }]));
        stack = withChange(stack, "redis", (r) => (r.props.networksAdvanced = sentinels.unknownArrayValue));
        const violations = runPolicyPack(stack);
        expect(violations.map((v) => [v.policy, v.message])).toEqual([
            ["credentials-resource-forbid-weak-secrets", expect.stringContaining("container 'pyerp' envs[DB_PASSWORD]")],
        ]);
    });

    it("does not hide a known violation because another value is unknown", () => {
        const stack = withChange(compliantStack(), "postgres", (r) => {
            r.props.ports = [{ internal: 5432, external: 5432 }];
            r.props.networksAdvanced = [{ name: "nexora-dev-data" }, { name: sentinels.unknownStringValue }];
        });
        const violations = runPolicyPack(stack);
        expect(policiesOf(violations)).toEqual(["docker-container-forbid-exposed-datastore"]);
        expect(violations[0].message).toContain("publishes host port 5432");
    });

    it("fails loudly on any other error thrown while reading a value", () => {
        const stack = withChange(compliantStack(), "pyerp", (r) => {
            Object.defineProperty(r.props, "envs", {
                enumerable: true,
                get: () => {
                    throw new TypeError("boom");
                },
            });
        });
        expect(() => runPolicyPack(stack)).toThrow(/policy '.+' failed on urn:pulumi:dev::nexora::docker:index\/container:Container::pyerp: boom/);
    });
});
