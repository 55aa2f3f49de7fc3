import * as docker from "@pulumi/docker";
import { beforeEach, describe, expect, it } from "vitest";
import { containerCustomTimeouts, createServiceContainer, PROVIDER_DEFAULT_TIMEOUT_SECONDS, type ServiceContainerArgs } from "../../components/docker/service";
import { Gitlab } from "../../components/gitlab/gitlab";
import { type MockRecorder, setupMocks } from "../support/mocks";
import { DATA_NETWORK, databaseCredentials, dockerProvider, EDGE_NETWORK, STACK, T, testParent } from "./support";

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

const minutes = (goDuration: string): number => {
    const m = /^(\d+)m$/.exec(goDuration);
    if (!m) throw new Error(`not a whole-minute duration: ${JSON.stringify(goDuration)}`);
    return Number(m[1]);
};

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

describe("GitLab's first boot", () => {
    it("is not cut to the provider's 20 minutes: create and update outlast its health wait", async () => {
        const provider = dockerProvider();
        const marker = new docker.Network("marker", { name: "marker" }, { provider });
        new Gitlab(
            "gitlab",
            {
                stack: STACK,
                image: "gitlab/gitlab-ce:18.11.2-ce.0",
                provider,
                externalUrl: "https://staging-gitlab.nexora.restry.cn",
                sshHost: "staging-ssh.nexora.restry.cn",
                sshPort: 2222,
                edgeNetwork: EDGE_NETWORK,
                dataNetwork: DATA_NETWORK,
                caddyAddress: "172.30.20.254",
                database: databaseCredentials("gitlab", "Pg0gitlabDbPassword0123456789abc"),
            },
            { dependsOn: [marker] },
        );
        await mocks.settled();
        const container = mocks.get(T.container, "gitlab-container");
        const waitSeconds = container.inputs.waitTimeout as number;
        expect(waitSeconds).toBeGreaterThan(PROVIDER_DEFAULT_TIMEOUT_SECONDS);
        expect(minutes(container.options.customTimeouts.create) * 60).toBeGreaterThan(waitSeconds);
        expect(minutes(container.options.customTimeouts.update) * 60).toBeGreaterThan(waitSeconds);
    });
});
