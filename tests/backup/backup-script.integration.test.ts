/**
 * The backup container's script, run for real: restic (Debian's), PostgreSQL and MariaDB on
 * loopback, file volumes as directories. Backup under a write load, damage, restore, compare.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMariadb, type TestMariadb } from "../mysql/mariadb";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { BackupSandbox, createSandbox, requireRestic, treeDigest } from "./script-harness";

let pg: TestPostgres;
let maria: TestMariadb;
let root: string;
let box: BackupSandbox;

const su = () => ({ user: "postgres", password: pg.superuserPassword });
const sql = (db: string, text: string): string => {
    const r = pg.psql(text, { ...su(), db });
    if (r.status !== 0) throw new Error(`psql ${db}: ${r.stderr}`);
    return r.stdout.trim();
};
const mysql = (text: string): string => {
    const r = maria.asRoot(text);
    if (r.status !== 0) throw new Error(`mysql: ${r.stderr}`);
    return r.stdout.trim();
};

/** Byte-exact fingerprints of the seeded (never load-written) data. */
const pgSeedDigest = () =>
    sql("wiki", "SELECT md5(string_agg(id || ':' || title || ':' || encode(body, 'hex'), ',' ORDER BY id)) || ' ' || count(*) FROM notes");
const mySeedDigest = () => mysql("SELECT CONCAT(MD5(GROUP_CONCAT(id, ':', name, ':', HEX(payload) ORDER BY id SEPARATOR ',')), ' ', COUNT(*)) FROM shop.items");
/** pgbench's TPC-B transaction keeps these four sums equal: a torn dump would break them. */
const pgbenchSums = () =>
    sql(
        "ledger",
        "SELECT (SELECT sum(abalance) FROM pgbench_accounts) || ' ' || (SELECT coalesce(sum(delta),0) FROM pgbench_history) || ' ' || (SELECT sum(tbalance) FROM pgbench_tellers) || ' ' || (SELECT sum(bbalance) FROM pgbench_branches)",
    );
/** The MySQL writer moves money between accounts in transactions: the total never changes. */
const myTotal = () => mysql("SELECT SUM(balance), COUNT(*) FROM shop.accounts");

function pgbench(seconds: number): ChildProcess {
    return spawn("pgbench", ["-n", "-c", "2", "-T", String(seconds), "-h", "127.0.0.1", "-p", String(pg.port), "-U", "postgres", "ledger"], {
        env: { PATH: process.env.PATH ?? "", PGPASSWORD: pg.superuserPassword },
        stdio: "ignore",
    });
}

function mysqlWriter(seconds: number): ChildProcess {
    // Each transaction moves 1 from one account to another and logs it: the sum stays 100000.
    const loop = `end=$(($(date +%s) + ${seconds})); while [ $(date +%s) -lt $end ]; do
        a=$(( $(od -An -N2 -tu2 /dev/urandom) % 100 + 1 )); b=$(( $(od -An -N2 -tu2 /dev/urandom) % 100 + 1 ))
        printf 'START TRANSACTION; UPDATE shop.accounts SET balance = balance - 1 WHERE id = %s; UPDATE shop.accounts SET balance = balance + 1 WHERE id = %s; INSERT INTO shop.transfers (src, dst) VALUES (%s, %s); COMMIT;\\n' $a $b $a $b
    done | mariadb --no-defaults -uroot --socket=${maria.socket}`;
    return spawn("sh", ["-c", loop], { stdio: "ignore" });
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())));

beforeAll(async () => {
    requireRestic();
    [pg, maria] = await Promise.all([startPostgres(), startMariadb()]);
    root = mkdtempSync(path.join(tmpdir(), "nexora-backup-"));
    box = createSandbox(root, pg, maria);

    // PostgreSQL: a pgbench database (the write load) and a wiki database with seeded rows, each with its own owner.
    sql(
        "postgres",
        "CREATE ROLE ledger LOGIN PASSWORD 'ledger-pw-1234567890'; CREATE DATABASE ledger OWNER ledger; CREATE ROLE wiki LOGIN PASSWORD 'wiki-pw-1234567890'; CREATE DATABASE wiki OWNER wiki;",
    );
    const init = spawn("pgbench", ["-i", "-q", "-s", "2", "-h", "127.0.0.1", "-p", String(pg.port), "-U", "postgres", "ledger"], {
        env: { PATH: process.env.PATH ?? "", PGPASSWORD: pg.superuserPassword },
        stdio: "ignore",
    });
    await exited(init);
    sql(
        "wiki",
        "CREATE TABLE notes (id int PRIMARY KEY, title text NOT NULL, body bytea NOT NULL); ALTER TABLE notes OWNER TO wiki; INSERT INTO notes SELECT g, 'note ' || g || ' — ünïcødé ''quoted''', decode(md5(g::text) || md5((g*7)::text), 'hex') FROM generate_series(1, 5000) g;",
    );

    // MySQL: an app database with seeded rows (binary too) and an accounts table under a transfer load.
    mysql(`CREATE DATABASE shop; USE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(200) NOT NULL, payload VARBINARY(64) NOT NULL) ENGINE=InnoDB;
        INSERT INTO shop.items SELECT seq, CONCAT('item ', seq, ' — ünï ''q'''), UNHEX(MD5(seq)) FROM seq_1_to_3000;
        CREATE TABLE shop.accounts (id INT PRIMARY KEY, balance INT NOT NULL) ENGINE=InnoDB;
        INSERT INTO shop.accounts SELECT seq, 1000 FROM seq_1_to_100;
        CREATE TABLE shop.transfers (id INT AUTO_INCREMENT PRIMARY KEY, src INT, dst INT) ENGINE=InnoDB;`);

    // A file volume: binary files, a nested directory, a symlink, modes.
    const vol = path.join(box.data, "outline");
    mkdirSync(path.join(vol, "uploads", "2026"), { recursive: true });
    for (let i = 0; i < 20; i++)
        writeFileSync(path.join(vol, "uploads", "2026", `file-${i}.bin`), Buffer.from(Array.from({ length: 4096 + i }, (_, j) => (i * 31 + j * 7) % 256)));
    writeFileSync(path.join(vol, "secret.key"), "not really a key\n");
    chmodSync(path.join(vol, "secret.key"), 0o600);
    symlinkSync("uploads/2026/file-1.bin", path.join(vol, "latest"));
}, 180_000);

afterAll(async () => {
    await Promise.all([pg?.stop(), maria?.stop()]);
    if (root) rmSync(root, { recursive: true, force: true });
});

describe("nexora-backup cycle and restore on real restic, PostgreSQL and MariaDB", () => {
    let seed: { pg: string; my: string; files: Record<string, string> };
    const firstByStore: Record<string, number> = {};

    it("backs up every store while both databases take writes; each dump is consistent", async () => {
        seed = { pg: pgSeedDigest(), my: mySeedDigest(), files: treeDigest(path.join(box.data, "outline")) };
        const load = [pgbench(4), mysqlWriter(4)];
        await new Promise((r) => setTimeout(r, 1000));
        const cycle = await box.runAsync(["cycle"]);
        await Promise.all(load.map(exited));
        expect(cycle.status, cycle.stderr).toBe(0);
        // The load really ran during the backup.
        expect(Number(sql("ledger", "SELECT count(*) FROM pgbench_history"))).toBeGreaterThan(0);
        expect(Number(mysql("SELECT COUNT(*) FROM shop.transfers"))).toBeGreaterThan(0);

        const snaps = JSON.parse(box.restic(["snapshots", "--json"]).stdout) as { tags: string[]; hostname: string; paths: string[] }[];
        expect(snaps.map((s) => s.tags[0]).sort()).toEqual(["mysql", "outline", "postgres"]);
        expect(new Set(snaps.map((s) => s.hostname))).toEqual(new Set(["nexora-t"]));
        // Each database on its own, in custom format, plus the roles.
        const files = box.restic(["ls", "latest", "--tag", "postgres"]).stdout;
        for (const f of ["ledger.dump", "wiki.dump", "roles.sql"]) expect(files).toContain(`/spool/dump/postgres/${f}`);
        expect(box.restic(["ls", "latest", "--tag", "mysql"]).stdout).toContain("/spool/dump/mysql/shop.sql");
        // The dumps left the spool once they were in the repository.
        expect(existsSync(path.join(box.spool, "dump", "postgres"))).toBe(false);
        // The live SQLite-style volume was paused while read.
        expect(box.takeOps()).toEqual(["pause nexora-t-outline", "unpause nexora-t-outline"]);

        const status = JSON.parse(box.run(["status"]).stdout) as {
            ok: boolean;
            stores: { store: string; fresh: boolean; ageSeconds: number; snapshot: string; addedBytes: number }[];
        };
        expect(status.ok).toBe(true);
        for (const s of status.stores) expect(s.addedBytes, s.store).toBeGreaterThan(0);
        expect(status.stores.map((s) => [s.store, s.fresh])).toEqual([
            ["postgres", true],
            ["mysql", true],
            ["outline", true],
        ]);
        expect(readFileSync(path.join(box.spool, "status", "metrics.prom"), "utf8")).toMatch(
            /nexora_backup_last_success_timestamp_seconds\{stack="t",target="local",store="postgres"\} \d{10}/,
        );
        expect(box.run(["health"]).status).toBe(0);
        for (const f of readdirSync(path.join(box.spool, "status")).filter((n) => n.startsWith("last-good."))) {
            firstByStore[f.split(".")[2]!] = Number(readFileSync(path.join(box.spool, "status", f), "utf8").split(" ")[2]);
        }
        expect(firstByStore.postgres).toBeGreaterThan(0);
    }, 120_000);

    it("prints a dry-run plan naming what it would stop, restore and restart, and changes nothing", () => {
        const r = box.run(["restore", "postgres", "--dry-run"]);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/would stop: +nexora-t-ledger nexora-t-outline/);
        expect(r.stdout).toMatch(/would restore: PostgreSQL every database/);
        expect(r.stdout).toMatch(/would restart: +nexora-t-ledger nexora-t-outline/);
        expect(box.takeOps()).toEqual([]);
    });

    it("restores after data is changed and deleted: every seeded row and file back byte for byte, dumps consistent", () => {
        sql("wiki", "DELETE FROM notes WHERE id % 3 = 0; UPDATE notes SET title = 'vandalised' WHERE id < 100;");
        sql("ledger", "DROP TABLE pgbench_history; CREATE TABLE after_backup (x int);");
        mysql("DELETE FROM shop.items WHERE id > 1000; UPDATE shop.accounts SET balance = 0; DROP TABLE shop.transfers;");
        const vol = path.join(box.data, "outline");
        rmSync(path.join(vol, "uploads", "2026", "file-3.bin"));
        writeFileSync(path.join(vol, "uploads", "2026", "file-4.bin"), "overwritten");
        writeFileSync(path.join(vol, "new-after-backup.txt"), "should vanish");
        expect(pgSeedDigest()).not.toBe(seed.pg);

        for (const store of ["postgres", "mysql", "outline"]) {
            const r = box.run(["restore", store]);
            expect(r.status, `${store}: ${r.stderr}`).toBe(0);
            expect(r.stdout).toContain(`restored ${store} from snapshot`);
        }
        expect(pgSeedDigest()).toBe(seed.pg);
        expect(mySeedDigest()).toBe(seed.my);
        expect(treeDigest(vol)).toEqual(seed.files);
        // Consistent under load: pgbench's four sums agree, the transfers kept the total.
        const [accounts, history, tellers, branches] = pgbenchSums().split(" ");
        expect([history, tellers, branches]).toEqual([accounts, accounts, accounts]);
        expect(myTotal().split("\t")).toEqual(["100000", "100"]);
        // Whole databases come back as they were: what was created after the backup is gone.
        expect(sql("ledger", "SELECT count(*) FROM pg_tables WHERE tablename = 'after_backup'")).toBe("0");
        expect(sql("wiki", "SELECT tableowner FROM pg_tables WHERE tablename = 'notes'")).toBe("wiki");
        // The consumers were stopped for the restore and started again; nothing else was touched.
        expect(box.takeOps()).toEqual([
            "stop nexora-t-ledger",
            "stop nexora-t-outline",
            "start nexora-t-ledger",
            "start nexora-t-outline",
            "stop nexora-t-shop",
            "start nexora-t-shop",
            "stop nexora-t-outline",
            "start nexora-t-outline",
        ]);
    }, 120_000);

    it("restores one database alone, stopping only its consumer", () => {
        sql("wiki", "DELETE FROM notes");
        const ledgerBefore = pgbenchSums();
        sql("ledger", "CREATE TABLE kept (x int)");
        const r = box.run(["restore", "postgres", "--database", "wiki"]);
        expect(r.status, r.stderr).toBe(0);
        expect(pgSeedDigest()).toBe(seed.pg);
        expect(pgbenchSums()).toBe(ledgerBefore);
        expect(sql("ledger", "SELECT count(*) FROM pg_tables WHERE tablename = 'kept'")).toBe("1");
        expect(box.takeOps()).toEqual(["stop nexora-t-outline", "start nexora-t-outline"]);
    }, 60_000);

    it("adds only a small delta for a second snapshot after a small change", () => {
        const addedByStore = () =>
            Object.fromEntries(
                readdirSync(path.join(box.spool, "status"))
                    .filter((f) => f.startsWith("last-good."))
                    .map((f) => [f.split(".")[2]!, Number(readFileSync(path.join(box.spool, "status", f), "utf8").split(" ")[2])]),
            );
        // A baseline after the restores above (they rewrote every table), then the small change.
        expect(box.run(["cycle"]).status).toBe(0);
        const baseline = addedByStore();
        sql("wiki", "INSERT INTO notes SELECT g, 'late note ' || g, '\\x00ff' FROM generate_series(100001, 100020) g;");
        const r = box.run(["cycle"]);
        expect(r.status, r.stderr).toBe(0);
        const added = addedByStore();
        console.log(
            `[backup] bytes added: first snapshots ${JSON.stringify(firstByStore)}, after restores ${JSON.stringify(baseline)}, after 20 new rows ${JSON.stringify(added)}`,
        );
        // Unchanged stores add (next to) nothing: the dumps are byte-identical and deduplicate.
        expect(added.mysql).toBeLessThan(64 * 1024);
        expect(added.outline).toBeLessThan(64 * 1024);
        // The changed store adds a few chunks (pg_dump's header carries a timestamp), far less than its size.
        expect(added.postgres).toBeLessThan(firstByStore.postgres! / 2);
        // Retention ran: --keep-daily keeps the newest snapshot of each day, so today's earlier ones are gone.
        expect((JSON.parse(box.restic(["snapshots", "--json", "--tag", "postgres"]).stdout) as unknown[]).length).toBe(1);
        box.takeOps();
    }, 60_000);

    it("refuses a wrong password with a clear message and changes nothing", () => {
        sql("wiki", "DELETE FROM notes WHERE id = 1");
        const before = pgSeedDigest();
        for (const args of [
            ["restore", "postgres"],
            ["restore", "postgres", "--dry-run"],
        ]) {
            const r = box.run(args, { RESTIC_PASSWORD: "not-the-password" });
            expect(r.status).toBe(3);
            expect(r.stderr).toContain("the repository password is wrong");
            expect(r.stderr).toContain("Nothing was changed.");
        }
        expect(pgSeedDigest()).toBe(before);
        expect(box.takeOps()).toEqual([]);
    }, 60_000);

    it("refuses a damaged repository with a clear message and changes nothing", () => {
        const before = pgSeedDigest();
        const corrupted = path.join(root, "repo-damaged");
        rmSync(corrupted, { recursive: true, force: true });
        spawnCopy(box.repo, corrupted);
        // Flip bytes in the middle of every pack file: restic's MACs must catch it.
        const dataDir = path.join(corrupted, "data");
        for (const sub of readdirSync(dataDir)) {
            for (const pack of readdirSync(path.join(dataDir, sub))) {
                const file = path.join(dataDir, sub, pack);
                const buf = readFileSync(file);
                for (let i = Math.floor(buf.length / 3); i < Math.min(buf.length, Math.floor(buf.length / 3) + 64); i++) buf[i] = buf[i]! ^ 0xff;
                writeFileSync(file, buf);
            }
        }
        const damaged = createSandboxFor(corrupted);
        const r = damaged.run(["restore", "postgres"]);
        expect(r.status).toBe(3);
        expect(r.stderr).toMatch(/could not be read back: the repository is damaged|could not be read back: restic failed/);
        expect(r.stderr).toContain("Nothing was changed.");
        expect(pgSeedDigest()).toBe(before);
        expect(damaged.takeOps()).toEqual([]);
        // A repository that lost its config is damaged, not new: a cycle must not initialize over it.
        rmSync(path.join(corrupted, "config"));
        const keys = readdirSync(path.join(corrupted, "keys"));
        const cycle = damaged.run(["cycle"]);
        expect(cycle.status).toBe(1);
        expect(cycle.stderr).toContain("damaged, not initializing over it");
        expect(readdirSync(path.join(corrupted, "keys"))).toEqual(keys);
    }, 60_000);

    it("reports a broken target to the alert webhook, marks the stack unhealthy, and sends no secret", async () => {
        const received: { path: string; body: string }[] = [];
        const server: Server = createServer((req, res) => {
            let body = "";
            req.on("data", (d: Buffer) => (body += d.toString()));
            req.on("end", () => {
                received.push({ path: req.url ?? "", body });
                res.writeHead(200).end("ok");
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as { port: number }).port;
        try {
            // The repository path runs through a regular file: nothing can be created there.
            writeFileSync(path.join(root, "not-a-dir"), "x");
            const broken = createSandboxFor(path.join(root, "not-a-dir", "repo"));
            const r = await broken.runAsync(["cycle"], { NEXORA_BACKUP_ALERT_WEBHOOK: `http://127.0.0.1:${port}/hooks/t0k3n-in-path` });
            expect(r.status).toBe(1);
            expect(received).toHaveLength(1);
            expect(received[0]!.path).toBe("/hooks/t0k3n-in-path");
            const alert = JSON.parse(received[0]!.body) as { text: string; stack: string };
            expect(alert.stack).toBe("t");
            expect(alert.text, alert.text).toMatch(
                /^Nexora backup of stack t failed: target:local postgres mysql outline \(see: docker logs nexora-t-backup\)$/,
            );
            expect(received[0]!.body).not.toContain(broken.password);
            expect(r.stderr).not.toContain(broken.password);
            expect(broken.run(["health"]).status).toBe(1);
            expect((JSON.parse(broken.run(["status"]).stdout) as { ok: boolean }).ok).toBe(false);
        } finally {
            server.close();
        }
    }, 60_000);
});

describe("a repository that does not answer", () => {
    // A server that accepts connections and never answers: what a host that is down behind a
    // proxy, or a wrong port on a firewall that swallows packets, looks like to restic.
    let server: import("node:net").Server;
    const sockets: import("node:net").Socket[] = [];
    let location: string;
    beforeAll(async () => {
        const net = await import("node:net");
        server = net.createServer((socket) => void sockets.push(socket));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        location = `rest:http://127.0.0.1:${(server.address() as { port: number }).port}/nexora`;
    });
    afterAll(() => {
        for (const socket of sockets) socket.destroy();
        server.close();
    });

    it("fails the cycle after the connect timeout with a line naming the host and what to check, without initializing", async () => {
        const silent = createSandboxFor(location);
        const r = await silent.runAsync(["cycle"], { NEXORA_BACKUP_CONNECT_TIMEOUT: "3" });
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/target local: no answer from 127\.0\.0\.1 within 3 s: check that the host is up and reachable/);
        expect(r.stderr).toContain(`the repository location '${location}'`);
        expect(r.stderr).not.toContain("initializing a new repository");
        // Bounded by the timeout, not by restic's or TCP's retries (it never ends otherwise).
        expect(r.seconds).toBeLessThan(45);
        // Each store still said it started: a long cycle shows where it is.
        expect(r.stderr).toMatch(/postgres: backing up \(store 1 of 3\)/);
    }, 90_000);

    it("refuses a restore with exit 3, naming the host, before reading anything", async () => {
        const silent = createSandboxFor(location);
        const r = await silent.runAsync(["restore", "postgres", "--dry-run"], { NEXORA_BACKUP_CONNECT_TIMEOUT: "3" });
        expect(r.status).toBe(3);
        expect(r.stderr).toContain("reading the backups of postgres on target local (127.0.0.1)");
        expect(r.stderr).toMatch(/no answer from 127\.0\.0\.1 within 3 s/);
        expect(r.stderr).toContain("did not answer (see above). Nothing was changed.");
        expect(r.seconds).toBeLessThan(45);
    }, 90_000);
});

describe("the scheduler's cron matching", () => {
    it.each([
        ["30 */6 * * *", "30 6 15 3 2", true],
        ["30 */6 * * *", "30 7 15 3 2", false],
        ["30 */6 * * *", "0 6 15 3 2", false],
        ["0 3 * * 1-5", "0 3 1 1 5", true],
        ["0 3 * * 1-5", "0 3 1 1 6", false],
        ["0 3 * * 7", "0 3 1 1 0", true],
        ["15,45 1-5/2 1 * *", "45 3 1 12 4", true],
        ["15,45 1-5/2 1 * *", "45 4 1 12 4", false],
        ["0 0 1 * 1", "0 0 2 6 1", true], // day of month OR day of week when both are restricted
    ])("%s at %s → %s", (expr, at, match) => {
        const r = box.run(["cron-match", expr, ...at.split(" ")]);
        expect(r.status === 0).toBe(match);
    });
});

function spawnCopy(from: string, to: string): void {
    const r = spawnSync("cp", ["-a", from, to]);
    if (r.status !== 0) throw new Error(`cp -a ${from} ${to} failed`);
    expect(statSync(to).isDirectory()).toBe(true);
}

function createSandboxFor(repository: string): BackupSandbox {
    const dir = mkdtempSync(path.join(root, "alt-"));
    const alt = createSandbox(dir, pg, maria, { repository });
    // Same password as the main sandbox: only the repository differs.
    return {
        ...alt,
        password: box.password,
        env: (extra) => alt.env({ RESTIC_PASSWORD: box.password, ...extra }),
        run: (args, extra) => alt.run(args, { RESTIC_PASSWORD: box.password, ...extra }),
        runAsync: (args, extra) => alt.runAsync(args, { RESTIC_PASSWORD: box.password, ...extra }),
    };
}
