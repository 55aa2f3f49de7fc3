import { describe, expect, it } from "vitest";
import { mysqlStringLiteral, renderMysqlProvisioning, type MysqlConsumer } from "../../components/mysql/sql";

const pyerp: MysqlConsumer = { user: "pyerp", database: "pyerp", password: "pyerp-secret" };
const erpDev: MysqlConsumer = { user: "erp_dev", database: "erp_dev", password: "erp-dev-secret" };

describe("renderMysqlProvisioning", () => {
    it("creates the database and user only when missing, then sets the password and grants the database", () => {
        expect(renderMysqlProvisioning([pyerp])).toBe(
            [
                "-- Nexora MySQL provisioning. Generated: do not edit. Safe to re-run.",
                "-- Run as root through the mysql client (it stops at the first error).",
                "SET NAMES utf8mb4;",
                "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','));",
                "",
                "-- pyerp: database pyerp",
                "CREATE DATABASE IF NOT EXISTS `pyerp` CHARACTER SET utf8mb4;",
                "CREATE USER IF NOT EXISTS 'pyerp'@'%' IDENTIFIED BY 'pyerp-secret';",
                "ALTER USER 'pyerp'@'%' IDENTIFIED BY 'pyerp-secret';",
                "GRANT ALL PRIVILEGES ON `pyerp`.* TO 'pyerp'@'%';",
                "",
            ].join("\n"),
        );
    });

    it("escapes _ in the GRANT's database name, where it would be a wildcard", () => {
        const script = renderMysqlProvisioning([erpDev]);
        expect(script).toContain("GRANT ALL PRIVILEGES ON `erp\\_dev`.* TO 'erp_dev'@'%';");
        expect(script).toContain("CREATE DATABASE IF NOT EXISTS `erp_dev` CHARACTER SET utf8mb4;");
    });

    it("grants nothing global", () => {
        const script = renderMysqlProvisioning([pyerp, erpDev]);
        expect(script).not.toMatch(/ON \*\.\*/);
        expect(script).not.toMatch(/WITH GRANT OPTION/);
        expect(script.match(/^GRANT /gm)).toHaveLength(2);
    });

    it("is deterministic and independent of the order of consumers", () => {
        const first = renderMysqlProvisioning([pyerp, erpDev]);
        expect(renderMysqlProvisioning([pyerp, erpDev])).toBe(first);
        expect(renderMysqlProvisioning([erpDev, pyerp])).toBe(first);
        expect(first.indexOf("-- erp_dev")).toBeLessThan(first.indexOf("-- pyerp"));
    });

    it("renders only the session header for no consumers", () => {
        expect(renderMysqlProvisioning([])).not.toMatch(/CREATE|GRANT/);
    });

    it("escapes quotes and backslashes in passwords in both the CREATE and the ALTER", () => {
        const script = renderMysqlProvisioning([{ ...pyerp, password: String.raw`a'b\c` }]);
        expect(script).toContain(String.raw`CREATE USER IF NOT EXISTS 'pyerp'@'%' IDENTIFIED BY 'a''b\\c';`);
        expect(script).toContain(String.raw`ALTER USER 'pyerp'@'%' IDENTIFIED BY 'a''b\\c';`);
    });
});

describe("renderMysqlProvisioning validation", () => {
    const cases: ReadonlyArray<readonly [string, MysqlConsumer, RegExp]> = [
        ["uppercase user", { ...pyerp, user: "PyErp" }, /consumer #1 \(user "PyErp"\): user: "PyErp" must match/],
        ["user with a quote", { ...pyerp, user: "py'erp" }, /: user: .* must match/],
        ["user with a hyphen", { ...pyerp, user: "erp-dev" }, /: user: "erp-dev" must match/],
        ["user of 33 characters", { ...pyerp, user: "u".repeat(33) }, /: user: "u{33}" must match/],
        ["user root", { ...pyerp, user: "root" }, /: user: "root" is reserved/],
        ["database with a backtick", { ...pyerp, database: "py`erp" }, /: database: .* must match/],
        ["database of 65 characters", { ...pyerp, database: "d".repeat(65) }, /: database: "d{65}" must match/],
        ["database mysql", { ...pyerp, database: "mysql" }, /: database: "mysql" is a system schema/],
        ["database information_schema", { ...pyerp, database: "information_schema" }, /: database: "information_schema" is a system schema/],
        ["empty password", { ...pyerp, password: "" }, /: password: must not be empty/],
        ["password with NUL", { ...pyerp, password: "a\0" }, /: password: must not contain control characters/],
        ["password with a trailing newline", { ...pyerp, password: "secret\n" }, /: password: .*trailing newline/],
        ["user reused", { ...erpDev, user: "pyerp" }, /consumer #1 .*: user: already used by consumer #0/],
        ["database reused", { ...erpDev, database: "pyerp" }, /consumer #1 .*: database: already used by consumer #0/],
    ];

    it.each(cases)("rejects %s, naming the consumer field", (_name, consumer, message) => {
        expect(() => renderMysqlProvisioning([pyerp, consumer])).toThrow(message);
    });

    it("accepts the longest allowed names (32-character user, 64-character database)", () => {
        expect(() => renderMysqlProvisioning([{ user: "u".repeat(32), database: "d".repeat(64), password: "x" }])).not.toThrow();
    });

    it("never prints the password in an error", () => {
        expect(() => renderMysqlProvisioning([{ ...pyerp, password: "hunter2\n" }])).toThrow(/^(?!.*hunter2)/s);
    });
});

describe("mysqlStringLiteral", () => {
    it("doubles quotes and backslashes", () => {
        expect(mysqlStringLiteral(String.raw`it's \n %_`)).toBe(String.raw`'it''s \\n %_'`);
    });

    it("rejects NUL", () => {
        expect(() => mysqlStringLiteral("a\0")).toThrow(/NUL/);
    });
});
