/**
 * The seed script of `review up --seed-from-host` against a real MySQL-compatible server (Debian's
 * MariaDB, tests/mysql/mariadb.ts): run as the host's MySQL container runs it (`sh -c`, root over
 * the socket, mysql and mysqldump on PATH), it copies tables, rows and triggers into the review's
 * database, gives their DEFINER to the review's user, and leaves the host's database as it was.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderMysqlProvisioning } from "../../components/mysql/sql";
import { reviewSeedScript } from "../../components/review/review";
import { startMariadb, type TestMariadb } from "../mysql/mariadb";

let server: TestMariadb;
let bin: string;

beforeAll(async () => {
    server = await startMariadb();
    // The container's clients, pointed at this server's socket.
    bin = mkdtempSync(join(tmpdir(), "nexora-seed-bin-"));
    for (const [name, target] of [
        ["mysql", "/usr/bin/mariadb"],
        ["mysqldump", "/usr/bin/mariadb-dump"],
    ] as const) {
        writeFileSync(join(bin, name), `#!/bin/sh\nexec ${target} --no-defaults --socket=${server.socket} "$@"\n`);
        chmodSync(join(bin, name), 0o755);
    }
    const root = (sql: string) => {
        const r = server.asRoot(sql);
        if (r.status !== 0) throw new Error(r.stderr);
    };
    root(renderMysqlProvisioning([{ user: "ledger", database: "ledger", password: "host-app-password-1" }]));
    root(renderMysqlProvisioning([{ user: "mr12_ledger", database: "mr12_ledger", password: "review-app-password-2" }]));
    root(
        [
            "USE ledger;",
            "CREATE TABLE invoices (id INT PRIMARY KEY, customer VARCHAR(64), total DECIMAL(10,2)) ENGINE=InnoDB;",
            "CREATE TABLE audit (invoice INT) ENGINE=InnoDB;",
            "CREATE DEFINER=`ledger`@`%` TRIGGER invoices_audit AFTER INSERT ON invoices FOR EACH ROW INSERT INTO audit VALUES (NEW.id);",
            "INSERT INTO invoices VALUES (1, 'O''Brien & Co', 10.50), (2, 'Zhang 张', 99.99);",
        ].join("\n"),
    );
}, 60_000);

afterAll(async () => {
    await server?.stop();
    if (bin) rmSync(bin, { recursive: true, force: true });
});

function seed(): { status: number; stderr: string } {
    const r = spawnSync("sh", ["-c", reviewSeedScript("ledger", "mr12_ledger")], {
        encoding: "utf8",
        env: { PATH: `${bin}:/usr/bin:/bin`, MYSQL_ROOT_PASSWORD: "" },
        timeout: 60_000,
    });
    return { status: r.status ?? -1, stderr: r.stderr };
}

const review = (sql: string) => server.as({ user: "mr12_ledger", password: "review-app-password-2", db: "mr12_ledger" }, sql);

describe("the review seed script on a real server", () => {
    it("copies the host's tables and rows into the review's database, readable by the review's user", () => {
        const r = seed();
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        const rows = review("SELECT id, customer, total FROM invoices ORDER BY id;");
        expect(rows.stderr).toBe("");
        expect(rows.stdout).toBe("1\tO'Brien & Co\t10.50\n2\tZhang 张\t99.99\n");
    });

    it("gives the copied trigger to the review's user, and it fires in the review's database only", () => {
        const definer = server.asRoot("SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'mr12_ledger';");
        expect(definer.stdout.trim()).toBe("mr12_ledger@%");
        // The host's trigger filled its audit table (2 rows): copied with the rest, then one more in the review.
        const insert = review("INSERT INTO invoices VALUES (3, 'review only', 1.00); SELECT COUNT(*) FROM audit;");
        expect(insert.stderr).toBe("");
        expect(insert.stdout.trim()).toBe("3");
        expect(server.asRoot("SELECT COUNT(*) FROM ledger.invoices; SELECT COUNT(*) FROM ledger.audit;").stdout).toBe("2\n2\n");
    });

    it("copies again over the review's tables when asked again, and fails loudly when the host's database is gone", () => {
        const again = seed();
        expect(again.status, again.stderr).toBe(0);
        expect(review("SELECT COUNT(*) FROM invoices;").stdout.trim()).toBe("2");
        const missing = spawnSync("sh", ["-c", reviewSeedScript("payroll", "mr12_ledger")], {
            encoding: "utf8",
            env: { PATH: `${bin}:/usr/bin:/bin`, MYSQL_ROOT_PASSWORD: "" },
        });
        expect(missing.status).not.toBe(0);
        expect(missing.stderr).toMatch(/payroll/);
    });
});
