import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { Outline, type OutlineArgs } from "../../components/outline/outline";
import { type MockRecorder, mockRandomBytes, mockRandomValue, setupMocks } from "../support/mocks";
import { DATA_NETWORK, databaseCredentials, dockerProvider, EDGE_NETWORK, envMap, inventoryOf, containerLabelsFor, T, urnOf, testHost } from "./support";

const IMAGE = "outlinewiki/outline:0.85.1";
const URL = "https://staging-outline.nexora.restry.cn";
const DB_PASSWORD = "Pg0outlineDbPassword0123456789ab";
const REDIS_PASSWORD = "Rd0redisPassword0123456789abcdef";
const CLIENT_SECRET = "gloas-outline-client-secret-0123456789";

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function build(overrides: Partial<OutlineArgs> = {}) {
    const provider = dockerProvider();
    const provisioning = new docker.Network("provisioning-marker", { name: "nexora-staging-marker" }, { provider });
    const outline = new Outline(
        "outline",
        {
            host: testHost({ provider }),
            image: IMAGE,
            url: URL,
            database: databaseCredentials("outline", DB_PASSWORD),
            redis: { host: "nexora-staging-redis", port: 6379, password: REDIS_PASSWORD },
            ...overrides,
        },
        { dependsOn: [provisioning] },
    );
    return { provisioning, outline };
}

async function containerEnv(): Promise<Record<string, string>> {
    await mocks.settled();
    return envMap(mocks.get(T.container, "outline-container").inputs.envs);
}

describe("Outline", () => {
    it("registers exactly its secret key, utils secret, data volume, image and container", async () => {
        build();
        await mocks.settled();
        expect(inventoryOf(mocks, mocks.get("nexora:outline:Outline", "outline"))).toEqual(
            [
                `${T.randomBytes} outline-secret-key`,
                `${T.randomPassword} outline-utils-secret`,
                `${T.volume} outline-data`,
                `${T.image} outline-image`,
                `${T.container} outline-container`,
            ].sort(),
        );
    });

    it("derives SECRET_KEY from 32 random bytes as 64 hex characters", async () => {
        build();
        const env = await containerEnv();
        expect(mocks.get(T.randomBytes, "outline-secret-key").inputs).toEqual({ length: 32 });
        expect(env.SECRET_KEY).toBe(mockRandomBytes("outline-secret-key", 32).toString("hex"));
        expect(env.SECRET_KEY).toMatch(/^[0-9a-f]{64}$/);
        expect(env.UTILS_SECRET).toBe(mockRandomValue("outline-utils-secret", 32));
    });

    it("sets every key Outline needs to start on PostgreSQL, Redis and local file storage", async () => {
        build();
        const env = await containerEnv();
        expect(env).toMatchObject({
            URL,
            PORT: "3000",
            DATABASE_URL: `postgres://outline:${DB_PASSWORD}@nexora-staging-postgres:5432/outline`,
            PGSSLMODE: "disable",
            REDIS_URL: `redis://:${REDIS_PASSWORD}@nexora-staging-redis:6379`,
            FILE_STORAGE: "local",
            FILE_STORAGE_LOCAL_ROOT_DIR: "/var/lib/outline/data",
            NODE_ENV: "production",
        });
        expect(Object.keys(env).filter((k) => k.startsWith("OIDC_"))).toEqual([]);
    });

    it("keeps DATABASE_URL and the generated secrets out of plaintext", async () => {
        build();
        await mocks.settled();
        const container = mocks.get(T.container, "outline-container");
        expect(container.secretInputs).toContain("envs");
        expect(mocks.plaintextLeaks(DB_PASSWORD)).toEqual([]);
        expect(mocks.plaintextLeaks(mockRandomBytes("outline-secret-key", 32).toString("hex"))).toEqual([]);
        expect(mocks.plaintextLeaks(mockRandomValue("outline-utils-secret", 32))).toEqual([]);
    });

    it("appends the OIDC settings when given, keeping them secret", async () => {
        const oidcEnv = [
            pulumi.secret("OIDC_CLIENT_ID=cid-outline"),
            pulumi.secret(`OIDC_CLIENT_SECRET=${CLIENT_SECRET}`),
            "OIDC_AUTH_URI=https://staging-gitlab.nexora.restry.cn/oauth/authorize",
        ];
        build({ oidcEnv });
        await mocks.settled();
        const envs: string[] = mocks.get(T.container, "outline-container").inputs.envs;
        expect(envs.slice(-3)).toEqual([
            "OIDC_CLIENT_ID=cid-outline",
            `OIDC_CLIENT_SECRET=${CLIENT_SECRET}`,
            "OIDC_AUTH_URI=https://staging-gitlab.nexora.restry.cn/oauth/authorize",
        ]);
        expect(envMap(envs).URL).toBe(URL);
        expect(mocks.plaintextLeaks(CLIENT_SECRET)).toEqual([]);
    });

    it("joins edge and data networks, stores files on a protected volume, and waits for health", async () => {
        build();
        await mocks.settled();
        const container = mocks.get(T.container, "outline-container");
        expect(container.inputs).toMatchObject({
            name: "nexora-staging-outline",
            networksAdvanced: [{ name: EDGE_NETWORK }, { name: DATA_NETWORK }],
            mounts: [{ type: "volume", source: "nexora-staging-outline-data", target: "/var/lib/outline/data", readOnly: false }],
            ports: [],
            labels: containerLabelsFor("outline", "platform"),
            wait: true,
            waitTimeout: 300,
        });
        const volume = mocks.get(T.volume, "outline-data");
        expect([volume.options.protect, volume.options.retainOnDelete]).toEqual([true, true]);
    });

    it("is created only after its dependencies (database provisioning, Redis)", async () => {
        const { provisioning } = build();
        await mocks.settled();
        expect(mocks.get(T.container, "outline-container").options.dependencies).toContain(await urnOf(provisioning));
    });
});
