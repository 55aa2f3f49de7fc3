/**
 * Test helpers around the real caddy binary (Debian's caddy 2.6 locally and in CI): validate,
 * format and serve rendered Caddyfiles. Every caddy process gets its own HOME/XDG directories
 * in a temp dir, so tests never read or write the machine's Caddy state or trust store.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface CaddyResult {
    readonly exitCode: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** The caddy binary: $CADDY_BIN, else the first `caddy` on PATH. Throws (never skips) when there is none. */
export function caddyBinary(): string {
    const candidates = process.env.CADDY_BIN
        ? [process.env.CADDY_BIN]
        : (process.env.PATH ?? "")
              .split(delimiter)
              .filter(Boolean)
              .map((dir) => join(dir, "caddy"));
    for (const candidate of candidates) {
        try {
            accessSync(candidate, constants.X_OK);
            return candidate;
        } catch {
            // not this one
        }
    }
    throw new Error(
        "caddy binary not found (looked at " +
            (process.env.CADDY_BIN ? "$CADDY_BIN" : "PATH") +
            "): " +
            "install it with `apt-get install caddy` (the Debian package is what CI uses) or set CADDY_BIN",
    );
}

/** A temp dir holding a Caddyfile and the HOME/XDG dirs caddy may write to; remove() deletes it all. */
export interface CaddyWorkspace {
    readonly dir: string;
    readonly env: NodeJS.ProcessEnv;
    /** XDG_DATA_HOME: caddy keeps certificates and its local CA under `caddy/` here. */
    readonly dataDir: string;
    writeCaddyfile(text: string, name?: string): Promise<string>;
    remove(): Promise<void>;
}

export async function caddyWorkspace(): Promise<CaddyWorkspace> {
    const dir = await mkdtemp(join(tmpdir(), "nexora-caddy-"));
    const dataDir = join(dir, "data");
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, XDG_DATA_HOME: dataDir, XDG_CONFIG_HOME: join(dir, "config") };
    return {
        dir,
        env,
        dataDir,
        async writeCaddyfile(text, name = "Caddyfile") {
            const path = join(dir, name);
            await writeFile(path, text);
            return path;
        },
        remove: () => rm(dir, { recursive: true, force: true }),
    };
}

/** Runs one caddy subcommand to completion; a hung command is killed after `timeoutMs`. */
export function runCaddy(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<CaddyResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(caddyBinary(), args, { env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("error", (error) => {
            clearTimeout(timer);
            reject(error);
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr });
        });
    });
}

/** `caddy adapt --validate`: adapts the Caddyfile to JSON and provisions every module, without starting servers. */
export async function adaptAndValidate(caddyfile: string): Promise<CaddyResult & { readonly json: unknown }> {
    const workspace = await caddyWorkspace();
    try {
        const path = await workspace.writeCaddyfile(caddyfile);
        const result = await runCaddy(["adapt", "--config", path, "--adapter", "caddyfile", "--validate"], workspace.env);
        return { ...result, json: result.exitCode === 0 ? JSON.parse(result.stdout) : undefined };
    } finally {
        await workspace.remove();
    }
}

/** What `caddy fmt` makes of the Caddyfile. */
export async function formatCaddyfile(caddyfile: string): Promise<string> {
    const workspace = await caddyWorkspace();
    try {
        const path = await workspace.writeCaddyfile(caddyfile);
        const result = await runCaddy(["fmt", path], workspace.env);
        if (result.exitCode !== 0) throw new Error(`caddy fmt failed:\n${result.stderr}`);
        return result.stdout;
    } finally {
        await workspace.remove();
    }
}

/** A bcrypt hash from `caddy hash-password`, the tool the platform's docs point operators at. */
export async function hashPassword(plaintext: string): Promise<string> {
    const workspace = await caddyWorkspace();
    try {
        const result = await runCaddy(["hash-password", "--plaintext", plaintext], workspace.env);
        if (result.exitCode !== 0) throw new Error(`caddy hash-password failed:\n${result.stderr}`);
        return result.stdout.trim();
    } finally {
        await workspace.remove();
    }
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it, so parallel test files do not clash). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

export interface RunningCaddy {
    readonly workspace: CaddyWorkspace;
    /** Everything caddy logged so far, for failure messages. */
    logs(): string;
    /** PEM of the local CA's root, which signs `tls internal` certificates. */
    rootCertificate(): Promise<string>;
    /** `caddy reload` with a new Caddyfile: posts it to the admin address that Caddyfile names. */
    reload(caddyfile: string): Promise<CaddyResult>;
    /** Stops caddy (SIGTERM, then SIGKILL after 5 s) and deletes its workspace. */
    stop(): Promise<void>;
}

/**
 * Runs `caddy run` on the Caddyfile in a fresh workspace. Resolves once the process is up;
 * use `eventually` to wait for listeners and certificates. Rejects if caddy exits first.
 */
export async function startCaddy(caddyfile: string): Promise<RunningCaddy> {
    // Caddy's local CA otherwise installs its root into this machine's trust store (update-ca-certificates:
    // slow, and a test must not change the machine).
    if (/\btls internal\b|\blocal_certs\b/.test(caddyfile) && !/^\s*skip_install_trust\s*$/m.test(caddyfile))
        throw new Error("startCaddy: a Caddyfile with the local CA needs skip_install_trust in its global options");
    const binary = caddyBinary();
    const workspace = await caddyWorkspace();
    const path = await workspace.writeCaddyfile(caddyfile);
    const child: ChildProcess = spawn(binary, ["run", "--config", path, "--adapter", "caddyfile"], {
        env: workspace.env,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let logs = "";
    child.stdout!.on("data", (chunk: Buffer) => (logs += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (logs += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let running = true;
    void exited.then(() => (running = false));

    // `caddy run` logs "serving initial configuration" once its servers are up. A liveness bound, not a
    // speed check: a loaded 2-core machine can take many seconds to start it.
    const deadline = Date.now() + 60_000;
    while (!logs.includes("serving initial configuration")) {
        if (!running) {
            await workspace.remove();
            throw new Error(`caddy exited before serving:\n${logs}`);
        }
        if (Date.now() > deadline) {
            child.kill("SIGKILL");
            await exited;
            await workspace.remove();
            throw new Error(`caddy did not start within 60 s:\n${logs}`);
        }
        await sleep(50);
    }

    return {
        workspace,
        logs: () => logs,
        rootCertificate: () => readFile(join(workspace.dataDir, "caddy", "pki", "authorities", "local", "root.crt"), "utf8"),
        async reload(next) {
            const nextPath = await workspace.writeCaddyfile(next, "Caddyfile.next");
            return runCaddy(["reload", "--config", nextPath, "--adapter", "caddyfile"], workspace.env);
        },
        async stop() {
            if (running) {
                child.kill("SIGTERM");
                const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
                await exited;
                clearTimeout(killer);
            }
            await workspace.remove();
        },
    };
}

/** Retries `attempt` until it stops throwing or `timeoutMs` passes, then rethrows its last error. */
export async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            return await attempt();
        } catch (error) {
            if (Date.now() > deadline) throw error;
            await sleep(100);
        }
    }
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
