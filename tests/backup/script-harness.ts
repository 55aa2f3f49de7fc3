/**
 * Runs components/backup/nexora-backup.sh for real on this machine (NEXORA_BACKUP_RUNTIME=local):
 * Debian's restic against a repository directory, pg_dump/psql against a throwaway PostgreSQL,
 * mysqldump/mysql against a throwaway MariaDB, "volumes" as directories. Only the container
 * operations (stop, start, pause) are recorded instead of done. Used by the script tests and by
 * `npm run backup-bench`.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { BACKUP_SCRIPT_PATH } from "../../components/backup/backup";
import { BackupStore, renderManifest } from "../../components/backup/manifest";
import type { TestMariadb } from "../mysql/mariadb";
import type { TestPostgres } from "../support/postgres";

export const RESTIC_HINT = "apt-get install -y restic";

export interface ScriptRun {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
}

export interface BackupSandbox {
    readonly root: string;
    readonly repo: string;
    readonly spool: string;
    readonly data: string;
    readonly password: string;
    readonly manifest: string;
    readonly opsLog: string;
    /** Environment the script runs with (secrets included: never print it). */
    env(extra?: Record<string, string>): Record<string, string>;
    run(args: readonly string[], extra?: Record<string, string>): ScriptRun;
    runAsync(args: readonly string[], extra?: Record<string, string>): Promise<ScriptRun>;
    /** restic against the sandbox repository, for assertions. */
    restic(args: readonly string[], password?: string): ScriptRun;
    /** Recorded container operations ("stop nexora-t-ledger", ...), cleared on read. */
    takeOps(): string[];
}

export function requireRestic(): void {
    if (spawnSync("restic", ["version"]).status !== 0) throw new Error(`restic not found: ${RESTIC_HINT}`);
}

/** The stores of the sandbox: PostgreSQL, MySQL (MariaDB), and one file volume ("outline"). */
export function sandboxStores(stack: string): BackupStore[] {
    return [
        {
            key: "postgres",
            kind: "postgres",
            container: `nexora-${stack}-postgres`,
            consumers: { ledger: `nexora-${stack}-ledger`, wiki: `nexora-${stack}-outline` },
        },
        { key: "mysql", kind: "mysql", container: `nexora-${stack}-mysql`, consumers: { shop: `nexora-${stack}-shop` } },
        { key: "outline", kind: "volume", volume: `nexora-${stack}-outline-data`, container: `nexora-${stack}-outline`, pauseDuringBackup: true },
    ];
}

export function createSandbox(
    root: string,
    pg: TestPostgres | undefined,
    maria: TestMariadb | undefined,
    options: { stack?: string; repository?: string; maxAgeSeconds?: number; schedule?: string; stores?: BackupStore[] } = {},
): BackupSandbox {
    const stack = options.stack ?? "t";
    const repo = path.join(root, "repo");
    const spool = path.join(root, "spool");
    const data = path.join(root, "data");
    for (const d of [spool, data, path.join(data, "outline")]) mkdirSync(d, { recursive: true });
    const password = randomBytes(24).toString("base64url");
    const manifest = path.join(root, "manifest.sh");
    writeFileSync(
        manifest,
        renderManifest({
            stack,
            containerName: `nexora-${stack}-backup`,
            schedule: options.schedule ?? "30 */6 * * *",
            retention: { daily: 7, weekly: 4, monthly: 6 },
            maxAgeSeconds: options.maxAgeSeconds ?? 13 * 3600,
            targets: [{ name: "local", repository: options.repository ?? repo, offHost: false }],
            stores: options.stores ?? sandboxStores(stack),
            resticImage: "restic/restic:0.18.1",
            repoVolume: `nexora-${stack}-backup-repo`,
            spoolVolume: `nexora-${stack}-backup-spool`,
            edgeNetwork: `nexora-${stack}-edge`,
        }),
    );
    const opsLog = path.join(root, "ops.log");
    // MariaDB's clients take the socket from /etc/mysql over MYSQL_UNIX_PORT; ~/.my.cnf is read last.
    if (maria) writeFileSync(path.join(root, ".my.cnf"), `[client]\nsocket=${maria.socket}\n`);
    const env = (extra: Record<string, string> = {}): Record<string, string> => ({
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: root,
        RESTIC_PASSWORD: password,
        NEXORA_BACKUP_RUNTIME: "local",
        NEXORA_BACKUP_MANIFEST: manifest,
        NEXORA_BACKUP_SPOOL: spool,
        NEXORA_BACKUP_DATA: data,
        NEXORA_BACKUP_LOCAL_LOG: opsLog,
        ...(pg ? { PGHOST: "127.0.0.1", PGPORT: String(pg.port), PGPASSWORD: pg.superuserPassword, PGSSLMODE: "disable" } : {}),
        ...(maria ? { MYSQL_UNIX_PORT: maria.socket, MYSQL_ROOT_PASSWORD: "" } : {}),
        ...extra,
    });
    const run = (args: readonly string[], extra?: Record<string, string>): ScriptRun => {
        const t0 = Date.now();
        const r = spawnSync("sh", [BACKUP_SCRIPT_PATH, ...args], { env: env(extra), encoding: "utf8", timeout: 900_000, maxBuffer: 64 << 20 });
        return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - t0) / 1000 };
    };
    const runAsync = (args: readonly string[], extra?: Record<string, string>): Promise<ScriptRun> =>
        new Promise((resolve) => {
            const t0 = Date.now();
            const child = spawn("sh", [BACKUP_SCRIPT_PATH, ...args], { env: env(extra) });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr, seconds: (Date.now() - t0) / 1000 }));
        });
    return {
        root,
        repo,
        spool,
        data,
        password,
        manifest,
        opsLog,
        env,
        run,
        runAsync,
        restic(args, pw = password) {
            const t0 = Date.now();
            const r = spawnSync("restic", ["-r", repo, "--no-cache", ...args], {
                env: { PATH: process.env.PATH ?? "", HOME: root, RESTIC_PASSWORD: pw },
                encoding: "utf8",
                maxBuffer: 64 << 20,
            });
            return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - t0) / 1000 };
        },
        takeOps() {
            if (!existsSync(opsLog)) return [];
            const ops = readFileSync(opsLog, "utf8")
                .split("\n")
                .filter((l) => l !== "");
            writeFileSync(opsLog, "");
            return ops;
        },
    };
}

/** sha256 of every file, the target of every symlink and the mode of everything under dir. */
export function treeDigest(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (rel: string): void => {
        for (const name of readdirSync(path.join(dir, rel)).sort()) {
            const r = path.join(rel, name);
            const full = path.join(dir, r);
            const st = lstatSync(full);
            const mode = (st.mode & 0o7777).toString(8);
            if (st.isSymbolicLink()) out[r] = `link ${readlinkSync(full)}`;
            else if (st.isDirectory()) {
                out[r] = `dir ${mode} ${st.uid}`;
                walk(r);
            } else out[r] = `file ${mode} ${st.uid} ${createHash("sha256").update(readFileSync(full)).digest("hex")}`;
        }
    };
    walk("");
    return out;
}
