import * as docker from "@pulumi/docker";
import { beforeEach, describe, expect, it } from "vitest";
import { Gitlab, type GitlabArgs } from "../../components/gitlab/gitlab";
import { PROVIDER_DEFAULT_TIMEOUT_SECONDS } from "../../components/docker/service";
import { isSecretOutput, type MockRecorder, mockRandomValue, outputOf, setupMocks } from "../support/mocks";
import {
    DATA_NETWORK,
    databaseCredentials,
    dockerProvider,
    EDGE_NETWORK,
    envMap,
    inventoryOf,
    containerLabelsFor,
    ownerLabelsFor,
    providerRef,
    T,
    urnOf,
    testHost,
} from "./support";

const IMAGE = "gitlab/gitlab-ce:18.11.2-ce.0";
const CADDY_ADDRESS = "172.30.20.254";
const DB_PASSWORD = "Pg0gitlabDbPassword0123456789abc";

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function build(overrides: Partial<GitlabArgs> = {}) {
    const provider = dockerProvider();
    // Stands in for the PostgreSQL provisioning GitLab must wait for.
    const provisioning = new docker.Network("provisioning-marker", { name: "nexora-staging-marker" }, { provider });
    const gitlab = new Gitlab(
        "gitlab",
        {
            host: testHost({ provider }),
            image: IMAGE,
            externalUrl: "https://staging-gitlab.nexora.restry.cn",
            sshHost: "staging-ssh.nexora.restry.cn",
            sshPort: 2222,
            caddyAddress: CADDY_ADDRESS,
            database: databaseCredentials("gitlab", DB_PASSWORD),
            ...overrides,
        },
        { dependsOn: [provisioning] },
    );
    return { provider, provisioning, gitlab };
}

describe("Gitlab", () => {
    it("registers exactly its root password, three volumes, image and container as children", async () => {
        build();
        await mocks.settled();
        const component = mocks.get("nexora:gitlab:Gitlab", "gitlab");
        expect(inventoryOf(mocks, component)).toEqual(
            [
                `${T.randomPassword} gitlab-root-password`,
                `${T.volume} gitlab-config`,
                `${T.volume} gitlab-data`,
                `${T.volume} gitlab-logs`,
                `${T.image} gitlab-image`,
                `${T.container} gitlab-container`,
            ].sort(),
        );
        expect(mocks.get(T.randomPassword, "gitlab-root-password").inputs.length).toBeGreaterThanOrEqual(24);
    });

    it("keeps config, data and logs on three protected, retained volumes mounted where omnibus expects them", async () => {
        build();
        await mocks.settled();
        for (const purpose of ["config", "data", "logs"]) {
            const volume = mocks.get(T.volume, `gitlab-${purpose}`);
            expect(volume.inputs).toEqual({ name: `nexora-staging-gitlab-${purpose}`, labels: ownerLabelsFor("gitlab", "platform") });
            expect([volume.options.protect, volume.options.retainOnDelete]).toEqual([true, true]);
        }
        expect(mocks.get(T.container, "gitlab-container").inputs.mounts).toEqual([
            { type: "volume", source: "nexora-staging-gitlab-config", target: "/etc/gitlab", readOnly: false },
            { type: "volume", source: "nexora-staging-gitlab-data", target: "/var/opt/gitlab", readOnly: false },
            { type: "volume", source: "nexora-staging-gitlab-logs", target: "/var/log/gitlab", readOnly: false },
        ]);
    });

    it("joins the edge and data networks, with 256 MB shm, and waits long for its first healthy boot", async () => {
        const { provider } = build();
        await mocks.settled();
        const container = mocks.get(T.container, "gitlab-container");
        expect(container.provider).toBe(await providerRef(provider));
        expect(container.inputs).toMatchObject({
            name: "nexora-staging-gitlab",
            networksAdvanced: [{ name: EDGE_NETWORK }, { name: DATA_NETWORK }],
            shmSize: 256,
            wait: true,
            labels: containerLabelsFor("gitlab", "platform"),
            healthcheck: { tests: ["CMD", "/opt/gitlab/bin/gitlab-healthcheck", "--fail", "--max-time", "10"], startPeriod: "10m0s" },
        });
        expect(container.inputs.waitTimeout).toBeGreaterThanOrEqual(900);
    });

    it("passes every setting in a secret GITLAB_OMNIBUS_CONFIG holding the external URL and the database host", async () => {
        const { gitlab } = build();
        await mocks.settled();
        const container = mocks.get(T.container, "gitlab-container");
        expect(container.secretInputs).toContain("envs");
        const env = envMap(container.inputs.envs);
        expect(Object.keys(env)).toEqual(["GITLAB_OMNIBUS_CONFIG"]);
        const rb = env.GITLAB_OMNIBUS_CONFIG!;
        expect(rb).toContain("external_url 'https://staging-gitlab.nexora.restry.cn'");
        expect(rb).toContain("gitlab_rails['db_host'] = 'nexora-staging-postgres'");
        expect(rb).toContain("gitlab_rails['db_username'] = 'gitlab'");
        expect(rb).toContain("postgresql['enable'] = false");
        expect(rb).toContain("gitlab_rails['gitlab_shell_ssh_port'] = 2222");
        expect(rb).toContain(`gitlab_rails['trusted_proxies'] = ['${CADDY_ADDRESS}']`);
        expect(rb).toContain(`gitlab_rails['initial_root_password'] = '${mockRandomValue("gitlab-root-password", 32)}'`);
        expect(await outputOf(gitlab.omnibusConfig)).toBe(rb);
        expect(await isSecretOutput(gitlab.omnibusConfig)).toBe(true);
    });

    it("never sends the database or root password in plaintext", async () => {
        const { gitlab } = build();
        await mocks.settled();
        expect(mocks.plaintextLeaks(DB_PASSWORD)).toEqual([]);
        expect(mocks.plaintextLeaks(mockRandomValue("gitlab-root-password", 32))).toEqual([]);
        expect(await isSecretOutput(gitlab.rootPassword)).toBe(true);
    });

    it("creates the container only after what it is told to depend on; the image pull waits for nothing", async () => {
        const { provisioning } = build();
        await mocks.settled();
        expect(mocks.get(T.container, "gitlab-container").options.dependencies).toContain(await urnOf(provisioning));
        expect(mocks.get(T.image, "gitlab-image").options.dependencies).toEqual([]);
    });

    it("publishes no port by default", async () => {
        build();
        await mocks.settled();
        expect(mocks.get(T.container, "gitlab-container").inputs.ports).toEqual([]);
    });

    it("publishes SSH (host port → container 22) only when asked", async () => {
        build({ publishSshPort: 2222 });
        await mocks.settled();
        expect(mocks.get(T.container, "gitlab-container").inputs.ports).toEqual([{ internal: 22, external: 2222, protocol: "tcp" }]);
    });
});

describe("GitLab's first boot", () => {
    const minutes = (goDuration: string): number => {
        const m = /^(\d+)m$/.exec(goDuration);
        if (!m) throw new Error(`not a whole-minute duration: ${JSON.stringify(goDuration)}`);
        return Number(m[1]);
    };

    it("is not cut to the Docker provider's 20 minutes: create and update outlast its health wait", async () => {
        build();
        await mocks.settled();
        const container = mocks.get(T.container, "gitlab-container");
        const waitSeconds = container.inputs.waitTimeout as number;
        expect(waitSeconds).toBeGreaterThan(PROVIDER_DEFAULT_TIMEOUT_SECONDS);
        expect(minutes(container.options.customTimeouts.create) * 60).toBeGreaterThan(waitSeconds);
        expect(minutes(container.options.customTimeouts.update) * 60).toBeGreaterThan(waitSeconds);
    });
});
