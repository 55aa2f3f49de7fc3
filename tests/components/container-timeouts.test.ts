import { beforeEach, describe, expect, it } from "vitest";
import { containerCustomTimeouts, createServiceContainer, PROVIDER_DEFAULT_TIMEOUT_SECONDS, type ServiceContainerArgs } from "../../components/docker/service";
import { type MockRecorder, setupMocks } from "../support/mocks";
import { dockerProvider, EDGE_NETWORK, STACK, T, testParent } from "./support";

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

const args: ServiceContainerArgs = {
    stack: STACK,
    service: "slow",
    role: "platform",
    containerName: "nexora-staging-slow",
    image: "example/slow:1.0.0",
    networks: [EDGE_NETWORK],
    healthcheck: { test: ["CMD", "true"] },
};

describe("containerCustomTimeouts", () => {
    it("leaves the provider's 20-minute default where the health wait fits in it", () => {
        expect(PROVIDER_DEFAULT_TIMEOUT_SECONDS).toBe(1200);
        expect(containerCustomTimeouts(undefined)).toBeUndefined();
        expect(containerCustomTimeouts(0)).toBeUndefined();
        expect(containerCustomTimeouts(120)).toBeUndefined();
        expect(containerCustomTimeouts(900)).toBeUndefined();
    });

    it("gives create and update the wait plus room to create and start the container", () => {
        expect(containerCustomTimeouts(1800)).toEqual({ create: "35m", update: "35m" });
        expect(containerCustomTimeouts(1000)).toEqual({ create: "22m", update: "22m" });
    });
});

describe("createServiceContainer timeouts", () => {
    it("passes them to the engine as the container's customTimeouts", async () => {
        createServiceContainer("slow", { ...args, waitTimeoutSeconds: 1800 }, testParent(), { provider: dockerProvider() });
        await mocks.settled();
        const container = mocks.get(T.container, "slow-container");
        expect(container.inputs.waitTimeout).toBe(1800);
        expect(container.options.customTimeouts).toEqual({ create: "35m", update: "35m", delete: "" });
    });

    it("sets none for a short wait", async () => {
        createServiceContainer("slow", { ...args, waitTimeoutSeconds: 120 }, testParent(), { provider: dockerProvider() });
        await mocks.settled();
        expect(mocks.get(T.container, "slow-container").options.customTimeouts).toEqual({ create: "", update: "", delete: "" });
    });
});
