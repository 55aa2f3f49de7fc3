import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { Grafana, type GrafanaArgs } from "../../components/grafana/grafana";
import { isSecretOutput, type MockRecorder, mockRandomValue, outputOf, setupMocks } from "../support/mocks";
import { DATA_NETWORK, databaseCredentials, dockerProvider, EDGE_NETWORK, envMap, inventoryOf, containerLabelsFor, T, urnOf, testHost } from "./support";

const IMAGE = "grafana/grafana-oss:11.4.0";
const URL = "https://staging-grafana.nexora.restry.cn";
const DB_PASSWORD = "Pg0grafanaDbPassword0123456789ab";
const ADMIN_PASSWORD = mockRandomValue("grafana-admin-password", 32);

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function build(overrides: Partial<GrafanaArgs> = {}) {
    const provider = dockerProvider();
    const provisioning = new docker.Network("provisioning-marker", { name: "nexora-staging-marker" }, { provider });
    const grafana = new Grafana(
        "grafana",
        {
            host: testHost({ provider }),
            image: IMAGE,
            url: URL,
            database: databaseCredentials("grafana", DB_PASSWORD),
            ...overrides,
        },
        { dependsOn: [provisioning] },
    );
    return { provisioning, grafana };
}

describe("Grafana", () => {
    it("registers exactly its admin password, data volume, image and container", async () => {
        build();
        await mocks.settled();
        expect(inventoryOf(mocks, mocks.get("nexora:grafana:Grafana", "grafana"))).toEqual(
            [`${T.randomPassword} grafana-admin-password`, `${T.volume} grafana-data`, `${T.image} grafana-image`, `${T.container} grafana-container`].sort(),
        );
        expect(mocks.get(T.randomPassword, "grafana-admin-password").inputs.length).toBeGreaterThanOrEqual(24);
    });

    it("never runs with admin/admin: the admin password is generated and secret", async () => {
        const { grafana } = build();
        await mocks.settled();
        const container = mocks.get(T.container, "grafana-container");
        const env = envMap(container.inputs.envs);
        expect(env.GF_SECURITY_ADMIN_USER).toBe("admin");
        expect(env.GF_SECURITY_ADMIN_PASSWORD).toBe(ADMIN_PASSWORD);
        expect(env.GF_SECURITY_ADMIN_PASSWORD).not.toBe("admin");
        expect(container.secretInputs).toContain("envs");
        expect(mocks.plaintextLeaks(ADMIN_PASSWORD)).toEqual([]);
        expect(await outputOf(grafana.adminPassword)).toBe(ADMIN_PASSWORD);
        expect(await isSecretOutput(grafana.adminPassword)).toBe(true);
    });

    it("stores its state in the shared PostgreSQL through GF_DATABASE_*, the password never in plaintext", async () => {
        build();
        await mocks.settled();
        const env = envMap(mocks.get(T.container, "grafana-container").inputs.envs);
        expect(env).toMatchObject({
            GF_SERVER_ROOT_URL: URL,
            GF_SERVER_HTTP_PORT: "3000",
            GF_DATABASE_TYPE: "postgres",
            GF_DATABASE_HOST: "nexora-staging-postgres:5432",
            GF_DATABASE_NAME: "grafana",
            GF_DATABASE_USER: "grafana",
            GF_DATABASE_PASSWORD: DB_PASSWORD,
            GF_DATABASE_SSL_MODE: "disable",
            GF_USERS_ALLOW_SIGN_UP: "false",
        });
        expect(mocks.plaintextLeaks(DB_PASSWORD)).toEqual([]);
    });

    it("appends the GitLab OAuth settings when given", async () => {
        build({ oauthEnv: ["GF_AUTH_GITLAB_ENABLED=true", pulumi.secret("GF_AUTH_GITLAB_CLIENT_SECRET=gloas-grafana-secret-0123")] });
        await mocks.settled();
        const envs: string[] = mocks.get(T.container, "grafana-container").inputs.envs;
        expect(envs.slice(-2)).toEqual(["GF_AUTH_GITLAB_ENABLED=true", "GF_AUTH_GITLAB_CLIENT_SECRET=gloas-grafana-secret-0123"]);
        expect(mocks.plaintextLeaks("gloas-grafana-secret-0123")).toEqual([]);
    });

    it("joins edge and data networks with a protected data volume, after its database is provisioned", async () => {
        const { provisioning } = build();
        await mocks.settled();
        const container = mocks.get(T.container, "grafana-container");
        expect(container.inputs).toMatchObject({
            name: "nexora-staging-grafana",
            networksAdvanced: [{ name: EDGE_NETWORK }, { name: DATA_NETWORK }],
            mounts: [{ type: "volume", source: "nexora-staging-grafana-data", target: "/var/lib/grafana", readOnly: false }],
            ports: [],
            labels: containerLabelsFor("grafana", "platform"),
        });
        expect(container.options.dependencies).toContain(await urnOf(provisioning));
        const volume = mocks.get(T.volume, "grafana-data");
        expect([volume.options.protect, volume.options.retainOnDelete]).toEqual([true, true]);
    });
});
