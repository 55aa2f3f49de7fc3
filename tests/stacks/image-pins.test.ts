import { describe, expect, it } from "vitest";
import { DEFAULT_IMAGES } from "../../components/images";
import { evaluateStack } from "../../tools/plan/evaluate";
import { stackFileConfig } from "../support/stacks";

const COMMAND = "command:local:Command";

describe("the curl image that drives Portainer's API", () => {
    it("is pinned in the image list, so config validation and overrides reach it", () => {
        expect(DEFAULT_IMAGES.portainerApiClient).toMatch(/^curlimages\/curl:\d+\.\d+\.\d+$/);
    });

    it("is the one nexora:images.portainerApiClient names", async () => {
        const override = "registry.example.com/mirror/curl:8.99.1";
        const config = { ...stackFileConfig("staging"), "nexora:images": { portainerApiClient: override } };
        const plan = await evaluateStack({ stack: "staging", config });
        const apply = plan.resources.find((r) => r.type === COMMAND && r.name === "identity-portainer-oauth-apply");
        expect(apply).toBeDefined();
        expect(apply!.plainInputs.create).toContain(` ${override} -c `);
        expect(apply!.plainInputs.delete).toContain(` ${override} -c `);
    });

    it("is refused unpinned, like every other image", async () => {
        const config = { ...stackFileConfig("staging"), "nexora:images": { portainerApiClient: "curlimages/curl:latest" } };
        await expect(evaluateStack({ stack: "staging", config })).rejects.toThrow(/nexora:images\.portainerApiClient: expected a pinned tag/);
    });
});
