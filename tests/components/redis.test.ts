import { beforeEach, describe, expect, it } from "vitest";
import { Redis } from "../../components/redis/redis";
import { type MockRecorder, mockRandomValue, outputOf, setupMocks } from "../support/mocks";
import { DATA_NETWORK, dockerProvider, inventoryOf, containerLabelsFor, providerRef, T, testHost } from "./support";

const IMAGE = "redis:7.4.1-alpine";

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

describe("Redis", () => {
    it("registers exactly its data volume, image and container as children", async () => {
        new Redis("redis", { host: testHost(), image: IMAGE });
        await mocks.settled();
        const component = mocks.get("nexora:redis:Redis", "redis");
        expect(inventoryOf(mocks, component)).toEqual(
            [`${T.container} redis-container`, `${T.image} redis-image`, `${T.randomPassword} redis-password`, `${T.volume} redis-data`].sort(),
        );
    });

    it("runs only on the data network, publishes no port, requires a generated password and persists append-only to a protected volume", async () => {
        const provider = dockerProvider();
        const redis = new Redis("redis", { host: testHost({ provider }), image: IMAGE });
        await mocks.settled();
        expect(redis.host).toBe("nexora-staging-redis");
        expect(redis.port).toBe(6379);
        const container = mocks.get(T.container, "redis-container");
        expect(container.provider).toBe(await providerRef(provider));
        expect(container.inputs).toMatchObject({
            name: "nexora-staging-redis",
            command: ["redis-server", "--appendonly", "yes", "--save", "60", "1000", "--requirepass", mockRandomValue("redis-password", 32)],
            envs: [`REDISCLI_AUTH=${mockRandomValue("redis-password", 32)}`],
            networksAdvanced: [{ name: DATA_NETWORK }],
            ports: [],
            mounts: [{ type: "volume", source: "nexora-staging-redis-data", target: "/data", readOnly: false }],
            labels: containerLabelsFor("redis", "datastore"),
            healthcheck: { tests: ["CMD", "redis-cli", "ping"], interval: "10s", startPeriod: "10s" },
            restart: "unless-stopped",
            wait: true,
            waitTimeout: 120,
        });
        // The password is in the command and the env: both travel as secrets only.
        expect(container.secretInputs).toEqual(expect.arrayContaining(["command", "envs"]));
        expect(mocks.plaintextLeaks(mockRandomValue("redis-password", 32))).toEqual([]);
        expect(await outputOf(redis.password)).toBe(mockRandomValue("redis-password", 32));
        expect(mocks.get(T.image, "redis-image").inputs).toEqual({ name: IMAGE, keepLocally: true });
        const volume = mocks.get(T.volume, "redis-data");
        expect(volume.inputs.name).toBe("nexora-staging-redis-data");
        expect([volume.options.protect, volume.options.retainOnDelete]).toEqual([true, true]);
    });
});
