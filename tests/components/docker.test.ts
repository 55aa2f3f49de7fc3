import { createHash } from "node:crypto";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { dockerExec } from "../../components/docker/exec";
import { DockerHost, ipamConfig } from "../../components/docker/host";
import { createServiceContainer, goDuration, type ServiceContainerArgs, serviceContainerInputs, settingsLabels } from "../../components/docker/service";
import { persistentVolume } from "../../components/docker/volume";
import { type MockRecorder, outputOf, setupMocks } from "../support/mocks";
import {
    DATA_SUBNET,
    DOCKER_HOST,
    dockerProvider,
    EDGE_NETWORK,
    EDGE_SUBNET,
    inventoryOf,
    containerLabelsFor,
    ownerLabelsFor,
    providerRef,
    STACK,
    T,
    testParent,
    urnOf,
} from "./support";

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

describe("DockerHost", () => {
    it("registers the provider for the configured host and its edge, data, apps-data and admin networks as its children", async () => {
        const host = new DockerHost("docker", { stack: STACK, host: DOCKER_HOST, edgeSubnet: EDGE_SUBNET, dataSubnet: DATA_SUBNET });
        await mocks.settled();
        const component = mocks.get("nexora:docker:DockerHost", "docker");
        expect(inventoryOf(mocks, component)).toEqual(
            [
                `${T.network} docker-admin`,
                `${T.network} docker-apps-data`,
                `${T.network} docker-data`,
                `${T.network} docker-edge`,
                `${T.dockerProvider} docker-provider`,
            ].sort(),
        );
        expect(mocks.resources).toHaveLength(6);
        expect(mocks.get(T.dockerProvider, "docker-provider").inputs).toEqual({ host: DOCKER_HOST });
        const ref = await providerRef(host.provider);
        expect(mocks.get(T.network, "docker-edge").provider).toBe(ref);
        expect(mocks.get(T.network, "docker-data").provider).toBe(ref);
    });

    it("makes the edge network a bridge on the edge subnet, named for the stack", async () => {
        const host = new DockerHost("docker", { stack: STACK, host: DOCKER_HOST, edgeSubnet: EDGE_SUBNET, dataSubnet: DATA_SUBNET });
        await mocks.settled();
        expect(host.edgeNetworkName).toBe("nexora-staging-edge");
        expect(mocks.get(T.network, "docker-edge").inputs).toEqual({
            name: "nexora-staging-edge",
            driver: "bridge",
            // The gateway Docker gives the subnet, declared: read back on a refresh, it would replace the network.
            ipamConfigs: [{ subnet: EDGE_SUBNET, gateway: "172.30.10.1" }],
            labels: [
                { label: "nexora.stack", value: STACK },
                { label: "nexora.managed-by", value: "pulumi" },
            ],
        });
        expect(await outputOf(host.edgeNetwork.name)).toBe("nexora-staging-edge");
    });

    it("makes the data network internal (no route in or out) on the data subnet", async () => {
        new DockerHost("docker", { stack: STACK, host: DOCKER_HOST, edgeSubnet: EDGE_SUBNET, dataSubnet: DATA_SUBNET });
        await mocks.settled();
        expect(mocks.get(T.network, "docker-data").inputs).toEqual({
            name: "nexora-staging-data",
            driver: "bridge",
            internal: true,
            ipamConfigs: [{ subnet: DATA_SUBNET, gateway: "172.30.11.1" }],
            labels: [
                { label: "nexora.stack", value: STACK },
                { label: "nexora.managed-by", value: "pulumi" },
            ],
        });
    });

    it("names networks after the stack, so two stacks on one host do not collide", async () => {
        new DockerHost("docker", { stack: "prod", host: DOCKER_HOST, edgeSubnet: EDGE_SUBNET, dataSubnet: DATA_SUBNET });
        await mocks.settled();
        expect(
            mocks
                .ofType(T.network)
                .map((n) => n.inputs.name)
                .sort(),
        ).toEqual(["nexora-prod-admin", "nexora-prod-apps-data", "nexora-prod-data", "nexora-prod-edge"]);
    });

    it("gives the apps and MySQL an internal network of their own, and the admin UIs one apps are not on", async () => {
        new DockerHost("docker", { stack: STACK, host: DOCKER_HOST, edgeSubnet: EDGE_SUBNET, dataSubnet: DATA_SUBNET });
        await mocks.settled();
        expect(mocks.get(T.network, "docker-apps-data").inputs).toMatchObject({ name: "nexora-staging-apps-data", internal: true });
        expect(mocks.get(T.network, "docker-admin").inputs).toMatchObject({ name: "nexora-staging-admin", driver: "bridge" });
        expect(mocks.get(T.network, "docker-admin").inputs.internal).toBeUndefined();
    });
});

const baseServiceArgs: ServiceContainerArgs = {
    stack: STACK,
    service: "outline",
    role: "platform",
    containerName: "nexora-staging-outline",
    image: "outlinewiki/outline:0.85.1",
    networks: [EDGE_NETWORK, "nexora-staging-data"],
    healthcheck: { test: ["CMD-SHELL", "wget -qO- http://127.0.0.1:3000/_health"] },
};

describe("serviceContainerInputs", () => {
    it("gives every container the same baseline: restart policy, owner labels, bounded json logs", () => {
        const inputs = serviceContainerInputs(baseServiceArgs, "sha256:abc");
        expect(inputs.name).toBe("nexora-staging-outline");
        expect(inputs.image).toBe("sha256:abc");
        expect(inputs.restart).toBe("unless-stopped");
        expect(inputs.labels).toEqual(containerLabelsFor("outline", "platform"));
        expect(inputs.logDriver).toBe("json-file");
        expect(inputs.logOpts).toEqual({ "max-size": "20m", "max-file": "5" });
        expect(inputs.networksAdvanced).toEqual([{ name: EDGE_NETWORK }, { name: "nexora-staging-data" }]);
    });

    it("maps the health check with Docker duration strings and its defaults", () => {
        expect(serviceContainerInputs(baseServiceArgs, "img").healthcheck).toEqual({
            tests: ["CMD-SHELL", "wget -qO- http://127.0.0.1:3000/_health"],
            interval: "30s",
            timeout: "10s",
            retries: 5,
            startPeriod: "30s",
        });
        const custom = serviceContainerInputs(
            { ...baseServiceArgs, healthcheck: { test: ["CMD", "true"], intervalSeconds: 7, timeoutSeconds: 3, retries: 2, startPeriodSeconds: 600 } },
            "img",
        );
        expect(custom.healthcheck).toEqual({ tests: ["CMD", "true"], interval: "7s", timeout: "3s", retries: 2, startPeriod: "10m0s" });
    });

    it("waits for healthy only when a positive wait timeout is given", () => {
        expect(serviceContainerInputs(baseServiceArgs, "img")).toMatchObject({ wait: false, waitTimeout: undefined });
        expect(serviceContainerInputs({ ...baseServiceArgs, waitTimeoutSeconds: 0 }, "img").wait).toBe(false);
        expect(serviceContainerInputs({ ...baseServiceArgs, waitTimeoutSeconds: 300 }, "img")).toMatchObject({ wait: true, waitTimeout: 300 });
    });

    it("publishes no host port unless asked, and then tcp container → host ports", () => {
        expect(serviceContainerInputs(baseServiceArgs, "img").ports).toEqual([]);
        const published = serviceContainerInputs({ ...baseServiceArgs, publish: [{ internal: 22, external: 2222 }] }, "img");
        expect(published.ports).toEqual([{ internal: 22, external: 2222, protocol: "tcp" }]);
    });

    it("passes memory and shm limits through and leaves them unset by default", () => {
        expect(serviceContainerInputs(baseServiceArgs, "img")).toMatchObject({ memory: undefined, shmSize: undefined });
        expect(serviceContainerInputs({ ...baseServiceArgs, memoryMiB: 512, shmSizeMiB: 256 }, "img")).toMatchObject({ memory: 512, shmSize: 256 });
    });
});

describe("createServiceContainer", () => {
    it("registers exactly a RemoteImage and a Container under the parent, both on the given provider", async () => {
        const parent = testParent();
        const provider = dockerProvider();
        createServiceContainer("outline", baseServiceArgs, parent, { provider });
        await mocks.settled();
        const parentRec = mocks.get("nexora:test:Parent", "parent");
        expect(inventoryOf(mocks, parentRec)).toEqual([`${T.container} outline-container`, `${T.image} outline-image`]);
        const image = mocks.get(T.image, "outline-image");
        const container = mocks.get(T.container, "outline-container");
        expect(image.inputs).toEqual({ name: "outlinewiki/outline:0.85.1", keepLocally: true });
        expect(image.provider).toBe(await providerRef(provider));
        expect(container.provider).toBe(await providerRef(provider));
    });

    it("runs the pulled image by its id, not by its mutable tag", async () => {
        const { image } = createServiceContainer("outline", baseServiceArgs, testParent(), { provider: dockerProvider() });
        await mocks.settled();
        const container = mocks.get(T.container, "outline-container");
        expect(container.inputs.image).toBe(await outputOf(image.imageId));
        expect(container.inputs.image).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(container.options.propertyDependencies.image).toEqual([await urnOf(image)]);
    });

    it("records the baseline inputs the engine receives", async () => {
        createServiceContainer("outline", { ...baseServiceArgs, waitTimeoutSeconds: 300 }, testParent(), { provider: dockerProvider() });
        await mocks.settled();
        const container = mocks.get(T.container, "outline-container");
        expect(container.inputs).toMatchObject({
            name: "nexora-staging-outline",
            restart: "unless-stopped",
            labels: containerLabelsFor("outline", "platform"),
            networksAdvanced: [{ name: EDGE_NETWORK }, { name: "nexora-staging-data" }],
            healthcheck: { tests: ["CMD-SHELL", "wget -qO- http://127.0.0.1:3000/_health"], interval: "30s", timeout: "10s", retries: 5, startPeriod: "30s" },
            wait: true,
            waitTimeout: 300,
            ports: [],
            mounts: [],
            logDriver: "json-file",
            logOpts: { "max-size": "20m", "max-file": "5" },
            stopTimeout: 10,
            destroyGraceSeconds: 10,
        });
    });

    it("gives the process its stop grace on a replacement or destroy, not an immediate SIGKILL", async () => {
        createServiceContainer("outline", { ...baseServiceArgs, stopGraceSeconds: 120 }, testParent(), { provider: dockerProvider() });
        await mocks.settled();
        const container = mocks.get(T.container, "outline-container");
        expect(container.inputs.destroyGraceSeconds).toBe(120);
        expect(container.inputs.stopTimeout).toBe(120);
    });

    it("does not wait for health when no wait timeout is given", async () => {
        createServiceContainer("outline", baseServiceArgs, testParent(), { provider: dockerProvider() });
        await mocks.settled();
        const container = mocks.get(T.container, "outline-container");
        expect(container.inputs.wait).toBe(false);
        expect(container.inputs).not.toHaveProperty("waitTimeout");
    });

    it("mounts volumes by their Docker name and binds host paths, read-only only where asked", async () => {
        const parent = testParent();
        const provider = dockerProvider();
        const data = persistentVolume({ stack: STACK, service: "outline", role: "platform", purpose: "data" }, parent, provider);
        createServiceContainer(
            "outline",
            {
                ...baseServiceArgs,
                volumes: [
                    { volume: data, target: "/var/lib/outline/data" },
                    { volume: data, target: "/mnt/ro", readOnly: true },
                ],
                binds: [{ source: "/run/user/1000/docker.sock", target: "/var/run/docker.sock" }],
            },
            parent,
            { provider },
        );
        await mocks.settled();
        const container = mocks.get(T.container, "outline-container");
        expect(container.inputs.mounts).toEqual([
            { type: "volume", source: "nexora-staging-outline-data", target: "/var/lib/outline/data", readOnly: false },
            { type: "volume", source: "nexora-staging-outline-data", target: "/mnt/ro", readOnly: true },
            { type: "bind", source: "/run/user/1000/docker.sock", target: "/var/run/docker.sock", readOnly: false },
        ]);
        // The mount source is the volume's output: the container waits for the volume.
        expect(container.options.dependencies).toContain(await urnOf(data));
    });

    it("publishes host ports only when asked", async () => {
        createServiceContainer("gitlab", { ...baseServiceArgs, publish: [{ internal: 22, external: 2222 }] }, testParent(), { provider: dockerProvider() });
        await mocks.settled();
        expect(mocks.get(T.container, "gitlab-container").inputs.ports).toEqual([{ internal: 22, external: 2222, protocol: "tcp" }]);
    });

    it("orders the container after the given dependencies, and the image after nothing", async () => {
        const provider = dockerProvider();
        const marker = new docker.Network("marker", { name: "nexora-staging-marker" }, { provider });
        createServiceContainer("outline", baseServiceArgs, testParent(), { provider, dependsOn: [marker] });
        await mocks.settled();
        expect(mocks.get(T.container, "outline-container").options.dependencies).toContain(await urnOf(marker));
        expect(mocks.get(T.image, "outline-image").options.dependencies).toEqual([]);
    });
});

describe("persistentVolume", () => {
    it("is protected and retained on delete, named nexora-<stack>-<service>-<purpose>, logical name <service>-<purpose>", async () => {
        const parent = testParent();
        const provider = dockerProvider();
        const volume = persistentVolume({ stack: STACK, service: "gitlab", role: "platform", purpose: "config" }, parent, provider);
        await mocks.settled();
        const rec = mocks.get(T.volume, "gitlab-config");
        expect(mocks.ofType(T.volume)).toHaveLength(1);
        expect(rec.inputs).toEqual({ name: "nexora-staging-gitlab-config", labels: ownerLabelsFor("gitlab", "platform") });
        expect(rec.options.protect).toBe(true);
        expect(rec.options.retainOnDelete).toBe(true);
        expect(rec.options.parent).toBe(await urnOf(parent));
        expect(rec.provider).toBe(await providerRef(provider));
        expect(await outputOf(volume.name)).toBe("nexora-staging-gitlab-config");
    });
});

describe("dockerExec", () => {
    const script = "set -e\necho 'it''s' >&2\ncat > /tmp/x";

    it("runs the same docker exec for create and update, with the script as one shell-quoted word", async () => {
        dockerExec("caddy-reload", { dockerHost: DOCKER_HOST, containerName: "nexora-staging-caddy", script }, { parent: testParent() });
        await mocks.settled();
        const cmd = mocks.get(T.command, "caddy-reload");
        const expected = `docker exec -i nexora-staging-caddy sh -c 'set -e\necho '\\''it'\\'''\\''s'\\'' >&2\ncat > /tmp/x'`;
        expect(cmd.inputs.create).toBe(expected);
        expect(cmd.inputs.update).toBe(expected);
    });

    it("feeds stdin, points the docker CLI at the stack's host, re-runs on triggers and on a stdin change, logs stderr only", async () => {
        const parent = testParent();
        dockerExec(
            "postgres-provisioning",
            {
                dockerHost: DOCKER_HOST,
                containerName: "nexora-staging-postgres",
                script: "exec psql -f -",
                stdin: pulumi.secret("SELECT 1;"),
                triggers: ["h1", 2],
            },
            { parent },
        );
        await mocks.settled();
        const cmd = mocks.get(T.command, "postgres-provisioning");
        expect(mocks.ofType(T.command)).toHaveLength(1);
        expect(cmd.inputs).toEqual({
            create: "docker exec -i nexora-staging-postgres sh -c 'exec psql -f -'",
            update: "docker exec -i nexora-staging-postgres sh -c 'exec psql -f -'",
            stdin: "SELECT 1;",
            environment: { DOCKER_HOST },
            // The stdin's sha256, in the clear so a plan shows the re-run.
            triggers: ["h1", 2, createHash("sha256").update("SELECT 1;").digest("hex")],
            logging: "stderr",
        });
        expect(cmd.secretInputs).toContain("stdin");
        expect(cmd.secretInputs).not.toContain("triggers");
        expect(cmd.options.additionalSecretOutputs).toEqual(["stdout", "stderr"]);
        expect(cmd.options.parent).toBe(await urnOf(parent));
    });

    it("takes the container name from an Output and depends on where it came from", async () => {
        const parent = testParent();
        const { container } = createServiceContainer("postgres", { ...baseServiceArgs, containerName: "nexora-staging-postgres" }, parent, {
            provider: dockerProvider(),
        });
        dockerExec("postgres-provisioning", { dockerHost: DOCKER_HOST, containerName: container.name, script: "true" }, { parent });
        await mocks.settled();
        const cmd = mocks.get(T.command, "postgres-provisioning");
        expect(cmd.inputs.create).toBe("docker exec -i nexora-staging-postgres sh -c 'true'");
        expect(cmd.options.dependencies).toContain(await urnOf(container));
    });
});

describe("goDuration", () => {
    it("writes seconds the way the provider reads them back from Docker (Go's notation)", () => {
        expect([5, 30, 60, 90, 600, 3600, 3725].map(goDuration)).toEqual(["5s", "30s", "1m0s", "1m30s", "10m0s", "1h0m0s", "1h2m5s"]);
    });
});

describe("settings the provider cannot diff", () => {
    const base = { test: ["CMD", "true"] };
    const label = (labels: { label: string; value: string }[], key: string) => labels.find((l) => l.label === key)?.value;

    it("carry a health check change into a label, so the container is replaced instead of silently keeping the old check", () => {
        const a = settingsLabels({ healthcheck: base });
        for (const changed of [
            { test: ["CMD", "false"] },
            { ...base, intervalSeconds: 7 },
            { ...base, timeoutSeconds: 3 },
            { ...base, retries: 2 },
            { ...base, startPeriodSeconds: 5 },
        ]) {
            expect(label(settingsLabels({ healthcheck: changed }), "nexora.healthcheck-sha256")).not.toBe(label(a, "nexora.healthcheck-sha256"));
        }
        expect(settingsLabels({ healthcheck: { ...base } })).toEqual(a);
    });

    it("carry the memory limit and log options, whose read-back the engine ignores", () => {
        expect(label(settingsLabels({ healthcheck: base, memoryMiB: 256 }), "nexora.memory-mib")).toBe("256");
        expect(label(settingsLabels({ healthcheck: base }), "nexora.memory-mib")).toBeUndefined();
        expect(label(settingsLabels({ healthcheck: base }), "nexora.log-opts")).toBe("max-size=20m,max-file=5");
    });

    it("ignore the daemon-owned read-back of logOpts and memorySwap on every container", async () => {
        createServiceContainer("outline", baseServiceArgs, testParent(), { provider: dockerProvider() });
        await mocks.settled();
        const container = mocks.get(T.container, "outline-container");
        expect(container.options.ignoreChanges).toEqual(["logOpts", "memorySwap"]);
    });
});

describe("ipamConfig", () => {
    it("declares the gateway Docker gives a subnet (its first address), and refuses what is not a subnet", () => {
        expect(ipamConfig("10.204.57.0/24")).toEqual({ subnet: "10.204.57.0/24", gateway: "10.204.57.1" });
        expect(ipamConfig("172.30.0.0/16")).toEqual({ subnet: "172.30.0.0/16", gateway: "172.30.0.1" });
        for (const bad of ["10.0.0.1/24", "10.0.0.0/31", "nope"]) expect(() => ipamConfig(bad)).toThrow(/not an IPv4 subnet/);
    });
});
