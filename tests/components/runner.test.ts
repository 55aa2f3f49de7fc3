import { beforeEach, describe, expect, it } from "vitest";
import { GITLAB_PROVIDER_VERSION, Provider as GitlabProvider } from "../../components/gitlab/provider";
import { GitlabRunner, type GitlabRunnerArgs } from "../../components/runner/runner";
import { type MockRecorder, mockRandomBytes, setupMocks } from "../support/mocks";
import { DOCKER_HOST, EDGE_NETWORK, inventoryOf, containerLabelsFor, providerRef, T, urnOf, testHost } from "./support";

const IMAGE = "gitlab/gitlab-runner:v18.11.0";
const GITLAB_URL = "https://staging-gitlab.nexora.restry.cn";
const USER_RUNNER = "gitlab:index/userRunner:UserRunner";
const RUNNER_TOKEN = "glrt-" + mockRandomBytes("gitlab-runner-registration:runner-token", 20).toString("hex");

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function build(overrides: Partial<GitlabRunnerArgs> = {}) {
    const gitlabProvider = new GitlabProvider("gitlab", { baseUrl: `${GITLAB_URL}/api/v4/`, token: "glpat-test-admin-token" });
    const runner = new GitlabRunner("gitlab-runner", {
        host: testHost(),
        image: IMAGE,
        gitlabUrl: GITLAB_URL,
        gitlabProvider,
        ...overrides,
    });
    return { gitlabProvider, runner };
}

describe("GitlabRunner", () => {
    it("registers exactly its config volume, image, container, GitLab runner and register command", async () => {
        build();
        await mocks.settled();
        expect(inventoryOf(mocks, mocks.get("nexora:runner:GitlabRunner", "gitlab-runner"))).toEqual(
            [
                `${T.volume} gitlab-runner-config`,
                `${T.image} gitlab-runner-image`,
                `${T.container} gitlab-runner-container`,
                `${USER_RUNNER} gitlab-runner-registration`,
                `${T.command} gitlab-runner-register`,
            ].sort(),
        );
    });

    it("keeps its registration on a protected config volume and drives the host's Docker through the socket", async () => {
        build();
        await mocks.settled();
        expect(mocks.get(T.container, "gitlab-runner-container").inputs).toMatchObject({
            name: "nexora-staging-gitlab-runner",
            networksAdvanced: [{ name: EDGE_NETWORK }],
            ports: [],
            labels: containerLabelsFor("gitlab-runner", "platform"),
            mounts: [
                { type: "volume", source: "nexora-staging-gitlab-runner-config", target: "/etc/gitlab-runner", readOnly: false },
                { type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: false },
            ],
        });
        const volume = mocks.get(T.volume, "gitlab-runner-config");
        expect([volume.options.protect, volume.options.retainOnDelete]).toEqual([true, true]);
    });

    it("has GitLab issue an instance runner through the gitlab provider, tagged for the stack", async () => {
        const { gitlabProvider } = build();
        await mocks.settled();
        const runner = mocks.get(USER_RUNNER, "gitlab-runner-registration");
        expect(runner.inputs).toEqual({
            runnerType: "instance_type",
            description: "nexora-staging-docker-runner",
            tagLists: ["docker", "staging"],
            untagged: true,
            accessLevel: "not_protected",
        });
        expect(runner.provider).toBe(await providerRef(gitlabProvider));
        expect(runner.options.version).toBe(GITLAB_PROVIDER_VERSION);
        expect(runner.options.additionalSecretOutputs).toContain("token");
    });

    it("registers inside the running container with the runner token on secret stdin only", async () => {
        const { runner } = build();
        await mocks.settled();
        const cmd = mocks.get(T.command, "gitlab-runner-register");
        expect(cmd.inputs.stdin).toBe(RUNNER_TOKEN);
        expect(cmd.secretInputs).toContain("stdin");
        expect(mocks.plaintextLeaks(RUNNER_TOKEN)).toEqual([]);
        expect(cmd.inputs.environment).toEqual({ DOCKER_HOST });
        expect(cmd.inputs.create).toMatch(/^docker exec -i nexora-staging-gitlab-runner sh -c '/);
        expect(cmd.inputs.create).toContain(`--url '\\''${GITLAB_URL}'\\''`);
        expect(cmd.inputs.create).toContain(`--docker-image '\\''alpine:3.22'\\''`);
        expect(cmd.options.dependencies).toContain(await urnOf(runner.container));
        expect(cmd.options.dependencies).toContain(mocks.get(USER_RUNNER, "gitlab-runner-registration").urn);
    });

    it("uses the configured default job image", async () => {
        build({ defaultJobImage: "node:22-bookworm" });
        await mocks.settled();
        expect(mocks.get(T.command, "gitlab-runner-register").inputs.create).toContain(`--docker-image '\\''node:22-bookworm'\\''`);
    });
});
