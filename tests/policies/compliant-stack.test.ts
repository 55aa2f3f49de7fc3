import { describe, expect, it } from "vitest";
import { allPolicies, runPolicyPack } from "../../policies/offline";
import { compliantStack } from "./fixture";

describe("the compliant fixture", () => {
    it("passes every policy of the pack, advisory ones included", () => {
        expect(runPolicyPack(compliantStack())).toEqual([]);
    });

    it("exercises every policy's resource types (so a pass is not vacuous)", () => {
        const types = new Set(compliantStack().map((r) => r.type));
        for (const type of [
            "docker:index/container:Container",
            "docker:index/network:Network",
            "docker:index/volume:Volume",
            "docker:index/remoteImage:RemoteImage",
            "random:index/randomPassword:RandomPassword",
            "random:index/randomString:RandomString",
            "gitlab:index/application:Application",
            "command:local:Command",
            "pulumi:providers:gitlab",
            "pulumi:providers:cloudflare",
        ]) {
            expect(types).toContain(type);
        }
        expect(allPolicies.length).toBeGreaterThanOrEqual(11);
    });
});
