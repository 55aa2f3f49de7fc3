/**
 * A throwaway MySQL-compatible server for integration tests. Debian ships MariaDB, not MySQL 8
 * (`apt-get install -y mariadb-server`): it checks the provisioning script's syntax, escaping and
 * privilege semantics; MySQL-8-only behaviour stays unverified.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort } from "../support/postgres";

export interface MysqlLogin {
    readonly user: string;
    readonly password: string;
    /** @default none — connect without selecting a database */
    readonly db?: string;
}

export interface MysqlResult {
    /** Client exit status: 0 ok, 1 on any error (login refused, statement failed). */
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface TestMariadb {
    readonly port: number;
    /** The server's Unix socket (root logs in there without a password). */
    readonly socket: string;
    /** Run SQL as root over the server's socket (root has no password here). */
    asRoot(sql: string): MysqlResult;
    /** Run SQL over loopback TCP as a password user, which is how apps on the Docker network connect. */
    as(login: MysqlLogin, sql: string): MysqlResult;
    /** Stop the server and delete its data directory. Safe to call twice. */
    stop(): Promise<void>;
}

const installHint = "apt-get install -y mariadb-server (provides mariadbd, mariadb-install-db and the mariadb client)";
const binaries = { server: "/usr/sbin/mariadbd", installDb: "/usr/bin/mariadb-install-db", client: "/usr/bin/mariadb" };

/** Start a fresh server. Fails (never skips) with an install hint when binaries are missing. */
export async function startMariadb(): Promise<TestMariadb> {
    for (const path of Object.values(binaries)) {
        if (!existsSync(path)) throw new Error(`${path} not found: ${installHint}`);
    }
    const root = mkdtempSync(join(tmpdir(), "nexora-mariadb-"));
    const dataDir = join(root, "data");
    const socket = join(root, "mysqld.sock");
    // mariadbd will not run as root: hand the directory to the mysql OS user when we are root.
    const osUser = process.getuid?.() === 0 ? "mysql" : execFileSync("id", ["-un"], { encoding: "utf8" }).trim();
    if (process.getuid?.() === 0) {
        chownSync(root, Number(execFileSync("id", ["-u", "mysql"], { encoding: "utf8" })), Number(execFileSync("id", ["-g", "mysql"], { encoding: "utf8" })));
    }
    let server: ChildProcess | undefined;
    const cleanup = async (): Promise<void> => {
        if (server !== undefined && server.exitCode === null && server.signalCode === null) {
            const exited = new Promise<void>((resolve) => server?.once("exit", () => resolve()));
            server.kill("SIGTERM");
            await Promise.race([exited, sleep(10_000)]);
            if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
        }
        rmSync(root, { recursive: true, force: true });
    };

    try {
        const install = spawnSync(
            binaries.installDb,
            [
                "--no-defaults",
                `--datadir=${dataDir}`,
                `--user=${osUser}`,
                // Root with an empty password over the socket works whichever OS user runs the tests.
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            { encoding: "utf8", timeout: 60_000 },
        );
        if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}${install.stdout}`);

        const port = await freeLoopbackPort();
        let serverLog = "";
        server = spawn(
            binaries.server,
            [
                "--no-defaults",
                `--datadir=${dataDir}`,
                `--socket=${socket}`,
                `--port=${port}`,
                "--bind-address=127.0.0.1",
                `--user=${osUser}`,
                `--pid-file=${join(root, "mysqld.pid")}`,
                // Clients from 127.0.0.1 then match the apps' '%' accounts, not a 'localhost' one.
                "--skip-name-resolve",
                // Test data is disposable: skip durability and keep memory small.
                "--innodb-flush-log-at-trx-commit=0",
                "--innodb-buffer-pool-size=32M",
                "--skip-log-bin",
            ],
            { stdio: ["ignore", "pipe", "pipe"] },
        );
        server.stderr?.on("data", (chunk: Buffer) => (serverLog += chunk.toString()));

        const runClient = (args: readonly string[], sql: string, password: string): MysqlResult => {
            const result = spawnSync(binaries.client, ["--no-defaults", "--batch", "--raw", "--skip-column-names", ...args], {
                input: sql,
                encoding: "utf8",
                timeout: 30_000,
                env: { PATH: process.env.PATH ?? "/usr/bin:/bin", MYSQL_PWD: password, HOME: root },
            });
            return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
        };
        const asRoot = (sql: string): MysqlResult => runClient([`--socket=${socket}`, "-uroot"], sql, "");

        const deadline = Date.now() + 30_000;
        while (asRoot("SELECT 1;").status !== 0) {
            if (server.exitCode !== null || Date.now() > deadline) throw new Error(`mariadbd did not start: ${serverLog}`);
            await sleep(100);
        }

        let stopped = false;
        return {
            port,
            socket,
            asRoot,
            as: (login, sql) =>
                runClient(
                    ["-h", "127.0.0.1", "-P", String(port), "--protocol=tcp", `-u${login.user}`, ...(login.db === undefined ? [] : [login.db])],
                    sql,
                    login.password,
                ),
            async stop() {
                if (stopped) return;
                stopped = true;
                await cleanup();
            },
        };
    } catch (error) {
        await cleanup();
        throw error;
    }
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
