import { describe, expect, it } from "vitest";
import { runPolicyPack } from "../../policies/offline";
import { compliantStack, policiesOf, withChange } from "./fixture";

const POLICY = "docker-volume-require-protect";
const base = compliantStack();

describe(POLICY, () => {
    it("passes the compliant stack", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it("catches a volume without protect", () => {
        const stack = withChange(base, "postgres-data", (r) => (r.protect = false));
        const violations = runPolicyPack(stack);
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations).toEqual([
            {
                policy: POLICY,
                urn: "urn:pulumi:dev::nexora::docker:index/volume:Volume::postgres-data",
                level: "mandatory",
                message: "volume 'postgres-data' is not protected.",
            },
        ]);
    });

    it("can be lowered to advisory through the config (e.g. for a throw-away laptop stack)", () => {
        const stack = withChange(base, "postgres-data", (r) => (r.protect = false));
        const violations = runPolicyPack(stack, { enforcementLevels: { [POLICY]: "advisory" } });
        expect(violations.map((v) => v.level)).toEqual(["advisory"]);
    });
});
