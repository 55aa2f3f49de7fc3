/** The pack as the Pulumi CLI loads it: metadata files, pinned dependencies, policy list. */
import { readFileSync, existsSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { allPolicies, POLICY_PACK_NAME } from "../../policies/offline";

const root = path.resolve(__dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

describe("policy pack layout", () => {
    it("has a PulumiPolicy.yaml for the nodejs runtime with a description", () => {
        const meta = parse(read("policies/PulumiPolicy.yaml")) as Record<string, unknown>;
        expect(meta.runtime).toBe("nodejs");
        expect(typeof meta.description).toBe("string");
    });

    it("pins its dependencies to the versions the root project is tested with", () => {
        const pack = JSON.parse(read("policies/package.json"));
        const rootPkg = JSON.parse(read("package.json"));
        const rootVersions = { ...rootPkg.dependencies, ...rootPkg.devDependencies };
        expect(pack.name).toBe("nexora-policies");
        expect(pack.private).toBe(true);
        // PolicyPack reads the version from package.json at start-up and refuses to run without one.
        expect(pack.version).toMatch(/^\d+\.\d+\.\d+$/);
        for (const dep of ["@pulumi/policy", "@pulumi/pulumi", "@zxcvbn-ts/core", "@zxcvbn-ts/language-common"]) {
            expect(pack.dependencies[dep], dep).toBe(rootVersions[dep]);
        }
    });

    it("constructs the pack only in index.ts, from the shared list", () => {
        const index = read("policies/index.ts");
        expect(index).toMatch(/new PolicyPack\(POLICY_PACK_NAME, \{ policies: allPolicies \}\)/);
        expect(POLICY_PACK_NAME).toBe("nexora-credentials");
        expect(read("policies/offline.ts")).not.toMatch(/new PolicyPack|from "\.\/index"/);
    });

    it("names policies <area>-<resource>-<verb>-<noun>, uniquely, with a spec each", () => {
        const names = allPolicies.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        for (const policy of allPolicies) {
            expect(policy.name).toMatch(/^[a-z]+-[a-z]+-[a-z]+-[a-z]+(-[a-z]+)*$/);
            expect(policy.name).not.toBe("all");
            expect(policy.description.length).toBeGreaterThan(20);
            expect(["mandatory", "advisory"]).toContain(policy.enforcementLevel);
            expect(existsSync(path.join(root, "tests/policies", `${policy.name}.test.ts`)), `spec for ${policy.name}`).toBe(true);
            expect(existsSync(path.join(root, "policies/rules", `${policy.name}.ts`)), `module for ${policy.name}`).toBe(true);
        }
    });

    it("keeps exactly one advisory policy: plaintext literals", () => {
        expect(allPolicies.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name)).toEqual(["credentials-resource-flag-plaintext-literals"]);
    });
});
