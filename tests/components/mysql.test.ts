import { shellQuote } from "../../components/docker/exec";
import { MYSQL_PROVISIONING_SCRIPT, MYSQL_ROOT_PASSWORD_RECORD } from "../../components/mysql/mysql";
import { beforeEach, describe, expect, it } from "vitest";
import { Mysql, mysqlIdentifier } from "../../components/mysql/mysql";
import { isSecretOutput, type MockRecorder, mockRandomValue, outputOf, setupMocks } from "../support/mocks";
import { APPS_DATA_NETWORK, DOCKER_HOST, envMap, inventoryOf, containerLabelsFor, T, urnOf, testHost } from "./support";

const IMAGE = "mysql:8.4.3";
const CONSUMERS = ["pyerp", "erp-dev"];

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function build(consumers: readonly string[] = CONSUMERS) {
    return new Mysql("mysql", { host: testHost(), image: IMAGE, consumers });
}

describe("mysqlIdentifier", () => {
    it("turns app-key hyphens into underscores", () => {
        expect(mysqlIdentifier("erp-dev")).toBe("erp_dev");
        expect(mysqlIdentifier("a-b-c")).toBe("a_b_c");
        expect(mysqlIdentifier("pyerp")).toBe("pyerp");
    });
});

describe("Mysql", () => {
    it("registers exactly its root and per-app passwords, data volume, image, container and provisioning command", async () => {
        build();
        await mocks.settled();
        const component = mocks.get("nexora:mysql:Mysql", "mysql");
        expect(inventoryOf(mocks, component)).toEqual(
            [
                `${T.command} mysql-provisioning`,
                `${T.container} mysql-container`,
                `${T.image} mysql-image`,
                `${T.volume} mysql-data`,
                `${T.randomPassword} mysql-root-password`,
                `${T.randomPassword} mysql-pyerp-password`,
                `${T.randomPassword} mysql-erp-dev-password`,
            ].sort(),
        );
        for (const p of mocks.ofType(T.randomPassword)) expect(p.inputs.length).toBeGreaterThanOrEqual(24);
    });

    it("names users and databases with underscores where app keys have hyphens", async () => {
        const mysql = build();
        expect(Object.keys(mysql.credentials).sort()).toEqual(["erp-dev", "pyerp"]);
        const erpDev = mysql.credentials["erp-dev"]!;
        expect([erpDev.host, erpDev.port, erpDev.database, erpDev.username]).toEqual(["nexora-staging-mysql", 3306, "erp_dev", "erp_dev"]);
        expect(await outputOf(erpDev.password)).toBe(mockRandomValue("mysql-erp-dev-password", 32));
        expect(await isSecretOutput(erpDev.password)).toBe(true);
        await mocks.settled();
        const sql: string = mocks.get(T.command, "mysql-provisioning").inputs.stdin;
        expect(sql).toContain("CREATE DATABASE IF NOT EXISTS `erp_dev`");
        expect(sql).toContain("CREATE USER IF NOT EXISTS 'erp_dev'@'%'");
        expect(sql).toContain("CREATE USER IF NOT EXISTS 'pyerp'@'%'");
        expect(sql).not.toContain("erp-dev");
    });

    it("runs only on the apps-data network with no published port, the root password a secret env entry", async () => {
        build();
        await mocks.settled();
        const container = mocks.get(T.container, "mysql-container");
        expect(container.inputs).toMatchObject({
            name: "nexora-staging-mysql",
            networksAdvanced: [{ name: APPS_DATA_NETWORK }],
            ports: [],
            mounts: [{ type: "volume", source: "nexora-staging-mysql-data", target: "/var/lib/mysql", readOnly: false }],
            labels: containerLabelsFor("mysql", "datastore"),
            wait: true,
            waitTimeout: 300,
        });
        expect(container.secretInputs).toContain("envs");
        expect(envMap(container.inputs.envs)).toEqual({ MYSQL_ROOT_PASSWORD: mockRandomValue("mysql-root-password", 32) });
        const volume = mocks.get(T.volume, "mysql-data");
        expect([volume.options.protect, volume.options.retainOnDelete]).toEqual([true, true]);
    });

    it("provisions after the container, with the SQL as secret stdin and the root password read inside the container", async () => {
        const mysql = build();
        await mocks.settled();
        const cmd = mocks.get(T.command, "mysql-provisioning");
        expect(cmd.inputs.create).toBe(`docker exec -i nexora-staging-mysql sh -c ${shellQuote(MYSQL_PROVISIONING_SCRIPT)}`);
        // The root password is read from the container's env (or the record in its volume), never written into the command.
        expect(MYSQL_PROVISIONING_SCRIPT).toContain('"$MYSQL_ROOT_PASSWORD"');
        expect(MYSQL_PROVISIONING_SCRIPT).toContain(MYSQL_ROOT_PASSWORD_RECORD);
        expect(cmd.inputs.environment).toEqual({ DOCKER_HOST });
        expect(cmd.secretInputs).toContain("stdin");
        expect(cmd.options.dependencies).toContain(await urnOf(mysql.container));
        expect(cmd.inputs.stdin).not.toContain(mockRandomValue("mysql-root-password", 32));
        for (const name of ["mysql-root-password", "mysql-pyerp-password", "mysql-erp-dev-password"]) {
            expect(mocks.plaintextLeaks(mockRandomValue(name, 32))).toEqual([]);
        }
    });

    it("re-runs provisioning, not the container, when an app is added", async () => {
        const evaluate = async (consumers: readonly string[]) => {
            mocks = setupMocks({ stack: "staging" });
            build(consumers);
            await mocks.settled();
            return { container: mocks.get(T.container, "mysql-container"), cmd: mocks.get(T.command, "mysql-provisioning") };
        };
        const before = await evaluate(["pyerp"]);
        const after = await evaluate(["pyerp", "hjhs"]);
        expect(after.container.inputs).toEqual(before.container.inputs);
        expect(after.cmd.inputs.stdin).toContain("'hjhs'@'%'");
        expect(before.cmd.inputs.stdin).not.toContain("hjhs");
        expect(after.cmd.inputs.triggers).not.toEqual(before.cmd.inputs.triggers);
    });
});
