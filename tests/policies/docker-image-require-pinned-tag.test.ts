import { describe, expect, it } from "vitest";
import { runPolicyPack } from "../../policies/offline";
import { unpinnedReason } from "../../policies/rules/docker-image-require-pinned-tag";
import { compliantStack, policiesOf, withChange } from "./fixture";

const POLICY = "docker-image-require-pinned-tag";
const base = compliantStack();

describe(POLICY, () => {
    it("passes the compliant stack", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it.each([
        ["a container image without a tag", "postgres", "image", "postgres", "has no tag"],
        ["a container image on latest", "outline", "image", "outlinewiki/outline:latest", "uses the 'latest' tag"],
        ["a registry with a port and no tag", "pyerp", "image", "registry.nexora.restry.cn:5000/apps/pyerp", "has no tag"],
        ["a RemoteImage on latest", "postgres-image", "name", "postgres:LATEST", "uses the 'latest' tag"],
    ])("catches %s", (_title, name, input, image, fragment) => {
        const violations = runPolicyPack(withChange(base, name, (r) => (r.props[input] = image)));
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations).toHaveLength(1);
        expect(violations[0].message).toContain(`${input} '${image}' ${fragment}`);
    });

    it.each([
        "postgres:16.6-bookworm",
        "registry.nexora.restry.cn:5000/apps/pyerp:1.8.2",
        `postgres@sha256:${"a".repeat(64)}`,
        `postgres:latest@sha256:${"a".repeat(64)}`,
        `sha256:${"0f".repeat(32)}`,
        "0f".repeat(32),
        "louislam/uptime-kuma:2",
    ])("accepts %s", (image) => {
        expect(unpinnedReason(image)).toBeUndefined();
        expect(runPolicyPack(withChange(base, "pyerp", (r) => (r.props.image = image))).filter((v) => v.policy === POLICY)).toEqual([]);
    });
});
