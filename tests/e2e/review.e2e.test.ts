/**
 * Review environments on the real engine and daemon: a lean dev-like host stack of this file's
 * own (dev-rvhost, its own subnets, hostnames rv-{service}), then `npm run review` through the
 * Automation API: up for one MR of an app, its URL through the relay answering from the review's
 * own container with its own database, up for a second MR, down both; the daemon's containers,
 * volumes and networks compared with before, and the host stack checked for collateral changes.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caddyRootCa, changed, docker, env, eventually, previewSteps, PulumiWorkspace, requestViaRelay, ROOT, stackContainers, tail } from "./harness";
import { printFigures, record } from "./figures";
import { REVIEW_WORKDIR } from "../../tools/review/backend";

const HOST = "dev-rvhost";
const DOMAIN = "nexora.restry.cn";
const hostname = (sub: string) => `rv-${sub}.${DOMAIN}`;
const ws = new PulumiWorkspace(HOST);
const MRS = [101, 102] as const;
/** Started at once against reviewMaxConcurrent 2: exactly one of them is refused. */
const RACE = [104, 105, 106] as const;
const IMAGE = "nexora-e2e/business-app:1.0.0";
let ca = "";

interface ToolResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
}

/**
 * `npm run review -- ARGS` as CI runs it: its own process, the workspace's backend and passphrase,
 * the pulumi CLI on PATH. `onStderr` sees its standard error as it comes.
 */
function review(args: string[], onStderr?: (soFar: string) => void): Promise<ToolResult> {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "tools/review/cli.ts"), ...args, "--host-stack", HOST], {
            cwd: ws.projectDir,
            env: ws.cliEnv({ NEXORA_REVIEW_PROJECT_DIR: ws.projectDir, PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true" }),
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => {
            stderr += d.toString();
            onStderr?.(stderr);
        });
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
    });
}

async function reviewOk(args: string[]): Promise<ToolResult> {
    const r = await review(args);
    if (r.code !== 0) throw new Error(`review ${args.join(" ")} exited ${r.code}\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr, 80)}`);
    return r;
}

/** Everything on the daemon: containers (name → id), volumes and networks. */
async function daemonInventory(): Promise<{ containers: Map<string, string>; volumes: Set<string>; networks: Set<string> }> {
    const lines = async (args: string[]) => (await docker(args)).stdout.split("\n").filter(Boolean);
    const containers = new Map((await lines(["ps", "-a", "--format", "{{.Names}} {{.ID}}"])).map((l) => l.split(" ") as [string, string]));
    return {
        containers,
        volumes: new Set(await lines(["volume", "ls", "-q"])),
        networks: new Set(await lines(["network", "ls", "--format", "{{.Name}}"])),
    };
}

const mysqlContainer = `nexora-${HOST}-mysql`;
async function mysqlNames(): Promise<{ databases: string[]; users: string[] }> {
    const q = async (sql: string) =>
        (
            await docker(["exec", mysqlContainer, "sh", "-c", `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=socket -uroot -N -e ${JSON.stringify(sql)}`])
        ).stdout
            .split("\n")
            .filter(Boolean);
    return { databases: await q("SHOW DATABASES"), users: await q("SELECT User FROM mysql.user") };
}

const SEED_SQL =
    "CREATE TABLE IF NOT EXISTS nexora_seed_marker (v VARCHAR(32)); DELETE FROM nexora_seed_marker; INSERT INTO nexora_seed_marker VALUES ('host-data');";
/** The marker row of a database, or "" when it has none. */
async function seedMarker(database: string): Promise<string> {
    const sql = `SELECT v FROM ${database}.nexora_seed_marker`;
    const r = await docker([
        "exec",
        mysqlContainer,
        "sh",
        "-c",
        `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=socket -uroot -N -e ${JSON.stringify(sql)} 2>/dev/null || true`,
    ]);
    return r.stdout.trim();
}

const appAnswer = (body: string): { app?: string; database?: string; status?: string } => {
    try {
        return JSON.parse(body) as { app?: string; database?: string };
    } catch {
        return {};
    }
};

let before: Awaited<ReturnType<typeof daemonInventory>>;
let hostIds: Map<string, string>;

beforeAll(async () => {
    // The committed e2e stack, made lean and moved to this file's own names: one app with a database, no backups or portal.
    ws.writeConfig((c) => {
        c["nexora:dockerHost"] = env.dockerHost();
        c["nexora:frpServerAddr"] = env.relayAddress();
        c["nexora:hostnamePattern"] = "rv-{service}.{domain}";
        c["nexora:edgeSubnet"] = "10.204.46.0/24";
        c["nexora:dataSubnet"] = "10.204.47.0/24";
        c["nexora:backupEnabled"] = false;
        c["nexora:portalEnabled"] = false;
        c["nexora:reviewsEnabled"] = true;
        c["nexora:reviewMaxConcurrent"] = 2;
        const apps = c["nexora:apps"] as Record<string, unknown>;
        delete apps.shop;
    });
    await ws.pulumiOk(["stack", "init", "--secrets-provider", "passphrase"]);
    await ws.setSecret("frpToken", env.frpToken());
    const up = await ws.pulumi(["up", "--yes", "--skip-preview"]);
    if (up.code !== 0) throw new Error(`host up exited ${up.code}\n${tail(up.stdout, 120)}\n${tail(up.stderr)}`);
    ca = await caddyRootCa(`nexora-${HOST}-caddy`);
    const own = await eventually(
        () => requestViaRelay(hostname("ledger"), "/api/health", ca),
        (r) => r.status === 200,
        120_000,
    );
    expect(own.status, own.body).toBe(200);
    before = await daemonInventory();
    hostIds = new Map([...(await stackContainers(HOST))].map(([name, c]) => [name, c.id]));
});

afterAll(async () => {
    printFigures();
    // A failed step may have left a review: take them down before the host (their attachments are on its containers).
    for (const mr of [...MRS, ...RACE]) await review(["down", "--app", "ledger", "--mr", String(mr)]);
    await ws.destroyAll();
});

describe("review environments on a real engine", () => {
    it("refuses bad input before creating anything (exit 2)", async () => {
        const r = await review(["up", "--app", "ledger", "--mr", "101", "--image", "nexora-e2e/business-app"]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/--image .* has no tag or digest/);
        const unknown = await review(["up", "--app", "payroll", "--mr", "101", "--image", IMAGE]);
        expect(unknown.code, unknown.stderr).toBe(2);
        expect(unknown.stderr).toMatch(/--app "payroll" is not an app of host stack dev-rvhost/);
        const after = await daemonInventory();
        expect([...after.containers.keys()].sort()).toEqual([...before.containers.keys()].sort());
    });

    it("brings up a review whose URL answers through the relay from its own container and its own database", async () => {
        const up = await reviewOk(["up", "--app", "ledger", "--mr", String(MRS[0]), "--image", IMAGE, "--json"]);
        record("review up seconds", up.seconds);
        const out = JSON.parse(up.stdout) as { stack: string; url: string };
        expect(out.stack).toBe("review-ledger-mr101");
        expect(out.url).toBe(`https://${hostname("mr101-ledger")}`);
        const health = await eventually(
            () => requestViaRelay(hostname("mr101-ledger"), "/api/health", ca),
            (r) => r.status === 200,
            120_000,
        );
        expect(health.status, health.body).toBe(200);
        // The health path answers only after a real query on its database: its own.
        expect(appAnswer(health.body)).toMatchObject({ status: "ok", database: "mr101_ledger" });
        const root = await requestViaRelay(hostname("mr101-ledger"), "/", ca);
        expect(appAnswer(root.body)).toMatchObject({ app: "ledger", database: "mr101_ledger" });
        // Its own container, on its own networks only.
        const [container] = [...(await stackContainers(`${HOST}-mr101`)).values()];
        // Released like the host's apps: `<base>-<release id>`.
        expect(container?.name).toMatch(new RegExp(`^nexora-${HOST}-mr101-ledger-[0-9a-f]{8}$`));
        // The provider creates the container from the image's ID.
        expect(container?.image).toBe((await docker(["image", "inspect", "-f", "{{.Id}}", IMAGE])).stdout.trim());
        expect(Object.keys(container!.networks).sort()).toEqual([`nexora-${HOST}-mr101-ledger-data`, `nexora-${HOST}-mr101-ledger-web`]);
        // The host's own app still answers from its own database.
        const own = await requestViaRelay(hostname("ledger"), "/api/health", ca);
        expect(appAnswer(own.body)).toMatchObject({ status: "ok", database: "ledger" });
    });

    it("brings up a second MR's review beside it, isolated from the first, seeded with a copy of the host's data", async () => {
        // Real data of the host's app: the second review asks for a copy (--seed-from-host), the first has none.
        await docker([
            "exec",
            mysqlContainer,
            "sh",
            "-c",
            `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=socket -uroot ledger -e ${JSON.stringify(SEED_SQL)}`,
        ]);
        const up = await reviewOk(["up", "--app", "ledger", "--mr", String(MRS[1]), "--image", IMAGE, "--seed-from-host"]);
        expect(up.stdout.trim()).toBe(`https://${hostname("mr102-ledger")}`);
        const health = await eventually(
            () => requestViaRelay(hostname("mr102-ledger"), "/api/health", ca),
            (r) => r.status === 200,
            120_000,
        );
        expect(appAnswer(health.body)).toMatchObject({ status: "ok", database: "mr102_ledger" });
        const first = await requestViaRelay(hostname("mr101-ledger"), "/api/health", ca);
        expect(appAnswer(first.body)).toMatchObject({ status: "ok", database: "mr101_ledger" });
        // No network of one review holds the other's container.
        const second = [...(await stackContainers(`${HOST}-mr102`)).values()][0]!;
        expect(Object.keys(second.networks).some((n) => n.includes("mr101"))).toBe(false);
        const names = await mysqlNames();
        expect(names.databases).toEqual(expect.arrayContaining(["ledger", "mr101_ledger", "mr102_ledger"]));
        expect(await seedMarker("mr102_ledger")).toBe("host-data");
        expect(await seedMarker("mr101_ledger")).toBe("");
        // A third is beyond reviewMaxConcurrent (2): refused, nothing created.
        const third = await review(["up", "--app", "ledger", "--mr", "103", "--image", IMAGE]);
        expect(third.code, third.stderr).toBe(3);
        expect(third.stderr).toMatch(/reviewMaxConcurrent/);
        const list = JSON.parse((await reviewOk(["list", "--json"])).stdout) as { stack: string; image: string }[];
        expect(list.map((r) => r.stack)).toEqual(["review-ledger-mr101", "review-ledger-mr102"]);
    });

    it("replaces nothing of the host stack: same containers, and a preview of it with no change", async () => {
        const now = new Map([...(await stackContainers(HOST))].map(([name, c]) => [name, c.id]));
        const replacedContainers = [...hostIds].filter(([name, id]) => now.get(name) !== id).map(([name]) => name);
        const preview = await ws.pulumi(["preview", "--json"]);
        if (preview.code !== 0) throw new Error(`host preview exited ${preview.code}\n${tail(preview.stdout)}\n${tail(preview.stderr)}`);
        const steps = changed(previewSteps(preview.stdout));
        const replaceSteps = steps.filter((s) => s.op === "replace" || s.op === "create-replacement" || s.op === "delete-replaced");
        record("review collateral replacements", replacedContainers.length + replaceSteps.length);
        expect(replacedContainers).toEqual([]);
        expect(steps.map((s) => `${s.op} ${s.urn}`)).toEqual([]);
    });

    it("takes both down: nothing of them left on the daemon, in the host's Caddy, frpc or MySQL", async () => {
        const down = await reviewOk(["down", "--app", "ledger", "--mr", String(MRS[0])]);
        record("review down seconds", down.seconds);
        await reviewOk(["down", "--app", "ledger", "--mr", String(MRS[1])]);
        const after = await daemonInventory();
        const leftovers = [
            ...[...after.containers.keys()].filter((n) => !before.containers.has(n)),
            ...[...before.containers.keys()].filter((n) => !after.containers.has(n)).map((n) => `missing ${n}`),
            ...[...after.volumes].filter((v) => !before.volumes.has(v)),
            ...[...after.networks].filter((n) => !before.networks.has(n)),
            ...[...before.networks].filter((n) => !after.networks.has(n)).map((n) => `missing ${n}`),
        ];
        const names = await mysqlNames();
        leftovers.push(...names.databases.filter((d) => d.startsWith("mr")), ...names.users.filter((u) => u.startsWith("mr")));
        const caddyDir = (await docker(["exec", `nexora-${HOST}-caddy`, "sh", "-c", "ls -A /etc/caddy/reviews 2>/dev/null || true"])).stdout
            .split("\n")
            .filter(Boolean);
        const frpcDir = (await docker(["exec", `nexora-${HOST}-frpc`, "sh", "-c", "ls -A /etc/frp/reviews 2>/dev/null || true"])).stdout
            .split("\n")
            .filter(Boolean);
        leftovers.push(...caddyDir, ...frpcDir);
        // No review stack in the backend, no review stack file beside the host's.
        leftovers.push(...(JSON.parse((await reviewOk(["list", "--json"])).stdout) as { stack: string }[]).map((r) => r.stack));
        leftovers.push(...fs.readdirSync(path.join(ws.projectDir, REVIEW_WORKDIR)).filter((f) => f.startsWith("Pulumi.review-")));
        record("review leftovers", leftovers.length);
        expect(leftovers).toEqual([]);
        // The routes are gone, the host's own stays.
        const gone = await eventually(
            () => requestViaRelay(hostname("mr101-ledger"), "/", ca).catch(() => ({ status: 0, body: "" })),
            (r) => r.status !== 200,
            30_000,
        );
        expect(gone.status).not.toBe(200);
        const own = await requestViaRelay(hostname("ledger"), "/api/health", ca);
        expect(own.status).toBe(200);
    });

    it("lets exactly two of three ups started at once pass reviewMaxConcurrent 2, the third refused (exit 3)", async () => {
        const results = await Promise.all(RACE.map((mr) => review(["up", "--app", "ledger", "--mr", String(mr), "--image", IMAGE])));
        const codes = results.map((r) => r.code);
        expect([...codes].sort(), results.map((r) => tail(r.stderr, 20)).join("\n---\n")).toEqual([0, 0, 3]);
        expect(results.find((r) => r.code === 3)!.stderr).toMatch(
            /2 reviews already run on dev-rvhost \(review-ledger-mr10[456], review-ledger-mr10[456]\), the most nexora:reviewMaxConcurrent allows \(2\)/,
        );
        const running = RACE.filter((_, i) => codes[i] === 0).map((mr) => `review-ledger-mr${mr}`);
        const list = JSON.parse((await reviewOk(["list", "--json"])).stdout) as { stack: string }[];
        expect(list.map((r) => r.stack).sort()).toEqual(running);

        // What broke this race once: the file backend rewrites a checkpoint's sidecar (.attrs) in
        // place, and an up that counted the others read one half-written ("failed to load
        // checkpoint: EOF"). Hold one empty, as a writer would, until the refused up has met it
        // and said it reads again; then put it back: the up still counts both and is refused.
        const attrs = path.join(ws.dir, "state", ".pulumi", "stacks", "nexora", `${running[0]}.json.attrs`);
        const saved = fs.readFileSync(attrs);
        fs.writeFileSync(attrs, "");
        let restored = false;
        const refusedMr = RACE[codes.indexOf(3)];
        const again = await review(["up", "--app", "ledger", "--mr", String(refusedMr), "--image", IMAGE], (soFar) => {
            if (!restored && / unreadable \(error: .*EOF\), reading again in \d+ ms/.test(soFar)) {
                fs.writeFileSync(attrs, saved);
                restored = true;
            }
        });
        if (!restored) fs.writeFileSync(attrs, saved);
        record("review state read retried", restored);
        expect(restored, tail(again.stderr, 20)).toBe(true);
        expect([again.code, again.stderr], tail(again.stderr, 20)).toEqual([3, expect.stringMatching(/2 reviews already run on dev-rvhost/)]);
        for (const [i, mr] of RACE.entries()) if (codes[i] === 0) await reviewOk(["down", "--app", "ledger", "--mr", String(mr)]);
        expect(JSON.parse((await reviewOk(["list", "--json"])).stdout)).toEqual([]);
    });
});
