import { describe, expect, it } from "vitest";
import { gitlabPostgresExtensions, postgresStringLiteral, renderPostgresProvisioning, type PostgresConsumer } from "../../components/postgres/sql";

const gitlab: PostgresConsumer = { role: "gitlab", database: "gitlabhq_production", password: "gitlab-secret", extensions: gitlabPostgresExtensions };
const outline: PostgresConsumer = { role: "outline", database: "outline", password: "outline-secret" };

describe("renderPostgresProvisioning", () => {
    it("creates each role and database only when missing, through \\gexec", () => {
        const script = renderPostgresProvisioning([gitlab, outline]);
        expect(script).toContain(`SELECT 'CREATE ROLE "gitlab"' WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'gitlab')\n\\gexec\n`);
        expect(script).toContain(
            `SELECT 'CREATE DATABASE "gitlabhq_production" OWNER "gitlab" ENCODING ''UTF8'' TEMPLATE template0' WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = 'gitlabhq_production')\n\\gexec\n`,
        );
        expect(script).toContain(`SELECT 'CREATE ROLE "outline"'`);
        expect(script).not.toMatch(/^CREATE (ROLE|DATABASE)/m);
    });

    it("always sets the password and the role's attributes, so a re-run rotates and repairs", () => {
        const script = renderPostgresProvisioning([outline]);
        expect(script).toContain(`ALTER ROLE "outline" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD 'outline-secret';`);
        expect(script).toContain(`ALTER DATABASE "outline" OWNER TO "outline";`);
    });

    it("lets only the owner connect to its database and nobody to the maintenance databases", () => {
        const script = renderPostgresProvisioning([outline]);
        expect(script).toContain(`REVOKE CONNECT, TEMPORARY ON DATABASE "postgres" FROM PUBLIC;`);
        expect(script).toContain(`REVOKE CONNECT, TEMPORARY ON DATABASE "template1" FROM PUBLIC;`);
        expect(script).toContain(`REVOKE CONNECT, TEMPORARY ON DATABASE "outline" FROM PUBLIC;`);
        expect(script).toContain(`GRANT CONNECT, TEMPORARY ON DATABASE "outline" TO "outline";`);
    });

    it("creates extensions as the superuser inside the consumer's database, after every password", () => {
        const script = renderPostgresProvisioning([gitlab, outline]);
        const connect = script.indexOf("\\connect gitlabhq_production\n");
        expect(connect).toBeGreaterThan(script.lastIndexOf("PASSWORD '"));
        expect(script.slice(connect)).toBe(
            [
                "\\connect gitlabhq_production",
                "SET client_min_messages = warning;",
                `CREATE EXTENSION IF NOT EXISTS "amcheck";`,
                `CREATE EXTENSION IF NOT EXISTS "btree_gist";`,
                `CREATE EXTENSION IF NOT EXISTS "pg_trgm";`,
                `CREATE EXTENSION IF NOT EXISTS "plpgsql";`,
                "",
                "\\connect postgres",
                "",
            ].join("\n"),
        );
    });

    it("needs no \\connect when no consumer asks for extensions", () => {
        expect(renderPostgresProvisioning([outline])).not.toContain("\\connect");
    });

    it("stops on the first error and fixes the session settings the literals depend on, before any literal", () => {
        const script = renderPostgresProvisioning([outline]);
        const header = script.slice(0, script.indexOf("PASSWORD '"));
        expect(header).toContain("\\set ON_ERROR_STOP on\n");
        expect(header).toContain("SET standard_conforming_strings = on;\n");
        expect(header).toContain("SET client_encoding = 'UTF8';\n");
    });

    it("is deterministic and independent of the order of consumers and extensions", () => {
        const reordered: PostgresConsumer = { ...gitlab, extensions: ["plpgsql", "pg_trgm", "amcheck", "btree_gist", "pg_trgm"] };
        const first = renderPostgresProvisioning([gitlab, outline]);
        expect(renderPostgresProvisioning([gitlab, outline])).toBe(first);
        expect(renderPostgresProvisioning([outline, reordered])).toBe(first);
    });

    it("renders only the maintenance-database revokes for no consumers", () => {
        const script = renderPostgresProvisioning([]);
        expect(script).toContain(`REVOKE CONNECT, TEMPORARY ON DATABASE "postgres" FROM PUBLIC;`);
        expect(script).not.toContain("ROLE");
    });

    it("exports GitLab's required extensions", () => {
        expect([...gitlabPostgresExtensions].sort()).toEqual(["amcheck", "btree_gist", "pg_trgm", "plpgsql"]);
    });
});

describe("renderPostgresProvisioning validation", () => {
    const cases: ReadonlyArray<readonly [string, PostgresConsumer, RegExp]> = [
        ["uppercase role", { ...outline, role: "Outline" }, /consumer #1 \(role "Outline"\): role: "Outline" must match/],
        ["role with a quote", { ...outline, role: `out"line` }, /: role: .* must match/],
        ["role starting with a digit", { ...outline, role: "1outline" }, /: role: /],
        ["role 'postgres'", { ...outline, role: "postgres" }, /: role: "postgres" is reserved/],
        ["role 'public'", { ...outline, role: "public" }, /: role: "public" is reserved/],
        ["role 'pg_monitor'", { ...outline, role: "pg_monitor" }, /: role: "pg_monitor" is reserved/],
        ["database 'template1'", { ...outline, database: "template1" }, /: database: "template1" is reserved/],
        ["database 'template0'", { ...outline, database: "template0" }, /: database: "template0" is reserved/],
        ["database of 64 characters", { ...outline, database: "d".repeat(64) }, /: database: "d{64}" must match/],
        ["empty database", { ...outline, database: "" }, /: database: "" must match/],
        ["empty password", { ...outline, password: "" }, /: password: must not be empty/],
        ["password with NUL", { ...outline, password: "a\0b" }, /: password: must not contain control characters/],
        ["password with a trailing newline", { ...outline, password: "secret\n" }, /: password: .*trailing newline/],
        ["bad extension name", { ...outline, extensions: ["pg_trgm; DROP"] }, /: extensions: "pg_trgm; DROP" is not an extension name/],
        ["role reused", { ...outline, database: "other" }, /consumer #1 .*: role: already used by consumer #0/],
        ["database reused", { ...outline, role: "other" }, /consumer #1 .*: database: already used by consumer #0/],
    ];

    it.each(cases)("rejects %s, naming the consumer field", (_name, consumer, message) => {
        expect(() => renderPostgresProvisioning([outline, consumer])).toThrow(message);
    });

    it("accepts the longest allowed name (63 characters) and keywords like 'order'", () => {
        const name = `a${"b".repeat(62)}`;
        expect(() => renderPostgresProvisioning([{ role: name, database: "order", password: "x" }])).not.toThrow();
    });

    it("never prints the password in an error", () => {
        expect(() => renderPostgresProvisioning([{ ...outline, password: "hunter2\n" }])).toThrow(/^(?!.*hunter2)/s);
    });
});

describe("postgresStringLiteral", () => {
    it("doubles single quotes and leaves backslashes, colons and dollars alone", () => {
        expect(postgresStringLiteral(String.raw`it's \n :x $$`)).toBe(String.raw`'it''s \n :x $$'`);
    });

    it("rejects NUL", () => {
        expect(() => postgresStringLiteral("a\0")).toThrow(/NUL/);
    });
});
