import { beforeEach, describe, expect, it } from "vitest";
import { Portainer } from "../../components/portainer/portainer";
import { isSecretOutput, type MockRecorder, mockRandomValue, outputOf, setupMocks } from "../support/mocks";
import { EDGE_NETWORK, inventoryOf, containerLabelsFor, T, testHost } from "./support";

const IMAGE = "portainer/portainer-ce:2.45.1-alpine";
const bcryptOf = (name: string) => "$2a$10$" + mockRandomValue(`${name}:bcrypt`, 53);

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

describe("Portainer", () => {
    it("registers exactly its admin password, data volume, image and container", async () => {
        new Portainer("portainer", { host: testHost(), image: IMAGE });
        await mocks.settled();
        expect(inventoryOf(mocks, mocks.get("nexora:portainer:Portainer", "portainer"))).toEqual(
            [
                `${T.randomPassword} portainer-admin-password`,
                `${T.volume} portainer-data`,
                `${T.image} portainer-image`,
                `${T.container} portainer-container`,
            ].sort(),
        );
        expect(mocks.get(T.randomPassword, "portainer-admin-password").inputs.length).toBeGreaterThanOrEqual(24);
    });

    it("serves plain HTTP and sets the admin password from the generated bcrypt hash, as a secret command", async () => {
        const portainer = new Portainer("portainer", { host: testHost(), image: IMAGE });
        await mocks.settled();
        const container = mocks.get(T.container, "portainer-container");
        expect(container.inputs.command).toEqual(["--http-enabled", "--bind", ":9000", "--admin-password", bcryptOf("portainer-admin-password")]);
        expect(container.secretInputs).toContain("command");
        expect(mocks.plaintextLeaks(bcryptOf("portainer-admin-password"))).toEqual([]);
        expect(mocks.plaintextLeaks(mockRandomValue("portainer-admin-password", 32))).toEqual([]);
        expect(await outputOf(portainer.adminPassword)).toBe(mockRandomValue("portainer-admin-password", 32));
        expect(await isSecretOutput(portainer.adminPassword)).toBe(true);
    });

    it("binds the Docker socket and keeps its data on a protected volume, on the edge network only", async () => {
        new Portainer("portainer", { host: testHost(), image: IMAGE });
        await mocks.settled();
        const container = mocks.get(T.container, "portainer-container");
        expect(container.inputs).toMatchObject({
            name: "nexora-staging-portainer",
            networksAdvanced: [{ name: EDGE_NETWORK }],
            ports: [],
            labels: containerLabelsFor("portainer", "platform"),
            mounts: [
                { type: "volume", source: "nexora-staging-portainer-data", target: "/data", readOnly: false },
                { type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: false },
            ],
        });
        const volume = mocks.get(T.volume, "portainer-data");
        expect([volume.options.protect, volume.options.retainOnDelete]).toEqual([true, true]);
    });

    it("binds a non-default socket path at the standard path inside", async () => {
        new Portainer("portainer", {
            host: testHost({ socketPath: "/run/user/1000/docker.sock" }),
            image: IMAGE,
        });
        await mocks.settled();
        const mounts: { type: string; source: string; target: string }[] = mocks.get(T.container, "portainer-container").inputs.mounts;
        expect(mounts.filter((m) => m.type === "bind")).toEqual([
            { type: "bind", source: "/run/user/1000/docker.sock", target: "/var/run/docker.sock", readOnly: false },
        ]);
    });
});
