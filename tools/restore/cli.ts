// npm run restore -- <stack> <store> [--snapshot ID] [--database NAME] [--target local|offsite] [--yes | --dry-run]
//                    [--config FILE] [--docker-host URL]
//
// Restores one store of a running stack from its backups. A dry run first: it prints what it would
// stop, restore and restart, then asks (or takes --yes) before it writes; --dry-run stops after the
// plan. Before anything it checks, within NEXORA_RESTORE_CONNECT_TIMEOUT seconds (default 20),
// that the Docker daemon answers and the backup container runs. The work runs in the
// stack's backup container (`docker exec`, DOCKER_HOST from the stack's config), so the data never
// leaves the Docker host. The repository password comes from NEXORA_RESTIC_PASSWORD or from
// `pulumi stack output --show-secrets backupRepositoryPassword`; it reaches docker in its
// environment, never on a command line.
//
// Exit codes: 0 restored (or the dry run printed), 1 failed (nothing changed unless it says so),
// 2 bad arguments or config, 3 not confirmed.
import { spawn } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { parseArgs } from "node:util";
import { BACKUP_SCRIPT_IN_CONTAINER } from "../../components/backup/backup";
import { backupStores } from "../../components/backup/stores";
import { ConfigError, type PlatformSettings } from "../../components/config";
import { dockerName } from "../../components/naming";
import { serviceList } from "../../components/catalog";
import { readStackFile, settingsOfConfig } from "../plan/evaluate";
import { isStackName } from "../../components/validators";

/** Every store a stack can have, in backup order: the databases, then each service's (catalog.ts). */
const STORE_NAMES = ["postgres", "mysql", ...serviceList().flatMap((s) => (s.backup ? [s.backup.kind === "gitlab" ? "gitlab" : s.container] : []))];

export const USAGE = `usage: npm run restore -- <stack> <store> [--snapshot ID] [--database NAME] [--target local|offsite] [--yes | --dry-run]
                      [--config FILE] [--docker-host URL]

  <stack>              dev, staging, prod (its Pulumi.<stack>.yaml gives the Docker host)
  <store>              ${STORE_NAMES.slice(0, -1).join(", ")} or ${STORE_NAMES.at(-1)!} (what the stack runs)
  --snapshot ID        a restic snapshot ID of that store (default: the latest)
  --database NAME      postgres or mysql: restore this database only
  --target NAME        the repository to read: local (default) or offsite
  --yes                do not ask before writing
  --dry-run            print what it would stop, restore and restart, change nothing, do not ask
  --config FILE        the stack's config file (default: Pulumi.<stack>.yaml)
  --docker-host URL    override the stack's dockerHost

  The repository password: NEXORA_RESTIC_PASSWORD, else \`pulumi stack output --show-secrets backupRepositoryPassword\`.
  The Docker host must answer within NEXORA_RESTORE_CONNECT_TIMEOUT seconds (default 20).`;

export interface RestoreIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
    /** Asks a yes/no question; resolves true only on an explicit yes. */
    readonly confirm: (question: string) => Promise<boolean>;
}

const ROOT = path.resolve(__dirname, "..", "..");

class UsageError extends Error {}

const OPTIONS = {
    snapshot: { type: "string" },
    database: { type: "string" },
    target: { type: "string" },
    yes: { type: "boolean", short: "y" },
    "dry-run": { type: "boolean" },
    config: { type: "string" },
    "docker-host": { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** Killed after RunOptions.timeoutMs. */
    readonly timedOut: boolean;
}

interface RunOptions {
    /** Streams the command's output here (and collects it). */
    readonly stream?: RestoreIo;
    /** Kills the command after this long. */
    readonly timeoutMs?: number;
    /** While the command prints nothing for PROGRESS_MS, says so on io.stderr ("<what>: still running after N s"). */
    readonly progress?: { readonly io: RestoreIo; readonly what: string };
}

const PROGRESS_MS = 15_000;

/** Runs a command; streams its output when asked, and always collects it. */
function run(command: string, args: readonly string[], env: Record<string, string>, options: RunOptions = {}): Promise<Run> {
    return new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(command, [...args], { env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        let quietSince = Date.now();
        const killer =
            options.timeoutMs === undefined
                ? undefined
                : setTimeout(() => {
                      timedOut = true;
                      child.kill("SIGKILL");
                  }, options.timeoutMs);
        const ticker =
            options.progress === undefined
                ? undefined
                : setInterval(() => {
                      if (Date.now() - quietSince < PROGRESS_MS) return;
                      quietSince = Date.now();
                      options.progress!.io.stderr(`restore: ${options.progress!.what}: still running after ${Math.round((Date.now() - started) / 1000)} s\n`);
                  }, 1000);
        const stop = () => {
            if (killer) clearTimeout(killer);
            if (ticker) clearInterval(ticker);
        };
        child.stdout.on("data", (d: Buffer) => {
            stdout += d.toString();
            quietSince = Date.now();
            options.stream?.stdout(d.toString());
        });
        child.stderr.on("data", (d: Buffer) => {
            stderr += d.toString();
            quietSince = Date.now();
            options.stream?.stderr(d.toString());
        });
        child.on("error", (err) => {
            stop();
            resolve({ code: 127, stdout, stderr: `${stderr}${command}: ${err.message}\n`, timedOut });
        });
        child.on("close", (code) => {
            stop();
            resolve({ code: code ?? 1, stdout, stderr, timedOut });
        });
    });
}

/** Whether the docker CLI failed to reach its daemon (rather than the daemon answering with an error). */
const CANNOT_CONNECT =
    /Cannot connect to the Docker daemon|error during connect|connection refused|no such host|Could not resolve hostname|Connection timed out|No route to host|Network is unreachable|Permission denied \(publickey|Host key verification failed|ssh: /i;

/**
 * Checks, within timeoutSeconds, that the Docker daemon at dockerHost answers and runs the
 * backup container; returns the line to print when not (naming the host and what to check).
 */
async function preflight(
    docker: string,
    dockerEnv: Record<string, string>,
    dockerHost: string,
    container: string,
    stack: string,
    timeoutSeconds: number,
): Promise<string | undefined> {
    const checks = `Check that the host is up and reachable from here, that dockerd runs there (for an ssh:// host, \`DOCKER_HOST=${dockerHost} docker version\` must work without a prompt), and the stack's nexora:dockerHost (or --docker-host).`;
    const r = await run(docker, ["container", "inspect", "--format", "{{.State.Running}}", container], dockerEnv, { timeoutMs: timeoutSeconds * 1000 });
    if (r.timedOut) return `the Docker daemon at ${dockerHost} did not answer within ${timeoutSeconds} s. ${checks}`;
    if (r.code === 127) return `${r.stderr.trim()} (is the docker CLI installed?)`;
    if (r.code !== 0) {
        const last = r.stderr.trim().split("\n").pop() ?? `exit ${r.code}`;
        if (/No such (container|object)/i.test(r.stderr))
            return `there is no container ${container} on ${dockerHost}: is stack ${stack} deployed there with backups on (pulumi up)?`;
        if (CANNOT_CONNECT.test(r.stderr)) return `cannot reach the Docker daemon at ${dockerHost}: ${last}. ${checks}`;
        return `docker container inspect ${container} on ${dockerHost} failed: ${last}`;
    }
    if (r.stdout.trim() !== "true") return `${container} is not running on ${dockerHost}: start it (\`docker start ${container}\`) and retry.`;
    return undefined;
}

function stackSettings(stack: string, configFile: string): PlatformSettings {
    return settingsOfConfig(stack, readStackFile(configFile));
}

/** Runs the tool; returns the exit code instead of exiting, so tests (and the e2e) can call it. */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: RestoreIo): Promise<number> {
    let stack: string;
    let store: string;
    let values: { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };
    let settings: PlatformSettings;
    try {
        const parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
        values = parsed.values;
        if (values.help) {
            io.stdout(`${USAGE}\n`);
            return 0;
        }
        if (parsed.positionals.length !== 2) throw new UsageError("expected exactly two arguments: <stack> <store>");
        [stack, store] = parsed.positionals as [string, string];
        if (!isStackName(stack)) throw new UsageError(`<stack>: a stack name, got ${JSON.stringify(stack)}`);
        const configFile = values.config ?? path.join(ROOT, `Pulumi.${stack}.yaml`);
        try {
            settings = stackSettings(stack, configFile);
        } catch (err) {
            if (err instanceof ConfigError) throw new UsageError(`${configFile}: ${err.message}`);
            throw new UsageError(`${configFile}: ${(err as Error).message}`);
        }
        if (!settings.backup.enabled) throw new UsageError(`stack ${stack} has no backups (nexora:backupEnabled is false)`);
        const stores = backupStores(settings).map((s) => s.key);
        if (!(stores as string[]).includes(store))
            throw new UsageError(`<store>: one of ${stores.join(", ")} (what stack ${stack} backs up), got ${JSON.stringify(store)}`);
        if (values.snapshot !== undefined && !/^[0-9a-f]{8,64}$/.test(values.snapshot))
            throw new UsageError("--snapshot expects a restic snapshot ID (8-64 hex digits)");
        if (values.database !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(values.database)) throw new UsageError("--database expects a database name");
        if (values.target !== undefined && values.target !== "local" && values.target !== "offsite") throw new UsageError("--target expects local or offsite");
        if (values.target === "offsite" && !settings.backup.offsite) throw new UsageError(`--target offsite: stack ${stack} has no off-host repository`);
        if (values["dry-run"] && values.yes) throw new UsageError("--dry-run and --yes exclude each other: --dry-run changes nothing");
        const timeout = env.NEXORA_RESTORE_CONNECT_TIMEOUT;
        if (timeout !== undefined && !/^[1-9]\d{0,3}$/.test(timeout))
            throw new UsageError(`NEXORA_RESTORE_CONNECT_TIMEOUT: whole seconds (1-9999), got ${JSON.stringify(timeout)}`);
    } catch (err) {
        io.stderr(`restore: ${(err as Error).message}\n\n${USAGE}\n`);
        return 2;
    }

    const baseEnv = { PATH: env.PATH ?? "/usr/bin:/bin", HOME: env.HOME ?? "/tmp" };
    let password = env.NEXORA_RESTIC_PASSWORD;
    if (password === undefined || password === "") {
        const pulumi = env.NEXORA_PULUMI_CLI ?? "pulumi";
        const out = await run(pulumi, ["stack", "output", "backupRepositoryPassword", "--show-secrets", "--stack", stack, "--non-interactive"], {
            ...baseEnv,
            ...Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[0].startsWith("PULUMI_") && e[1] !== undefined)),
        });
        password = out.stdout.trim();
        if (out.code !== 0 || password === "") {
            io.stderr(
                `restore: cannot read the repository password from \`pulumi stack output --show-secrets backupRepositoryPassword --stack ${stack}\` (${out.stderr.trim().split("\n").pop() ?? `exit ${out.code}`}); set NEXORA_RESTIC_PASSWORD instead. Nothing was changed.\n`,
            );
            return 1;
        }
    }

    const docker = env.NEXORA_DOCKER_CLI ?? "docker";
    const dockerHost = values["docker-host"] ?? env.NEXORA_DOCKER_HOST ?? settings.dockerHost;
    const container = dockerName(stack, "backup");
    const scriptArgs = [
        "restore",
        store,
        ...(values.snapshot ? ["--snapshot", values.snapshot] : []),
        ...(values.database ? ["--database", values.database] : []),
        ...(values.target ? ["--target", values.target] : []),
    ];
    const dockerEnv = { ...baseEnv, DOCKER_HOST: dockerHost, RESTIC_PASSWORD: password };
    // -e NAME without a value passes the variable from docker's own environment: not on the command line.
    const exec = (extra: string[], options: RunOptions) =>
        run(docker, ["exec", "-i", "-e", "RESTIC_PASSWORD", container, BACKUP_SCRIPT_IN_CONTAINER, ...scriptArgs, ...extra], dockerEnv, options);

    const connectTimeout = Number(env.NEXORA_RESTORE_CONNECT_TIMEOUT ?? 20);
    io.stderr(`restore: checking ${container} on ${dockerHost}\n`);
    const unreachable = await preflight(docker, dockerEnv, dockerHost, container, stack, connectTimeout);
    if (unreachable !== undefined) {
        io.stderr(`restore: ${unreachable} Nothing was changed.\n`);
        return 1;
    }
    io.stderr(`restore: reading the backups of ${store} (the repository's snapshot list)\n`);
    const plan = await exec(["--dry-run"], { progress: { io, what: "reading the snapshot list" } });
    if (plan.code !== 0) {
        io.stderr(`restore: ${plan.stderr.trim() || plan.stdout.trim() || `docker exec ${container} failed (exit ${plan.code})`}\n`);
        if (plan.code === 127 || /No such container|Cannot connect to the Docker daemon|is not running/.test(plan.stderr)) {
            io.stderr(`restore: is ${container} running on ${dockerHost}? Nothing was changed.\n`);
        }
        return 1;
    }
    io.stdout(plan.stdout);
    if (values["dry-run"]) {
        io.stderr("restore: dry run only. Nothing was changed.\n");
        return 0;
    }
    if (!values.yes) {
        const ok = await io.confirm(`Restore ${store} of stack ${stack} as planned above? Only this store is changed. [y/N] `);
        if (!ok) {
            io.stderr("restore: not confirmed. Nothing was changed.\n");
            return 3;
        }
    }
    const applied = await exec([], { stream: io, progress: { io, what: `restoring ${store}` } });
    if (applied.code !== 0) {
        io.stderr(`restore: the restore of ${store} failed (exit ${applied.code}); see the messages above.\n`);
        return 1;
    }
    return 0;
}

if (require.main === module) {
    const io: RestoreIo = {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        confirm: (question) =>
            new Promise((resolve) => {
                if (!process.stdin.isTTY) {
                    process.stderr.write(`${question}\nrestore: no terminal to ask on; pass --yes to confirm.\n`);
                    resolve(false);
                    return;
                }
                const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
                rl.question(question, (answer) => {
                    rl.close();
                    resolve(/^(y|yes)$/i.test(answer.trim()));
                });
            }),
    };
    main(process.argv.slice(2), process.env, io).then(
        (code) => {
            process.exitCode = code;
        },
        (err: unknown) => {
            process.stderr.write(`restore: ${String(err)}\n`);
            process.exitCode = 1;
        },
    );
}
