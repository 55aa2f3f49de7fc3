import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { BusinessApp, type BusinessAppArgs } from "../../components/apps/app";
import type { AppSettings } from "../../components/config";
import { type MockRecorder, mockRandomValue, setupMocks } from "../support/mocks";
import {
    APPS_DATA_NETWORK,
    databaseCredentials,
    dockerProvider,
    EDGE_NETWORK,
    envMap,
    inventoryOf,
    containerLabelsFor,
    providerRef,
    T,
    testHost,
    urnOf,
} from "./support";

const SMTP_PASSWORD = "smtp-Secret-Value-0123456789";
const DB_PASSWORD = "My0pyerpDbPassword0123456789abcd";
const CLIENT_SECRET = "gloas-pyerp-client-secret-0123456789";

const PYERP: AppSettings = {
    key: "pyerp",
    subdomain: "pyerp",
    image: "registry.nexora.restry.cn/apps/pyerp:2.3.1",
    port: 8000,
    healthPath: "/healthz",
    env: { TZ: "Asia/Shanghai", APP_ENV: "staging" },
    secretEnv: { SMTP_PASSWORD: "pyerpSmtpPassword" },
    generatedSecrets: ["SESSION_SECRET", "JWT_KEY"],
    database: true,
    sso: { redirectPath: "/oauth/callback", scopes: ["openid", "profile", "email"] },
    memoryMiB: 512,
    releaseTimeoutSeconds: 180,
};

const HJHS: AppSettings = {
    key: "hjhs",
    subdomain: "hjhs",
    image: "registry.nexora.restry.cn/apps/hjhs:1.0.4",
    port: 3000,
    healthPath: "/",
    env: {},
    secretEnv: {},
    generatedSecrets: [],
    database: false,
    releaseTimeoutSeconds: 180,
};

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function build(app: AppSettings, overrides: Partial<BusinessAppArgs> = {}) {
    const provider = dockerProvider();
    const provisioning = new docker.Network("provisioning-marker", { name: "nexora-staging-marker" }, { provider });
    const component = new BusinessApp(
        `app-${app.key}`,
        {
            host: testHost({ provider }),
            app,
            database: app.database ? databaseCredentials(app.key, DB_PASSWORD, "nexora-staging-mysql", 3306) : undefined,
            secretValues: { pyerpSmtpPassword: pulumi.secret(SMTP_PASSWORD) },
            ssoEnv: app.sso
                ? [
                      pulumi.secret("OAUTH_CLIENT_ID=cid-pyerp"),
                      pulumi.secret(`OAUTH_CLIENT_SECRET=${CLIENT_SECRET}`),
                      "OAUTH_ISSUER=https://staging-gitlab.nexora.restry.cn",
                  ]
                : undefined,
            edge: { caddyContainerName: "nexora-staging-caddy", after: [] },
            ...overrides,
        },
        { dependsOn: app.database ? [provisioning] : [] },
    );
    return { provider, provisioning, component };
}

async function envOf(app: AppSettings): Promise<Record<string, string>> {
    await mocks.settled();
    return envMap(mocks.get(T.container, `app-${app.key}-container`).inputs.envs);
}

describe("BusinessApp", () => {
    it("registers exactly one 48-character generated secret per generatedSecrets entry, its image and its container", async () => {
        build(PYERP);
        await mocks.settled();
        expect(inventoryOf(mocks, mocks.get("nexora:apps:BusinessApp", "app-pyerp"))).toEqual(
            [
                `${T.randomPassword} app-pyerp-session-secret`,
                `${T.randomPassword} app-pyerp-jwt-key`,
                `${T.image} app-pyerp-image`,
                `${T.randomId} app-pyerp-release`,
                `${T.container} app-pyerp-container`,
                `${T.command} app-pyerp-gate`,
                `${T.command} app-pyerp-switch`,
            ].sort(),
        );
        for (const name of ["app-pyerp-session-secret", "app-pyerp-jwt-key"]) {
            expect(mocks.get(T.randomPassword, name).inputs).toMatchObject({ length: 48, special: false });
        }
    });

    it("builds its env from config, secret config values, generated secrets, its database and its SSO client", async () => {
        build(PYERP);
        expect(await envOf(PYERP)).toEqual({
            TZ: "Asia/Shanghai",
            APP_ENV: "staging",
            SMTP_PASSWORD,
            SESSION_SECRET: mockRandomValue("app-pyerp-session-secret", 48),
            JWT_KEY: mockRandomValue("app-pyerp-jwt-key", 48),
            DB_HOST: "nexora-staging-mysql",
            DB_PORT: "3306",
            DB_NAME: "pyerp",
            DB_USER: "pyerp",
            DB_PASSWORD,
            OAUTH_CLIENT_ID: "cid-pyerp",
            OAUTH_CLIENT_SECRET: CLIENT_SECRET,
            OAUTH_ISSUER: "https://staging-gitlab.nexora.restry.cn",
        });
    });

    it("sorts the env entries so their order never changes the container's inputs", async () => {
        build(PYERP);
        await mocks.settled();
        const envs: string[] = mocks.get(T.container, "app-pyerp-container").inputs.envs;
        expect(envs).toEqual([...envs].sort());
    });

    it("keeps every secret value out of plaintext", async () => {
        build(PYERP);
        await mocks.settled();
        expect(mocks.get(T.container, "app-pyerp-container").secretInputs).toContain("envs");
        for (const value of [
            SMTP_PASSWORD,
            DB_PASSWORD,
            CLIENT_SECRET,
            mockRandomValue("app-pyerp-session-secret", 48),
            mockRandomValue("app-pyerp-jwt-key", 48),
        ]) {
            expect(mocks.plaintextLeaks(value)).toEqual([]);
        }
    });

    it("keeps a secret config value secret even when it is the app's only secret", async () => {
        build({ ...HJHS, secretEnv: { SMTP_PASSWORD: "pyerpSmtpPassword" } });
        await mocks.settled();
        const container = mocks.get(T.container, "app-hjhs-container");
        expect(container.inputs.envs).toEqual([`SMTP_PASSWORD=${SMTP_PASSWORD}`]);
        expect(container.secretInputs).toContain("envs");
        expect(mocks.plaintextLeaks(SMTP_PASSWORD)).toEqual([]);
    });

    it("joins the data network only when it has a database, and then waits for the database", async () => {
        const { provisioning, provider } = build(PYERP);
        await mocks.settled();
        const container = mocks.get(T.container, "app-pyerp-container");
        expect(container.provider).toBe(await providerRef(provider));
        // Each release: the app's base name and the release id (docker/release.ts).
        expect(container.inputs.name).toBe(`nexora-staging-pyerp-${mocks.get(T.randomId, "app-pyerp-release").outputs.hex as string}`);
        expect(container.inputs.name).toMatch(/^nexora-staging-pyerp-[0-9a-f]{8}$/);
        expect(container.inputs).toMatchObject({
            networksAdvanced: [{ name: EDGE_NETWORK }, { name: APPS_DATA_NETWORK }],
            labels: containerLabelsFor("pyerp", "app", 512),
            ports: [],
            mounts: [],
            memory: 512,
            healthcheck: {
                tests: ["CMD-SHELL", "wget -q --spider http://127.0.0.1:8000/healthz || curl -fsS -o /dev/null http://127.0.0.1:8000/healthz || exit 1"],
                startPeriod: "1m0s",
            },
        });
        expect(container.options.dependencies).toContain(await urnOf(provisioning));
        expect(mocks.get(T.image, "app-pyerp-image").inputs).toEqual({ name: PYERP.image, keepLocally: true });
    });

    it("without database, SSO or secrets: the edge network only and only its plain env", async () => {
        build(HJHS);
        await mocks.settled();
        const container = mocks.get(T.container, "app-hjhs-container");
        expect(container.inputs.networksAdvanced).toEqual([{ name: EDGE_NETWORK }]);
        expect(container.inputs.envs).toEqual([]);
        expect(container.inputs).not.toHaveProperty("memory");
        expect(mocks.ofType(T.randomPassword)).toEqual([]);
        expect(inventoryOf(mocks, mocks.get("nexora:apps:BusinessApp", "app-hjhs"))).toEqual(
            [
                `${T.container} app-hjhs-container`,
                `${T.image} app-hjhs-image`,
                `${T.randomId} app-hjhs-release`,
                `${T.command} app-hjhs-gate`,
                `${T.command} app-hjhs-switch`,
            ].sort(),
        );
    });
});
