import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, TestPostgres } from "../support/postgres";

/**
 * The provisioning command runs psql with VERBOSITY=terse so that a failing statement (which may
 * set a password) is not quoted back into Pulumi's error output.
 */
let pg: TestPostgres;
beforeAll(async () => {
    pg = await startPostgres();
});
afterAll(async () => {
    await pg?.stop();
});

const failing = "ALTER ROLE nexora_missing WITH LOGIN PASSWORD 'Quoted-Secret-Value-123' NONSENSE;";

describe("psql error output", () => {
    it("quotes the failing statement at default verbosity (the leak terse mode prevents)", () => {
        const r = pg.psql(failing, { user: "postgres", password: pg.superuserPassword, db: "postgres" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("Quoted-Secret-Value-123");
    });

    it("does not quote it with VERBOSITY=terse, as the provisioning command runs psql", () => {
        const r = pg.psql(`\\set VERBOSITY terse\n${failing}`, { user: "postgres", password: pg.superuserPassword, db: "postgres" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/ERROR: .*unrecognized role option/);
        expect(r.stderr).not.toContain("Quoted-Secret-Value-123");
    });
});
