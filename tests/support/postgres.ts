/**
 * A throwaway PostgreSQL cluster for integration tests: initdb into a temp dir, password
 * (scram-sha-256) authentication on loopback TCP only, a free port, fsync off. Uses the server
 * binaries Debian installs (`apt-get install -y postgresql`), and psql from PATH.
 *
 *     const pg = await startPostgres();
 *     const result = pg.psql("SELECT 1", { user: "postgres", password: pg.superuserPassword, db: "postgres" });
 *     await pg.stop();
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PsqlOptions {
    readonly user: string;
    readonly password: string;
    readonly db: string;
}

export interface PsqlResult {
    /** psql's exit status: 0 ok, 1 fatal client error, 2 connection failed, 3 script error with ON_ERROR_STOP. */
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface TestPostgres {
    readonly port: number;
    /** Password of the `postgres` superuser (random per cluster). */
    readonly superuserPassword: string;
    /**
     * Run SQL text (or `{ file }`) through psql over TCP with ON_ERROR_STOP, unaligned tuples-only
     * output. Never throws on a failed login or statement: check `status`.
     */
    psql(sqlOrFile: string | { readonly file: string }, options: PsqlOptions): PsqlResult;
    /** Stop the server and delete its data directory. Safe to call twice. */
    stop(): Promise<void>;
}

const installHint = "apt-get install -y postgresql (server binaries under /usr/lib/postgresql/<version>/bin, psql on PATH)";

/** Start a fresh cluster. Fails (never skips) with an install hint when binaries are missing. */
export async function startPostgres(): Promise<TestPostgres> {
    const bindir = findServerBinDir();
    const psqlPath = findOnPath("psql");
    if (psqlPath === undefined) throw new Error(`psql not found on PATH: ${installHint}`);

    const root = mkdtempSync(join(tmpdir(), "nexora-pg-"));
    const dataDir = join(root, "data");
    const superuserPassword = randomBytes(18).toString("base64url");
    const passwordFile = join(root, "pwfile");
    writeFileSync(passwordFile, `${superuserPassword}\n`, { mode: 0o600 });
    // The server refuses to run as root: hand the directory to the postgres OS user when we are root.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
        const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
        const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
        chownSync(root, uid, gid);
        chownSync(passwordFile, uid, gid);
    }
    chmodSync(root, 0o700);
    const run = (binary: string, args: readonly string[]): void => {
        const [command, fullArgs] = asRoot ? ["runuser", ["-u", "postgres", "--", join(bindir, binary), ...args]] : [join(bindir, binary), [...args]];
        const result = spawnSync(command, fullArgs, { encoding: "utf8", timeout: 60_000 });
        if (result.status !== 0) {
            throw new Error(`${binary} ${args.join(" ")} failed (${result.status ?? result.signal}): ${result.stderr}${result.stdout}`);
        }
    };

    try {
        run("initdb", ["-D", dataDir, "-U", "postgres", `--pwfile=${passwordFile}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
        const port = await freeLoopbackPort();
        appendFileSync(
            join(dataDir, "postgresql.conf"),
            [
                "",
                "listen_addresses = '127.0.0.1'",
                `port = ${port}`,
                `unix_socket_directories = '${root}'`,
                // Test data is disposable: skip durability for speed.
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "",
            ].join("\n"),
        );
        // Loopback password logins only, so a test proves the credentials rather than the OS user.
        writeFileSync(join(dataDir, "pg_hba.conf"), "host all all 127.0.0.1/32 scram-sha-256\n");
        run("pg_ctl", ["start", "-w", "-t", "30", "-D", dataDir, "-l", join(root, "server.log")]);

        let stopped = false;
        return {
            port,
            superuserPassword,
            psql(sqlOrFile, options) {
                const input = typeof sqlOrFile === "string" ? sqlOrFile : undefined;
                const fileArgs = typeof sqlOrFile === "string" ? [] : ["-f", sqlOrFile.file];
                const result = spawnSync(
                    psqlPath,
                    ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", options.user, "-d", options.db, ...fileArgs],
                    {
                        input,
                        encoding: "utf8",
                        timeout: 30_000,
                        // Only what the test passes: no ~/.pgpass, service file or ambient PG* settings.
                        env: {
                            PATH: process.env.PATH ?? "/usr/bin:/bin",
                            PGPASSWORD: options.password,
                            PGCONNECT_TIMEOUT: "5",
                            PGSSLMODE: "disable",
                            PGCLIENTENCODING: "UTF8",
                            HOME: root,
                        },
                    },
                );
                return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
            },
            async stop() {
                if (stopped) return;
                stopped = true;
                try {
                    run("pg_ctl", ["stop", "-w", "-m", "immediate", "-D", dataDir]);
                } finally {
                    rmSync(root, { recursive: true, force: true });
                }
            },
        };
    } catch (error) {
        if (existsSync(join(dataDir, "postmaster.pid"))) {
            try {
                run("pg_ctl", ["stop", "-w", "-m", "immediate", "-D", dataDir]);
            } catch {
                // Already failing: the original error is the one worth reporting.
            }
        }
        rmSync(root, { recursive: true, force: true });
        throw error;
    }
}

function findServerBinDir(): string {
    const override = process.env.PG_BINDIR;
    if (override !== undefined && existsSync(join(override, "initdb"))) return override;
    const base = "/usr/lib/postgresql";
    const versions = existsSync(base)
        ? readdirSync(base)
              .filter((v) => existsSync(join(base, v, "bin", "initdb")))
              .sort((a, b) => Number(b) - Number(a))
        : [];
    if (versions.length === 0) throw new Error(`PostgreSQL server binaries (initdb, pg_ctl) not found: ${installHint}`);
    return join(base, versions[0], "bin");
}

function findOnPath(binary: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(":")) {
        if (dir !== "" && existsSync(join(dir, binary))) return join(dir, binary);
    }
    return undefined;
}

/** A port the kernel just handed out on 127.0.0.1; tiny race until the server binds it. */
export function freeLoopbackPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            const port = typeof address === "object" && address !== null ? address.port : 0;
            server.close(() => (port > 0 ? resolve(port) : reject(new Error("no free loopback port"))));
        });
    });
}
