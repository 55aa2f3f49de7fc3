import { beforeEach, describe, expect, it } from "vitest";
import { Postgres, type PostgresConsumerSpec } from "../../components/postgres/postgres";
import { isSecretOutput, type MockRecorder, mockRandomValue, outputOf, setupMocks } from "../support/mocks";
import { DATA_NETWORK, DOCKER_HOST, dockerProvider, envMap, inventoryOf, containerLabelsFor, providerRef, T, urnOf, testHost } from "./support";

const IMAGE = "postgres:16.4-bookworm";
const CONSUMERS: PostgresConsumerSpec[] = [{ name: "gitlab", extensions: ["pg_trgm", "btree_gist", "plpgsql", "amcheck"] }, { name: "outline" }];

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function build(consumers: readonly PostgresConsumerSpec[] = CONSUMERS) {
    const provider = dockerProvider();
    const postgres = new Postgres("postgres", { host: testHost({ provider }), image: IMAGE, consumers });
    return { provider, postgres };
}

describe("Postgres", () => {
    it("registers exactly its passwords, data volume, image, container and provisioning command as children", async () => {
        build();
        await mocks.settled();
        const component = mocks.get("nexora:postgres:Postgres", "postgres");
        expect(inventoryOf(mocks, component)).toEqual(
            [
                `${T.command} postgres-provisioning`,
                `${T.container} postgres-container`,
                `${T.volume} postgres-data`,
                `${T.image} postgres-image`,
                `${T.randomPassword} postgres-gitlab-password`,
                `${T.randomPassword} postgres-outline-password`,
                `${T.randomPassword} postgres-superuser-password`,
            ].sort(),
        );
    });

    it("generates one password per consumer plus the superuser's, each at least 24 letters and digits", async () => {
        build();
        await mocks.settled();
        const passwords = mocks.ofType(T.randomPassword);
        expect(passwords.map((p) => p.name).sort()).toEqual(["postgres-gitlab-password", "postgres-outline-password", "postgres-superuser-password"]);
        for (const p of passwords) {
            expect(p.inputs.length).toBeGreaterThanOrEqual(24);
            expect(p.inputs.special).toBe(false);
        }
    });

    it("hands each consumer credentials for its own role and database, the password a secret", async () => {
        const { postgres } = build();
        expect(Object.keys(postgres.credentials).sort()).toEqual(["gitlab", "outline"]);
        const gitlab = postgres.credentials.gitlab!;
        expect({ ...gitlab, password: undefined }).toEqual({
            host: "nexora-staging-postgres",
            port: 5432,
            database: "gitlab",
            username: "gitlab",
            password: undefined,
        });
        expect(await outputOf(gitlab.password)).toBe(mockRandomValue("postgres-gitlab-password", 32));
        expect(await isSecretOutput(gitlab.password)).toBe(true);
        expect(await outputOf(postgres.credentials.outline!.password)).toBe(mockRandomValue("postgres-outline-password", 32));
        expect(postgres.host).toBe("nexora-staging-postgres");
    });

    it("runs one container only on the data network, publishing no port, with its data on a protected volume", async () => {
        const { provider } = build();
        await mocks.settled();
        const container = mocks.get(T.container, "postgres-container");
        expect(mocks.ofType(T.container)).toHaveLength(1);
        expect(container.provider).toBe(await providerRef(provider));
        expect(container.inputs).toMatchObject({
            name: "nexora-staging-postgres",
            networksAdvanced: [{ name: DATA_NETWORK }],
            ports: [],
            mounts: [{ type: "volume", source: "nexora-staging-postgres-data", target: "/var/lib/postgresql/data", readOnly: false }],
            labels: containerLabelsFor("postgres", "datastore"),
            healthcheck: { tests: ["CMD-SHELL", "pg_isready -U postgres -d postgres -h 127.0.0.1"], interval: "10s" },
            wait: true,
            waitTimeout: 300,
            shmSize: 256,
        });
        expect(mocks.get(T.image, "postgres-image").inputs.name).toBe(IMAGE);
        const volume = mocks.get(T.volume, "postgres-data");
        expect(volume.options.protect).toBe(true);
        expect(volume.options.retainOnDelete).toBe(true);
    });

    it("sets the superuser password through a secret env entry", async () => {
        build();
        await mocks.settled();
        const container = mocks.get(T.container, "postgres-container");
        expect(container.secretInputs).toContain("envs");
        expect(envMap(container.inputs.envs)).toEqual({
            POSTGRES_PASSWORD: mockRandomValue("postgres-superuser-password", 32),
            POSTGRES_USER: "postgres",
            POSTGRES_INITDB_ARGS: "--auth-host=scram-sha-256",
        });
    });

    it("never sends a generated password in plaintext", async () => {
        build();
        await mocks.settled();
        for (const name of ["postgres-superuser-password", "postgres-gitlab-password", "postgres-outline-password"]) {
            expect(mocks.plaintextLeaks(mockRandomValue(name, 32))).toEqual([]);
        }
    });

    it("provisions through psql inside the container, after the container, with the SQL as secret stdin naming every role", async () => {
        const { postgres } = build();
        await mocks.settled();
        const cmd = mocks.get(T.command, "postgres-provisioning");
        expect(cmd.inputs.create).toBe(
            "docker exec -i nexora-staging-postgres sh -c 'exec psql -v ON_ERROR_STOP=1 -v VERBOSITY=terse --no-psqlrc -q -U postgres -d postgres -f -'",
        );
        expect(cmd.inputs.update).toBe(cmd.inputs.create);
        expect(cmd.inputs.environment).toEqual({ DOCKER_HOST });
        expect(cmd.options.dependencies).toContain(await urnOf(postgres.container));
        expect(cmd.secretInputs).toContain("stdin");
        const sql: string = cmd.inputs.stdin;
        expect(sql).toContain(`ALTER ROLE "gitlab" WITH LOGIN`);
        expect(sql).toContain(`ALTER ROLE "outline" WITH LOGIN`);
        expect(sql).toContain(mockRandomValue("postgres-gitlab-password", 32));
        expect(sql).toContain(mockRandomValue("postgres-outline-password", 32));
        expect(sql).toMatch(/CREATE EXTENSION IF NOT EXISTS "?amcheck"?/);
        // The superuser password stays in the container's env; the script never carries it.
        expect(sql).not.toContain(mockRandomValue("postgres-superuser-password", 32));
        expect(cmd.inputs.triggers).toHaveLength(1);
        expect(cmd.inputs.triggers[0]).toMatch(/^[0-9a-f]{64}$/);
    });
});

describe("Postgres when a consumer is added", () => {
    async function evaluate(consumers: readonly PostgresConsumerSpec[]) {
        mocks = setupMocks({ stack: "staging" });
        build(consumers);
        await mocks.settled();
        return { container: mocks.get(T.container, "postgres-container"), provisioning: mocks.get(T.command, "postgres-provisioning") };
    }

    it("re-runs provisioning with the new role and leaves the container's inputs alone (no replacement)", async () => {
        const before = await evaluate([CONSUMERS[0]!]);
        const after = await evaluate(CONSUMERS);
        expect(after.container.inputs).toEqual(before.container.inputs);
        expect(before.provisioning.inputs.stdin).not.toContain(`"outline"`);
        expect(after.provisioning.inputs.stdin).toContain(`ALTER ROLE "outline"`);
        expect(after.provisioning.inputs.triggers).not.toEqual(before.provisioning.inputs.triggers);
        expect(after.provisioning.inputs.create).toBe(before.provisioning.inputs.create);
    });
});
