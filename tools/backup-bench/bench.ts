// npm run backup-bench: the figures of the backup note, measured with the real script on this
// machine (restic from Debian, PostgreSQL and MariaDB on loopback; see tests/backup/script-harness.ts).
// Seeds PostgreSQL with >= 1 GB and MySQL (MariaDB) with >= 200 MB, then times: the first backup,
// an incremental after a 1% change, and the restore of each database. Takes several minutes and
// a few GB of /tmp. Environment: BENCH_PG_ROWS (default 9000000), BENCH_MY_ROWS (default 2100000).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startMariadb } from "../../tests/mysql/mariadb";
import { startPostgres } from "../../tests/support/postgres";
import { createSandbox, requireRestic } from "../../tests/backup/script-harness";

const MiB = 1024 * 1024;
const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;
const du = (dir: string) => Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);

async function bench(): Promise<void> {
    requireRestic();
    const pgRows = Number(process.env.BENCH_PG_ROWS ?? 9_000_000);
    const myRows = Number(process.env.BENCH_MY_ROWS ?? 2_100_000);
    const [pg, maria] = await Promise.all([startPostgres(), startMariadb()]);
    const root = mkdtempSync(path.join(tmpdir(), "nexora-backup-bench-"));
    const figures: Record<string, unknown> = {};
    const note = (key: string, value: unknown) => {
        figures[key] = value;
        console.log(`[backup-bench] ${key}: ${JSON.stringify(value)}`);
    };
    try {
        // The test helpers stop a statement after 30 s; seeding a gigabyte takes longer.
        const sql = (db: string, text: string) => {
            const r = spawnSync(
                "psql",
                ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(pg.port), "-U", "postgres", "-d", db],
                {
                    input: text,
                    encoding: "utf8",
                    env: { PATH: process.env.PATH ?? "", PGPASSWORD: pg.superuserPassword, HOME: root },
                },
            );
            if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
            return r.stdout.trim();
        };
        const my = (text: string) => {
            const r = spawnSync("mariadb", ["--no-defaults", "--batch", "--raw", "--skip-column-names", `--socket=${maria.socket}`, "-uroot"], {
                input: text,
                encoding: "utf8",
            });
            if (r.status !== 0) throw new Error(`mariadb: ${r.stderr}`);
            return r.stdout.trim();
        };
        let t = Date.now();
        sql("postgres", "CREATE DATABASE ledger; CREATE DATABASE wiki;");
        sql(
            "ledger",
            `CREATE TABLE events (id bigint PRIMARY KEY, account int NOT NULL, amount numeric(12,2) NOT NULL, memo text NOT NULL, at timestamptz NOT NULL);
            INSERT INTO events SELECT g, g % 5000, (g % 100000) / 100.0, md5(g::text) || ' ' || md5((g * 7)::text), timestamptz '2026-01-01' + g * interval '1 second' FROM generate_series(1, ${pgRows}) g;`,
        );
        sql("wiki", "CREATE TABLE notes AS SELECT g AS id, repeat(md5(g::text), 8) AS body FROM generate_series(1, 20000) g;");
        note("postgres seeded", {
            rows: pgRows,
            databaseMiB: mib(Number(sql("postgres", "SELECT sum(pg_database_size(datname)) FROM pg_database WHERE datname IN ('ledger','wiki')"))),
            seconds: (Date.now() - t) / 1000,
        });
        t = Date.now();
        my(`CREATE DATABASE shop; USE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY, customer INT NOT NULL, total DECIMAL(12,2) NOT NULL, note VARCHAR(100) NOT NULL) ENGINE=InnoDB;
            INSERT INTO shop.orders SELECT seq, seq % 7000, (seq % 100000) / 100, CONCAT(MD5(seq), ' ', MD5(seq * 3)) FROM seq_1_to_${myRows};
            ANALYZE TABLE shop.orders;`);
        note("mysql seeded", {
            rows: myRows,
            dataMiB: mib(Number(my("SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = 'shop' AND table_name = 'orders'"))),
            seconds: (Date.now() - t) / 1000,
        });

        const box = createSandbox(root, pg, maria, {
            stores: [
                { key: "postgres", kind: "postgres", container: "nexora-b-postgres", consumers: { ledger: "nexora-b-ledger", wiki: "nexora-b-outline" } },
                { key: "mysql", kind: "mysql", container: "nexora-b-mysql", consumers: { shop: "nexora-b-shop" } },
            ],
            stack: "b",
        });
        // What a cycle stored is restic's data_added per store (uncompressed bytes of new chunks).
        // The repository's size is not a delta: each cycle ends with the retention, which keeps the
        // newest snapshot of each day, so the earlier snapshots of this same day are pruned.
        const added = () =>
            Object.fromEntries(
                readdirSync(path.join(box.spool, "status"))
                    .filter((f) => f.startsWith("last-good."))
                    .map((f) => [f.split(".")[2], Number(readFileSync(path.join(box.spool, "status", f), "utf8").split(" ")[2])]),
            );

        const first = box.run(["cycle"]);
        if (first.status !== 0) throw new Error(first.stderr);
        note("first backup", {
            seconds: first.seconds,
            addedMiB: Object.fromEntries(Object.entries(added()).map(([k, v]) => [k, mib(v)])),
            repositoryMiBAfterRetention: mib(du(box.repo)),
        });

        // A 1% change: every 100th row updated (scattered: the worst case for deduplication).
        t = Date.now();
        sql("ledger", "UPDATE events SET amount = amount + 1 WHERE id % 100 = 0;");
        my("UPDATE shop.orders SET total = total + 1 WHERE id % 100 = 0;");
        const changeSeconds = (Date.now() - t) / 1000;
        const second = box.run(["cycle"]);
        if (second.status !== 0) throw new Error(second.stderr);
        note("incremental after 1% of rows updated (scattered)", {
            changeSeconds,
            seconds: second.seconds,
            addedMiB: Object.fromEntries(Object.entries(added()).map(([k, v]) => [k, mib(v)])),
            repositoryMiBAfterRetention: mib(du(box.repo)),
        });

        // A 1% change by appending rows (how ledgers and orders grow).
        sql("ledger", `INSERT INTO events SELECT g, g % 5000, 1, md5(g::text), now() FROM generate_series(${pgRows + 1}, ${pgRows + pgRows / 100}) g;`);
        my(`USE shop; INSERT INTO shop.orders SELECT seq, seq % 7000, 1, MD5(seq) FROM seq_${myRows + 1}_to_${myRows + myRows / 100};`);
        const third = box.run(["cycle"]);
        if (third.status !== 0) throw new Error(third.stderr);
        note("incremental after 1% of rows appended", {
            seconds: third.seconds,
            addedMiB: Object.fromEntries(Object.entries(added()).map(([k, v]) => [k, mib(v)])),
            repositoryMiBAfterRetention: mib(du(box.repo)),
        });

        const countPg = sql("ledger", "SELECT count(*) FROM events");
        const countMy = my("SELECT COUNT(*) FROM shop.orders");
        sql("ledger", "DELETE FROM events WHERE id % 2 = 0");
        my("DELETE FROM shop.orders WHERE id % 2 = 0");
        for (const store of ["postgres", "mysql"]) {
            const r = box.run(["restore", store]);
            if (r.status !== 0) throw new Error(r.stderr);
            note(`restore ${store}`, { seconds: r.seconds });
        }
        if (sql("ledger", "SELECT count(*) FROM events") !== countPg || my("SELECT COUNT(*) FROM shop.orders") !== countMy)
            throw new Error("restored row counts differ");
        note("restored row counts match", { postgres: countPg, mysql: countMy });
        console.log(JSON.stringify(figures, null, 2));
    } finally {
        await Promise.all([pg.stop(), maria.stop()]);
        rmSync(root, { recursive: true, force: true });
    }
}

bench().catch((err: unknown) => {
    console.error(`backup-bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
});
