import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { FRPC_APPLY_SCRIPT, FRPC_START_SCRIPT, Tunnel } from "../../components/edge/tunnel";
import { type MockRecorder, setupMocks } from "../support/mocks";
import { DOCKER_HOST, dockerProvider, EDGE_NETWORK, inventoryOf, containerLabelsFor, T, urnOf, testHost } from "./support";

const IMAGE = "snowdreamtech/frpc:0.61.1";
const FRP_TOKEN = "frps-Auth-Token-0123456789abcdef";
const FRPC_TOML = `serverAddr = "40.162.94.187"\nserverPort = 7000\nauth.method = "token"\nauth.token = "${FRP_TOKEN}"\n\n[[proxies]]\nname = "staging-https"\ntype = "https"\ncustomDomains = ["staging-gitlab.nexora.restry.cn"]\n`;

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function build(frpcToml: string = FRPC_TOML) {
    const provider = dockerProvider();
    const caddy = new docker.Container("caddy", { name: "nexora-staging-caddy", image: "caddy:2.8.4-alpine" }, { provider });
    const tunnel = new Tunnel(
        "tunnel",
        {
            host: testHost({ provider }),
            image: IMAGE,
            frpcToml: pulumi.secret(frpcToml),
        },
        { dependsOn: [caddy] },
    );
    return { caddy, tunnel };
}

describe("Tunnel", () => {
    it("registers exactly its config volume, image, container and apply command", async () => {
        build();
        await mocks.settled();
        expect(inventoryOf(mocks, mocks.get("nexora:edge:Tunnel", "tunnel"))).toEqual(
            [`${T.volume} frpc-config`, `${T.image} tunnel-image`, `${T.container} tunnel-container`, `${T.command} tunnel-apply`].sort(),
        );
    });

    it("starts a shell that waits for the first config, then execs frpc on it", async () => {
        build();
        await mocks.settled();
        const container = mocks.get(T.container, "tunnel-container");
        expect(container.inputs).toMatchObject({
            name: "nexora-staging-frpc",
            entrypoints: ["/bin/sh", "-c"],
            command: [FRPC_START_SCRIPT],
            networksAdvanced: [{ name: EDGE_NETWORK }],
            ports: [],
            labels: containerLabelsFor("frpc", "edge"),
            mounts: [{ type: "volume", source: "nexora-staging-frpc-config", target: "/etc/frp", readOnly: false }],
        });
        // Waits for a non-empty config on the volume, then frpc replaces the shell as PID 1.
        expect(FRPC_START_SCRIPT).toMatch(/^while \[ ! -s \/etc\/frp\/frpc\.toml \]; do sleep \d+; done; exec (\/usr\/bin\/)?frpc -c \/etc\/frp\/frpc\.toml$/);
        const volume = mocks.get(T.volume, "frpc-config");
        expect([volume.options.protect, volume.options.retainOnDelete]).toEqual([true, true]);
    });

    it("starts only after what it depends on (Caddy)", async () => {
        const { caddy } = build();
        await mocks.settled();
        expect(mocks.get(T.container, "tunnel-container").options.dependencies).toContain(await urnOf(caddy));
    });

    it("applies frpc.toml through a command after the container, with the config (and its token) as secret stdin", async () => {
        const { tunnel } = build();
        await mocks.settled();
        const cmd = mocks.get(T.command, "tunnel-apply");
        expect(cmd.inputs.stdin).toBe(FRPC_TOML);
        expect(cmd.secretInputs).toContain("stdin");
        expect(mocks.plaintextLeaks(FRP_TOKEN)).toEqual([]);
        expect(cmd.inputs.create).toBe(`docker exec -i nexora-staging-frpc sh -c '${FRPC_APPLY_SCRIPT.replace(/'/g, `'\\''`)}'`);
        expect(cmd.inputs.environment).toEqual({ DOCKER_HOST });
        expect(cmd.inputs.triggers).toEqual([createHash("sha256").update(FRPC_TOML).digest("hex")]);
        expect(cmd.options.dependencies).toContain(await urnOf(tunnel.container));
    });

    it("verifies a new config before moving it into place", () => {
        const lines = FRPC_APPLY_SCRIPT.split("\n");
        const verify = lines.findIndex((l) => /^(\/usr\/bin\/)?frpc verify -c \/etc\/frp\/frpc\.toml\.next\b/.test(l));
        const firstMove = lines.findIndex((l) => l.trim().startsWith("mv /etc/frp/frpc.toml.next /etc/frp/frpc.toml"));
        expect(lines[0]).toBe("set -e");
        expect(verify).toBeGreaterThan(0);
        expect(firstMove).toBeGreaterThan(verify);
    });

    it("changes only the apply command's stdin and trigger on a route change, never the container", async () => {
        const evaluate = async (toml: string) => {
            mocks = setupMocks({ stack: "staging" });
            build(toml);
            await mocks.settled();
            return { container: mocks.get(T.container, "tunnel-container"), apply: mocks.get(T.command, "tunnel-apply") };
        };
        const before = await evaluate(FRPC_TOML);
        const after = await evaluate(
            `${FRPC_TOML}\n[[proxies]]\nname = "staging-ssh"\ntype = "tcp"\nlocalIP = "nexora-staging-gitlab"\nlocalPort = 22\nremotePort = 2222\n`,
        );
        expect(after.container.inputs).toEqual(before.container.inputs);
        expect(after.apply.inputs.triggers).not.toEqual(before.apply.inputs.triggers);
        expect(after.apply.inputs.stdin).not.toEqual(before.apply.inputs.stdin);
    });
});
