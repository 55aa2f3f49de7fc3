/**
 * The MySQL provisioning script against a real MySQL-compatible server (Debian's MariaDB:
 * `apt-get install -y mariadb-server`), applied repeatedly, then checked by logging in as each app.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderMysqlProvisioning, type MysqlConsumer } from "../../components/mysql/sql";
import { startMariadb, type MysqlResult, type TestMariadb } from "./mariadb";

// Quotes, backslashes (including one before the closing quote), client commands and a statement break.
const hostilePassword = String.raw`it's \\ "x" \' \G \c ; DROP DATABASE pyerp; -- %_ $$ \ end\\`;

const pyerp: MysqlConsumer = { user: "pyerp", database: "pyerp", password: "pyerp-first-secret" };
const erpDev: MysqlConsumer = { user: "erp_dev", database: "erp_dev", password: hostilePassword };
const hjhs: MysqlConsumer = { user: "hjhs", database: "hjhs", password: "hjhs-密码-пароль" };
const consumers = [pyerp, erpDev, hjhs];

let server: TestMariadb;

beforeAll(async () => {
    server = await startMariadb();
});

afterAll(async () => {
    await server?.stop();
});

function root(sql: string): string {
    const result = server.asRoot(sql);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return result.stdout.trim();
}

function login(consumer: MysqlConsumer, db?: string, password = consumer.password): MysqlResult {
    return server.as({ user: consumer.user, password, db }, "SELECT CONCAT(CURRENT_USER(), ' ', IFNULL(DATABASE(), '-'));");
}

function expectLoginWorks(consumer: MysqlConsumer, password = consumer.password): void {
    const result = login(consumer, consumer.database, password);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe(`${consumer.user}@% ${consumer.database}`);
}

/** Accounts, their grants and the schemas' character sets, as text. */
function inventory(): string {
    const accounts = root("SELECT CONCAT(user, '@', host) FROM mysql.user ORDER BY user, host;");
    const grants = consumers.map((c) => root(`SHOW GRANTS FOR '${c.user}'@'%';`).replace(/PASSWORD '[^']*'/, "PASSWORD <hash>"));
    const schemas = root("SELECT CONCAT(SCHEMA_NAME, ' ', DEFAULT_CHARACTER_SET_NAME) FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME;");
    return [accounts, ...grants, schemas].join("\n");
}

describe("MySQL provisioning on a real MariaDB server", () => {
    let afterFirstRun: string;

    it("applies on an empty server and again with nothing created twice", () => {
        const script = renderMysqlProvisioning(consumers);
        root(script);
        afterFirstRun = inventory();
        root(script);
        expect(inventory()).toBe(afterFirstRun);
        expect(root("SELECT COUNT(*) FROM mysql.user WHERE user IN ('pyerp', 'erp_dev', 'hjhs');")).toBe("3");
    });

    it("creates utf8mb4 databases", () => {
        for (const consumer of consumers) expect(afterFirstRun.split("\n")).toContain(`${consumer.database} utf8mb4`);
    });

    it("grants each user its own database and no global privilege", () => {
        const grants = root("SHOW GRANTS FOR 'erp_dev'@'%';").split("\n");
        expect(grants).toHaveLength(2);
        expect(grants[0]).toMatch(/^GRANT USAGE ON \*\.\* TO `erp_dev`@`%` IDENTIFIED BY PASSWORD '/);
        expect(grants[1]).toBe("GRANT ALL PRIVILEGES ON `erp\\_dev`.* TO `erp_dev`@`%`");
        expect(root("SELECT GROUP_CONCAT(DISTINCT PRIVILEGE_TYPE) FROM information_schema.USER_PRIVILEGES WHERE GRANTEE LIKE '''pyerp''@%';")).toBe("USAGE");
    });

    it("lets each user into its own database only", () => {
        root("CREATE DATABASE IF NOT EXISTS erpXdev;");
        for (const consumer of consumers) {
            expectLoginWorks(consumer);
            const elsewhere = [...consumers.filter((c) => c !== consumer).map((c) => c.database), "mysql"];
            for (const db of elsewhere) {
                const denied = login(consumer, db);
                expect(denied.status, `${consumer.user} must not use ${db}`).toBe(1);
                expect(denied.stderr).toContain("Access denied");
            }
        }
        // The _ in erp_dev must not act as a wildcard in the grant.
        expect(login(erpDev, "erpXdev").stderr).toContain("Access denied");
    });

    it("lets the app create tables in its database", () => {
        const result = server.as({ user: pyerp.user, password: pyerp.password, db: pyerp.database }, "CREATE TABLE probe (id INT); DROP TABLE probe;");
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
    });

    it("stores passwords full of quotes, backslashes, client commands and non-ASCII exactly", () => {
        expectLoginWorks(erpDev);
        expectLoginWorks(hjhs);
        expect(login(erpDev, erpDev.database, hostilePassword.replace(/\\\\/g, "\\")).status).toBe(1);
        expect(root("SHOW DATABASES LIKE 'pyerp';")).toBe("pyerp");
    });

    it("rotates a changed password on the next run: the old one stops working, the new one works", () => {
        const rotated: MysqlConsumer = { ...pyerp, password: "pyerp-second-secret" };
        root(renderMysqlProvisioning([rotated, erpDev, hjhs]));
        expect(login(pyerp, pyerp.database).status).toBe(1);
        expectLoginWorks(rotated);
        expectLoginWorks(erpDev);
    });

    it("keeps the password exact when the server runs with NO_BACKSLASH_ESCAPES", () => {
        const globalMode = root("SELECT @@GLOBAL.sql_mode;");
        root("SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES');");
        try {
            const rotated: MysqlConsumer = { ...erpDev, password: `${hostilePassword} rotated` };
            root(renderMysqlProvisioning([pyerp, rotated, hjhs]));
            expectLoginWorks(rotated);
        } finally {
            root(`SET GLOBAL sql_mode = '${globalMode}';`);
        }
    });
});
