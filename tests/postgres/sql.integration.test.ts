/**
 * The provisioning script against a real PostgreSQL server (Debian's postgresql package):
 * applied repeatedly, then checked by logging in as each consumer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { gitlabPostgresExtensions, renderPostgresProvisioning, type PostgresConsumer } from "../../components/postgres/sql";
import { startPostgres, type PsqlResult, type TestPostgres } from "../support/postgres";

// Everything that could end a literal, start a psql meta-command or variable, or open a dollar quote.
const hostilePassword = String.raw`it's \\ a "pass" \q \gexec :foo :'foo' :"foo" $$ $x$ -- /* ; '' \ end`;

const gitlab: PostgresConsumer = { role: "gitlab", database: "gitlabhq_production", password: "gitlab-first-secret", extensions: gitlabPostgresExtensions };
const outline: PostgresConsumer = { role: "outline", database: "outline", password: hostilePassword };
const grafana: PostgresConsumer = { role: "grafana", database: "grafana", password: "grafana-密码-пароль" };
const consumers = [gitlab, outline, grafana];

let pg: TestPostgres;
/** Roles and databases of the fresh cluster, before the script ever ran. */
let emptyCluster: string[];
/** Inventory right after the first run on that empty cluster: what every later run must reproduce. */
let afterFirstRun: string;

// The shared state every test starts from: one run of the script on an empty cluster. Set up
// here rather than in the first test, so any single test also runs alone (`vitest -t`).
beforeAll(async () => {
    pg = await startPostgres();
    emptyCluster = query("SELECT rolname FROM pg_roles UNION ALL SELECT datname FROM pg_database;").split("\n");
    apply(renderPostgresProvisioning(consumers));
    afterFirstRun = inventory();
});

// Tests rotate passwords and make drift: put the declared state back so none depends on another's order.
afterEach(() => {
    apply(renderPostgresProvisioning(consumers));
});

afterAll(async () => {
    await pg?.stop();
});

function asSuperuser(sql: string, db = "postgres"): PsqlResult {
    return pg.psql(sql, { user: "postgres", password: pg.superuserPassword, db });
}

function apply(script: string): void {
    const result = asSuperuser(script);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
}

function query(sql: string, db = "postgres"): string {
    const result = asSuperuser(sql, db);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return result.stdout.trim();
}

function login(consumer: PostgresConsumer, db: string, password = consumer.password): PsqlResult {
    return pg.psql("SELECT current_user || '@' || current_database();", { user: consumer.role, password, db });
}

function expectLoginWorks(consumer: PostgresConsumer, password = consumer.password): void {
    const result = login(consumer, consumer.database, password);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe(`${consumer.role}@${consumer.database}`);
}

/** Everything the script creates or changes, as text: roles, databases with owners and ACLs, extensions. */
function inventory(): string {
    const cluster = query(`
        SELECT string_agg(format('%s super=%s createdb=%s createrole=%s login=%s', rolname, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin), E'\\n' ORDER BY rolname)
          FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%';
        SELECT string_agg(format('%s owner=%s acl=%s', datname, pg_get_userbyid(datdba), datacl), E'\\n' ORDER BY datname) FROM pg_database;`);
    const extensions = consumers.map((c) => `${c.database}: ${query("SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension;", c.database)}`);
    return [cluster, ...extensions].join("\n");
}

describe("PostgreSQL provisioning on a real server", () => {
    it("applies on an empty cluster and again with nothing created twice", () => {
        for (const consumer of consumers) {
            expect(emptyCluster).not.toContain(consumer.role);
            expect(emptyCluster).not.toContain(consumer.database);
        }
        apply(renderPostgresProvisioning(consumers));
        expect(inventory()).toBe(afterFirstRun);
        expect(query("SELECT count(*) FROM pg_roles WHERE rolname IN ('gitlab', 'outline', 'grafana');")).toBe("3");
        expect(query("SELECT count(*) FROM pg_database WHERE datname IN ('gitlabhq_production', 'outline', 'grafana');")).toBe("3");
    });

    it("makes each role a plain login role that owns its database, with no PUBLIC access", () => {
        const lines = afterFirstRun.split("\n");
        for (const consumer of consumers) {
            expect(lines).toContain(`${consumer.role} super=f createdb=f createrole=f login=t`);
            expect(lines).toContain(`${consumer.database} owner=${consumer.role} acl={${consumer.role}=CTc/${consumer.role}}`);
        }
        expect(lines).toContain("postgres owner=postgres acl={postgres=CTc/postgres}");
        expect(lines).toContain("template1 owner=postgres acl={postgres=CTc/postgres}");
    });

    it("lets each role log in to its own database only", () => {
        for (const consumer of consumers) {
            expectLoginWorks(consumer);
            const elsewhere = [...consumers.filter((c) => c !== consumer).map((c) => c.database), "postgres", "template1"];
            for (const db of elsewhere) {
                const denied = login(consumer, db);
                expect(denied.status, `${consumer.role} must not connect to ${db}`).toBe(2);
                expect(denied.stderr).toContain(`permission denied for database "${db}"`);
            }
        }
    });

    it("lets the owner create tables in its database (GitLab's migrations need that)", () => {
        const result = pg.psql("CREATE TABLE probe (id int); DROP TABLE probe;", { user: gitlab.role, password: gitlab.password, db: gitlab.database });
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
    });

    it("creates GitLab's four extensions in the GitLab database only", () => {
        expect(query("SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension;", gitlab.database)).toBe("amcheck,btree_gist,pg_trgm,plpgsql");
        expect(query("SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension;", outline.database)).toBe("plpgsql");
    });

    it("stores passwords full of quotes, backslashes, psql syntax and non-ASCII exactly", () => {
        expectLoginWorks(outline);
        expectLoginWorks(grafana);
        expect(login(outline, outline.database, hostilePassword.replace(/\\\\/g, "\\")).status).toBe(2);
    });

    it("rotates a changed password on the next run: the old one stops working, the new one works", () => {
        const rotated: PostgresConsumer = { ...gitlab, password: "gitlab-second-secret" };
        apply(renderPostgresProvisioning([rotated, outline, grafana]));
        expect(login(gitlab, gitlab.database).status).toBe(2);
        expectLoginWorks(rotated);
        expectLoginWorks(outline);
    });

    it("repairs hand-made drift: a role made superuser loses it, a stolen database comes back", () => {
        query("ALTER ROLE outline SUPERUSER CREATEDB; ALTER DATABASE grafana OWNER TO postgres; GRANT CONNECT ON DATABASE grafana TO PUBLIC;");
        apply(renderPostgresProvisioning(consumers));
        expect(inventory()).toBe(afterFirstRun);
    });

    it("is immune to the session it runs in: psql variables set and standard_conforming_strings off", () => {
        query("ALTER ROLE postgres SET standard_conforming_strings = off;");
        try {
            const rotated: PostgresConsumer = { ...outline, password: `${hostilePassword} rotated` };
            apply(`\\set foo 'INJECTED'\n${renderPostgresProvisioning([gitlab, rotated, grafana])}`);
            expectLoginWorks(rotated);
        } finally {
            query("ALTER ROLE postgres RESET standard_conforming_strings;");
        }
    });

    it("stops at the first failing statement even when the runner turned ON_ERROR_STOP off", () => {
        const result = pg.psql(`\\set ON_ERROR_STOP off\n${renderPostgresProvisioning([])}SELECT 1/0;\nCREATE ROLE after_error;\n`, {
            user: "postgres",
            password: pg.superuserPassword,
            db: "postgres",
        });
        expect(result.status).toBe(3);
        expect(query("SELECT count(*) FROM pg_roles WHERE rolname = 'after_error';")).toBe("0");
    });
});
