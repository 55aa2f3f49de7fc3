import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { Caddy, CADDY_RELOAD_SCRIPT, type CaddyArgs } from "../../components/edge/caddy";
import { shellQuote } from "../../components/validators";
import { isSecretOutput, type MockRecorder, outputOf, setupMocks } from "../support/mocks";
import { DOCKER_HOST, EDGE_NETWORK, inventoryOf, ownerLabelsFor, T, urnOf, testHost } from "./support";

const IMAGE = "caddy:2.8.4-alpine";
const BASIC_AUTH_HASH = "$2a$14$edgeAdminBcryptHashForTheCaddyfile0123456789abcdefghij";
const CADDYFILE_ONE = `staging-gitlab.nexora.restry.cn {\n\treverse_proxy nexora-staging-gitlab:80\n}\nstaging-portainer.nexora.restry.cn {\n\tbasic_auth {\n\t\tnexora-admin ${BASIC_AUTH_HASH}\n\t}\n\treverse_proxy nexora-staging-portainer:9000\n}\n`;
const CADDYFILE_TWO = `${CADDYFILE_ONE}staging-newshop.nexora.restry.cn {\n\treverse_proxy nexora-staging-newshop:8080\n}\n`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function build(caddyfile: string = CADDYFILE_ONE, overrides: Partial<CaddyArgs> = {}) {
    return new Caddy("caddy", {
        host: testHost(),
        image: IMAGE,
        caddyfile: pulumi.secret(caddyfile),
        ...overrides,
    });
}

describe("Caddy", () => {
    it("registers exactly three volumes, its image, its container and the reload command", async () => {
        build();
        await mocks.settled();
        expect(inventoryOf(mocks, mocks.get("nexora:edge:Caddy", "caddy"))).toEqual(
            [
                `${T.volume} caddy-data`,
                `${T.volume} caddy-config`,
                `${T.volume} caddy-etc`,
                `${T.image} caddy-image`,
                `${T.container} caddy-container`,
                `${T.command} caddy-reload`,
            ].sort(),
        );
    });

    it("keeps certificates, config and the applied Caddyfile on three protected volumes", async () => {
        build();
        await mocks.settled();
        for (const purpose of ["data", "config", "etc"]) {
            const volume = mocks.get(T.volume, `caddy-${purpose}`);
            expect(volume.inputs).toEqual({ name: `nexora-staging-caddy-${purpose}`, labels: ownerLabelsFor("caddy", "edge") });
            expect([volume.options.protect, volume.options.retainOnDelete]).toEqual([true, true]);
        }
        expect(mocks.get(T.container, "caddy-container").inputs.mounts).toEqual([
            { type: "volume", source: "nexora-staging-caddy-data", target: "/data", readOnly: false },
            { type: "volume", source: "nexora-staging-caddy-config", target: "/config", readOnly: false },
            { type: "volume", source: "nexora-staging-caddy-etc", target: "/etc/caddy", readOnly: false },
        ]);
    });

    it("runs on the edge network, publishing host ports only when asked", async () => {
        build();
        await mocks.settled();
        expect(mocks.get(T.container, "caddy-container").inputs).toMatchObject({
            name: "nexora-staging-caddy",
            networksAdvanced: [{ name: EDGE_NETWORK }],
            ports: [],
            wait: true,
        });
        mocks = setupMocks({ stack: "staging" });
        build(CADDYFILE_ONE, { httpPort: 18080, httpsPort: 18443, publish: true });
        await mocks.settled();
        // Same number inside and out: Caddy's redirects then carry the port clients use.
        expect(mocks.get(T.container, "caddy-container").inputs.ports).toEqual([
            { internal: 18080, external: 18080, protocol: "tcp" },
            { internal: 18443, external: 18443, protocol: "tcp" },
        ]);
    });

    it("applies the Caddyfile through the reload command: secret stdin, the hash as a visible trigger, after the container", async () => {
        const caddy = build();
        await mocks.settled();
        const cmd = mocks.get(T.command, "caddy-reload");
        expect(cmd.inputs.stdin).toBe(CADDYFILE_ONE);
        expect(cmd.secretInputs).toContain("stdin");
        expect(mocks.plaintextLeaks(BASIC_AUTH_HASH)).toEqual([]);
        expect(cmd.inputs.triggers).toEqual([sha256(CADDYFILE_ONE)]);
        expect(cmd.secretInputs).not.toContain("triggers");
        expect(await outputOf(caddy.configHash)).toBe(sha256(CADDYFILE_ONE));
        expect(await isSecretOutput(caddy.configHash)).toBe(false);
        expect(cmd.inputs.environment).toEqual({ DOCKER_HOST });
        expect(cmd.inputs.create).toBe(`docker exec -i nexora-staging-caddy sh -c ${shellQuote(CADDY_RELOAD_SCRIPT)}`);
        expect(cmd.inputs.update).toBe(cmd.inputs.create);
        expect(cmd.options.dependencies).toContain(await urnOf(caddy.container));
    });

    it("validates the new Caddyfile before swapping it in, and reloads only after the swap", () => {
        const lines = CADDY_RELOAD_SCRIPT.split("\n");
        expect(lines[0]).toBe("set -e");
        const validate = lines.findIndex((l) => l.startsWith("caddy validate --config /etc/caddy/Caddyfile.next"));
        const swap = lines.findIndex((l) => l === "mv /etc/caddy/Caddyfile.next /etc/caddy/Caddyfile");
        const reload = lines.findIndex((l) => l.startsWith("caddy reload --config /etc/caddy/Caddyfile "));
        expect(lines.findIndex((l) => l === "cat > /etc/caddy/Caddyfile.next")).toBe(1);
        expect(validate).toBeGreaterThan(0);
        expect(swap).toBeGreaterThan(validate);
        expect(reload).toBeGreaterThan(swap);
    });

    it("reloads in place on a Caddyfile change: the container's inputs stay identical, the reload's stdin and trigger change", async () => {
        const evaluate = async (caddyfile: string) => {
            mocks = setupMocks({ stack: "staging" });
            build(caddyfile);
            await mocks.settled();
            return { container: mocks.get(T.container, "caddy-container"), reload: mocks.get(T.command, "caddy-reload") };
        };
        const before = await evaluate(CADDYFILE_ONE);
        const after = await evaluate(CADDYFILE_TWO);
        expect(after.container.inputs).toEqual(before.container.inputs);
        expect(after.container.options.dependencies).toEqual(before.container.options.dependencies);
        expect(after.reload.inputs.stdin).not.toEqual(before.reload.inputs.stdin);
        expect(after.reload.inputs.triggers).toEqual([sha256(CADDYFILE_TWO)]);
        expect(after.reload.inputs.triggers).not.toEqual(before.reload.inputs.triggers);
        expect(after.reload.inputs.create).toBe(before.reload.inputs.create);
    });
});
