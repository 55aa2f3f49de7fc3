/**
 * The e2e's handles on the real world: the Pulumi CLI on a local file backend, the test Docker
 * daemon, the relay. `tools/e2e/run.sh` starts the daemon and the relay and passes their
 * addresses in the environment; this module only talks to them.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "yaml";

export const ROOT = path.resolve(__dirname, "../..");
export const STACK = "dev-e2e";

function required(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run the e2e through \`npm run e2e\` (tools/e2e/run.sh)`);
    return value;
}

export const env = {
    dockerHost: (): string => required("NEXORA_E2E_DOCKER_HOST"),
    relayAddress: (): string => required("NEXORA_E2E_RELAY_ADDR"),
    frpToken: (): string => required("NEXORA_E2E_FRP_TOKEN"),
    relayNamespace: (): string => required("NEXORA_E2E_RELAY_NS"),
};

export interface CliResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
}

/** What a Pulumi project needs of the repository; linked, so the e2e runs the program as committed. */
const PROJECT_FILES = ["Pulumi.yaml", "index.ts", "components", "package.json", "tsconfig.json", "node_modules"];

/**
 * One Pulumi workspace: a file backend, passphrase secrets, and a project directory of links to
 * the repository, so the stack's config file (which `pulumi stack init` and `config set` write)
 * lives outside the clone.
 */
export class PulumiWorkspace {
    readonly stack: string;
    readonly dir: string;
    readonly projectDir: string;
    readonly configFile: string;
    readonly passphrase = randomBytes(24).toString("hex");

    /** @param stack the stack's name; every e2e file that brings up a stack of its own names it. */
    constructor(stack: string = STACK) {
        this.stack = stack;
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexora-e2e-"));
        fs.mkdirSync(path.join(this.dir, "state"));
        fs.mkdirSync(path.join(this.dir, "home"));
        this.projectDir = path.join(this.dir, "project");
        fs.mkdirSync(this.projectDir);
        for (const f of PROJECT_FILES) fs.symlinkSync(path.join(ROOT, f), path.join(this.projectDir, f));
        this.configFile = path.join(this.projectDir, `Pulumi.${stack}.yaml`);
    }

    cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
        return {
            ...process.env,
            PULUMI_HOME: path.join(this.dir, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: this.passphrase,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            NO_COLOR: "1",
            ...extra,
        };
    }

    /** Runs `pulumi ARGS` for the e2e stack in the project directory; never throws on exit codes. */
    async pulumi(args: string[], opts: { input?: string; extraEnv?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
        const started = Date.now();
        const child = spawn("pulumi", [...args, "--stack", this.stack, "--non-interactive"], {
            cwd: this.projectDir,
            env: this.cliEnv(opts.extraEnv),
            stdio: ["pipe", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.stdin.end(opts.input ?? "");
        const timer = setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs ?? 20 * 60_000);
        const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? -1)));
        clearTimeout(timer);
        return { code, stdout, stderr, seconds: (Date.now() - started) / 1000 };
    }

    /** Like `pulumi`, but fails with the CLI's own output when it exits non-zero. */
    async pulumiOk(args: string[], opts: { extraEnv?: Record<string, string> } = {}): Promise<CliResult> {
        const r = await this.pulumi(args, opts);
        if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}`);
        return r;
    }

    /** `pulumi config set --secret nexora:<key>` with the value on stdin, never as an argument. */
    async setSecret(key: string, value: string): Promise<void> {
        const r = await this.pulumi(["config", "set", "--secret", `nexora:${key}`], { input: value });
        if (r.code !== 0) throw new Error(`config set nexora:${key} exited ${r.code}: ${r.stderr}`);
    }

    /**
     * Leaves nothing of the stack on the test daemon: unprotects and destroys everything and removes
     * the workspace. For an afterAll, so it reports nothing and throws nothing (the harness stops the
     * daemon anyway).
     */
    async destroyAll(): Promise<void> {
        await this.pulumi(["state", "unprotect", "--all", "--yes"]);
        await this.pulumi(["destroy", "--yes", "--skip-preview"]);
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /** Writes the stack's config file from the committed e2e stack plus run-time values. */
    writeConfig(mutate: (config: Record<string, unknown>) => void = () => {}): void {
        const doc = this.readConfigDoc();
        mutate(doc.config);
        fs.writeFileSync(this.configFile, yaml.stringify(doc));
    }

    readConfigDoc(): { config: Record<string, unknown>; [k: string]: unknown } {
        const source = fs.existsSync(this.configFile) ? this.configFile : path.join(ROOT, "tests/e2e/stack.yaml");
        return yaml.parse(fs.readFileSync(source, "utf8")) as { config: Record<string, unknown> };
    }
}

/**
 * The slowest steps of a `pulumi up` from its progress output: the CLI ends each finished step's
 * line with its duration, e.g. `+  docker:index/container:Container caddy-container created (12.3s)`.
 */
export function slowestSteps(output: string, most = 5): { resource: string; seconds: number }[] {
    const steps = [...output.matchAll(/^\s*[+~-]{1,3}\+?\s+(\S+)\s+(\S+)\s+(?:created|updated|replaced|deleted)\s+\((\d+(?:\.\d+)?)s\)/gm)].map((m) => ({
        resource: `${m[1]} ${m[2]}`,
        seconds: Number(m[3]),
    }));
    // The stack and the components (`nexora:…`) report the time of everything under them.
    return steps
        .filter((s) => !/^(pulumi:pulumi:Stack|nexora:)/.test(s.resource))
        .sort((a, b) => b.seconds - a.seconds)
        .slice(0, most);
}

export function tail(text: string, lines = 60): string {
    return text.split("\n").slice(-lines).join("\n");
}

/** The docker CLI against the test daemon. */
export async function docker(args: string[], opts: { input?: string; allowFail?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn("docker", args, { env: { ...process.env, DOCKER_HOST: env.dockerHost() }, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.stdin.end(opts.input ?? "");
        child.on("close", (code) => {
            const result = { code: code ?? -1, stdout, stderr };
            if (code !== 0 && !opts.allowFail) reject(new Error(`docker ${args.join(" ")} exited ${code}: ${stderr.trim()}`));
            else resolve(result);
        });
    });
}

export interface ContainerState {
    readonly name: string;
    readonly id: string;
    readonly created: string;
    readonly health?: string;
    readonly running: boolean;
    readonly env: readonly string[];
    readonly image: string;
    readonly networks: Readonly<Record<string, { IPAddress: string }>>;
    readonly labels: Readonly<Record<string, string>>;
}

/** Every container of a stack (the e2e stack unless named) on the test daemon, by name. */
export async function stackContainers(stack: string = STACK): Promise<Map<string, ContainerState>> {
    const ids = (await docker(["ps", "-aq", "--filter", `label=nexora.stack=${stack}`])).stdout.split(/\s+/).filter(Boolean);
    const out = new Map<string, ContainerState>();
    if (ids.length === 0) return out;
    const inspected = JSON.parse((await docker(["inspect", ...ids])).stdout) as {
        Id: string;
        Name: string;
        Created: string;
        Config: { Env: string[]; Image: string; Labels: Record<string, string> };
        State: { Running: boolean; Health?: { Status: string } };
        NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
    }[];
    for (const c of inspected) {
        const name = c.Name.replace(/^\//, "");
        out.set(name, {
            name,
            id: c.Id,
            created: c.Created,
            health: c.State.Health?.Status,
            running: c.State.Running,
            env: c.Config.Env,
            image: c.Config.Image,
            networks: c.NetworkSettings.Networks,
            labels: c.Config.Labels,
        });
    }
    return out;
}

export function envOf(c: ContainerState, name: string): string | undefined {
    const entry = c.env.find((e) => e.startsWith(`${name}=`));
    return entry?.slice(name.length + 1);
}

/** The stack's Caddy root CA (internal TLS), so requests through the relay verify certificates. */
export async function caddyRootCa(caddyContainer: string): Promise<string> {
    return (await docker(["exec", caddyContainer, "cat", "/data/caddy/pki/authorities/local/root.crt"])).stdout;
}

export interface EdgeResponse {
    readonly status: number;
    readonly body: string;
}

/**
 * One HTTPS request to a public hostname through the relay (frps's vhost HTTPS port on the relay
 * address, SNI and Host set to the hostname), verified against Caddy's root CA.
 */
export function requestViaRelay(hostname: string, urlPath: string, ca: string, timeoutMs = 5000): Promise<EdgeResponse> {
    return new Promise((resolve, reject) => {
        const req = https.request(
            { host: env.relayAddress(), port: 443, servername: hostname, path: urlPath, headers: { host: hostname }, ca, timeout: timeoutMs, agent: false },
            (res) => {
                let body = "";
                res.setEncoding("utf8");
                res.on("data", (d: string) => (body += d));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            },
        );
        req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
        req.on("error", reject);
        req.end();
    });
}

/** Retries a request until `ok` holds or the deadline passes; returns the last response. */
export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, stepMs = 1000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    let lastError: unknown;
    while (Date.now() < deadline) {
        try {
            last = await probe();
            if (ok(last)) return last;
        } catch (err) {
            lastError = err;
        }
        await new Promise((r) => setTimeout(r, stepMs));
    }
    if (last !== undefined) return last;
    throw lastError instanceof Error ? lastError : new Error("no answer before the deadline");
}

/**
 * A request loop against hostnames a change must not touch: each hostname is asked every
 * `intervalMs` until stopped; every non-2xx answer or error is a failure.
 */
export class RequestLoop {
    private running = true;
    private readonly loops: Promise<void>[];
    readonly counts = new Map<string, { ok: number; failed: number; errors: string[] }>();

    constructor(targets: readonly { hostname: string; path: string; expect: (body: string) => boolean }[], ca: string, intervalMs = 200) {
        this.loops = targets.map(async (t) => {
            const c = { ok: 0, failed: 0, errors: [] as string[] };
            this.counts.set(t.hostname, c);
            while (this.running) {
                try {
                    const r = await requestViaRelay(t.hostname, t.path, ca);
                    if (r.status >= 200 && r.status < 300 && t.expect(r.body)) c.ok++;
                    else {
                        c.failed++;
                        c.errors.push(`HTTP ${r.status}`);
                    }
                } catch (err) {
                    c.failed++;
                    c.errors.push(err instanceof Error ? err.message : String(err));
                }
                await new Promise((r) => setTimeout(r, intervalMs));
            }
        });
    }

    async stop(): Promise<Map<string, { ok: number; failed: number; errors: string[] }>> {
        this.running = false;
        await Promise.all(this.loops);
        return this.counts;
    }
}

/** The steps of a `pulumi preview --json`: which URNs the engine would create, update, replace, delete. */
export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly type?: string;
    /** The properties the engine saw change (to explain an unexpected step). */
    readonly diffReasons?: readonly string[];
    readonly replaceReasons?: readonly string[];
}

export function previewSteps(json: string): PreviewStep[] {
    const doc = JSON.parse(json) as {
        steps?: { op: string; urn: string; newState?: { type?: string }; oldState?: { type?: string }; diffReasons?: string[]; replaceReasons?: string[] }[];
    };
    return (doc.steps ?? []).map((s) => ({
        op: s.op,
        urn: s.urn,
        type: s.newState?.type ?? s.oldState?.type,
        diffReasons: s.diffReasons,
        replaceReasons: s.replaceReasons,
    }));
}

/** A step list for an assertion message: name, operation and what changed. */
export function explainSteps(steps: readonly PreviewStep[]): string {
    return steps.map((s) => `${nameOf(s.urn)} ${s.op} diff=${(s.diffReasons ?? []).join(",")} replace=${(s.replaceReasons ?? []).join(",")}`).join("\n");
}

export function changed(steps: readonly PreviewStep[]): PreviewStep[] {
    return steps.filter((s) => s.op !== "same");
}

export function nameOf(urn: string): string {
    return urn.split("::").pop()!;
}
