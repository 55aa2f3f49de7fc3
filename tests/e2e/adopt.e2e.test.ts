/**
 * Adoption on the real engine: a claw-bot-like Docker Compose deployment (Debian's docker-compose
 * against the e2e daemon, the stand-in images, weak passwords, its own Caddy and frpc serving the
 * public hostnames through the relay, one unrelated container) is moved onto stack dev-adopt by
 * `npm run adopt`, with a request loop through the relay during the cutover; a rollback that
 * would lose the stack's writes is refused, then forced. A second run adopts again with more data
 * (the cutover time against data size) and rolls back: nothing written before that cutover lost.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { renderCaddyfile } from "../../components/edge/caddyfile";
import { RELEASE_UPSTREAM_DIR, RELEASE_UPSTREAM_FILE, renderReleaseUpstream } from "../../components/edge/upstreams";
import { renderFrpcToml } from "../../components/edge/frpc";
import { DEFAULT_IMAGES } from "../../components/images";
import { main as adoptCli, type AdoptReport, type CutoverRecord } from "../../tools/adopt/cli";
import { settingsOf } from "../support/stacks";
import { printFigures, record } from "./figures";
import { docker, env, PulumiWorkspace, requestViaRelay, tail } from "./harness";

// A dev stack of its own (a stack runs the environment its name starts with).
const STACK_NAME = "dev-adopt";
const PROJECT = "clawbot";
const DOMAIN = "nexora.restry.cn";
const host = (sub: string) => `adopt-${sub}.${DOMAIN}`;
const stackName = (service: string) => `nexora-${STACK_NAME}-${service}`;
const WEAK = { postgres: "weakpg1", mysql: "weakmy1", redis: "weakredis1", app: "weakapp1", gitlab: "weakgl1", outline: "weakol1" };
// Caddy's documented example hash: the Compose Caddy renders the program's Caddyfile, whose restricted routes need one.
const ADMIN_HASH = "$2a$14$Zkx19XLiW6VYouLHR5NmfOFU0z2GTNmpkT/5qqR7hx4IjWJPDhjvG";

const ws = new PulumiWorkspace(STACK_NAME);
const composeDir = path.join(ws.dir, "compose");
const planFile = path.join(ws.dir, "adopt-plan.yaml");
let ca = "";

function compose(args: string[]): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn("docker-compose", ["-p", PROJECT, "-f", path.join(composeDir, "docker-compose.yml"), ...args], {
            cwd: composeDir,
            env: { ...process.env, DOCKER_HOST: env.dockerHost(), COMPOSE_INTERACTIVE_NO_CLI: "1" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        // A spawn that fails (no docker-compose, no project directory) emits "error" and maybe never "close".
        child.on("error", (err) => resolve({ code: 127, stdout, stderr: `${stderr}${err.message}`, seconds: (Date.now() - started) / 1000 }));
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
    });
}

async function composeOk(args: string[]): Promise<number> {
    const r = await compose(args);
    if (r.code !== 0) throw new Error(`docker-compose ${args.join(" ")} exited ${r.code}\n${tail(r.stderr)}`);
    return r.seconds;
}

const composeName = (service: string) => `${PROJECT}_${service}_1`;

async function psql(container: string, db: string, sql: string): Promise<string> {
    return (
        await docker(["exec", "-i", container, "psql", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-d", db, "-At", "-f", "-"], { input: sql })
    ).stdout.trim();
}

async function mysql(container: string, sql: string, rootPassword?: string): Promise<string> {
    const pw = rootPassword === undefined ? `"$MYSQL_ROOT_PASSWORD"` : `'${rootPassword}'`;
    return (await docker(["exec", "-i", container, "sh", "-c", `MYSQL_PWD=${pw} mysql --protocol=socket -uroot -N -B ledger`], { input: sql })).stdout.trim();
}

/** Row counts of the tables the load writes, by `db.table`. */
async function rowCounts(pg: string, my: string, myRoot?: string): Promise<Record<string, number>> {
    return {
        "gitlab.issues": Number(await psql(pg, "gitlab", "SELECT count(*) FROM issues")),
        "outline.documents": Number(await psql(pg, "outline", "SELECT count(*) FROM documents")),
        "ledger.entries": Number(await mysql(my, "SELECT COUNT(*) FROM entries", myRoot)),
    };
}

/** Writes rows with several writers at once (the load), and files into the portal's volume. */
async function writeLoad(rows: number, files: number, fileKiB: number, tag: string): Promise<void> {
    const pg = composeName("postgres");
    const my = composeName("mysql");
    const batches = 4;
    const per = Math.ceil(rows / batches);
    await Promise.all([
        ...Array.from({ length: batches }, (_, i) =>
            psql(pg, "gitlab", `INSERT INTO issues (title) SELECT '${tag}-${i}-' || g FROM generate_series(1, ${per}) g;`),
        ),
        ...Array.from({ length: batches }, (_, i) =>
            psql(pg, "outline", `INSERT INTO documents (body) SELECT repeat(md5(g::text), 4) FROM generate_series(1, ${per}) g;`).then(() => `${i}`),
        ),
        ...Array.from({ length: batches }, (_, i) =>
            mysql(
                my,
                `INSERT INTO entries (memo) SELECT CONCAT('${tag}-${i}-', seq) FROM (SELECT a.n + b.n * 1000 + 1 AS seq FROM (${numbers(1000)}) a CROSS JOIN (${numbers(Math.ceil(per / 1000))}) b) s WHERE seq <= ${per};`,
                WEAK.mysql,
            ),
        ),
        inPortalVolume(`mkdir -p /v/files && for i in $(seq 1 ${files}); do head -c ${fileKiB * 1024} /dev/urandom > /v/files/${tag}-$i.bin; done`),
    ]);
}

/** Row counts of the Compose stores once they answer again after a rollback (up to about a minute). */
async function composeRowCounts() {
    for (let i = 0; ; i++) {
        try {
            return await rowCounts(composeName("postgres"), composeName("mysql"), WEAK.mysql);
        } catch (err) {
            if (i > 60) throw err;
            await new Promise((r) => setTimeout(r, 1000));
        }
    }
}

/** Runs a shell script (a test constant) against the Compose portal's volume, mounted at /v, with no network. */
function inPortalVolume(script: string) {
    return docker(["run", "--rm", "--network", "none", "-v", `${PROJECT}_portal:/v`, "--entrypoint", "sh", DEFAULT_IMAGES.postgres, "-c", script]);
}

/** `SELECT 0 n UNION ALL SELECT 1 ...`: a numbers table for MariaDB without a sequence engine. */
function numbers(n: number): string {
    return Array.from({ length: n }, (_, i) => `SELECT ${i} n`).join(" UNION ALL ");
}

/** Bytes in the Compose volumes the plan adopts. */
async function adoptedBytes(): Promise<number> {
    const volumes = ["pgdata", "mysqldata", "redisdata", "portal", "caddydata"].map((v) => `-v ${PROJECT}_${v}:/v/${v}:ro`).join(" ");
    const r = await docker(["run", "--rm", "--network", "none", ...volumes.split(" "), "--entrypoint", "du", DEFAULT_IMAGES.postgres, "-sb", "/v"]);
    return Number(r.stdout.split(/\s+/)[0]);
}

interface Probe {
    readonly hostname: string;
    readonly expect: (body: string) => boolean;
}

/** Requests every hostname every 200 ms; the longest run of failures per hostname is its downtime. */
class DowntimeLoop {
    private running = true;
    private readonly loops: Promise<void>[];
    readonly downtime = new Map<string, { longestSeconds: number; failed: number; ok: number; lastError: string }>();

    constructor(probes: readonly Probe[]) {
        this.loops = probes.map(async (p) => {
            const d = { longestSeconds: 0, failed: 0, ok: 0, lastError: "" };
            this.downtime.set(p.hostname, d);
            let failingSince: number | undefined;
            while (this.running) {
                let ok = false;
                try {
                    const r = await requestViaRelay(p.hostname, "/", ca, 3000);
                    ok = r.status >= 200 && r.status < 300 && p.expect(r.body);
                    if (!ok) d.lastError = `HTTP ${r.status}`;
                } catch (err) {
                    d.lastError = err instanceof Error ? err.message : String(err);
                }
                const now = Date.now();
                if (ok) {
                    d.ok++;
                    if (failingSince !== undefined) d.longestSeconds = Math.max(d.longestSeconds, (now - failingSince) / 1000);
                    failingSince = undefined;
                } else {
                    d.failed++;
                    failingSince ??= now;
                }
                await new Promise((r) => setTimeout(r, 200));
            }
            // Still failing at the end: the outage lasts to the end of the loop.
            if (failingSince !== undefined) d.longestSeconds = Math.max(d.longestSeconds, (Date.now() - failingSince) / 1000);
        });
    }

    async stop(): Promise<Map<string, { longestSeconds: number; failed: number; ok: number; lastError: string }>> {
        this.running = false;
        await Promise.all(this.loops);
        return this.downtime;
    }
}

const probes: Probe[] = [
    { hostname: host("www"), expect: (b) => b.includes("claw-bot portal") },
    { hostname: host("ledger"), expect: (b) => b.includes('"app": "ledger"') },
];

async function adopt(args: string[]): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
    let stdout = "";
    let stderr = "";
    const started = Date.now();
    const code = await adoptCli(
        [...args, STACK_NAME, "--plan", planFile, "--config", ws.configFile],
        { ...ws.cliEnv(), NEXORA_DOCKER_HOST: env.dockerHost(), NEXORA_PULUMI_CWD: ws.projectDir },
        { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    );
    return { code, stdout, stderr, seconds: (Date.now() - started) / 1000 };
}

async function leftAloneState(): Promise<string> {
    return (await docker(["inspect", "--format", "{{.Id}} {{.State.StartedAt}} {{.State.Running}}", composeName("mailer")])).stdout.trim();
}

beforeAll(async () => {
    ws.writeConfig((c) => {
        for (const k of Object.keys(c)) delete c[k];
        Object.assign(c, {
            "nexora:environment": "dev",
            "nexora:hostnamePattern": "adopt-{service}.{domain}",
            "nexora:dockerHost": env.dockerHost(),
            "nexora:tls": "internal",
            "nexora:edgeSubnet": "10.204.52.0/24",
            "nexora:dataSubnet": "10.204.53.0/24",
            "nexora:dnsEnabled": false,
            "nexora:tunnelEnabled": true,
            "nexora:frpServerAddr": env.relayAddress(),
            "nexora:frpServerPort": 7000,
            "nexora:gitlabEnabled": false,
            "nexora:outlineEnabled": false,
            "nexora:portainerEnabled": false,
            "nexora:uptimeKumaEnabled": false,
            "nexora:grafanaEnabled": false,
            "nexora:backupEnabled": false,
            "nexora:apps": {
                ledger: {
                    image: "nexora-e2e/business-app:1.0.0",
                    port: 8000,
                    healthPath: "/api/health",
                    database: true,
                    env: { APP_NAME: "ledger", HEALTH_PATH: "/api/health" },
                },
            },
        });
    });
    await ws.pulumiOk(["stack", "init", "--secrets-provider", "passphrase"]);
    await ws.setSecret("frpToken", env.frpToken());

    // The Compose deployment serves the same hostnames with the program's own Caddyfile and
    // frpc.toml, its services reachable under the stack's container names (network aliases).
    const settings = settingsOf(STACK_NAME, ws.readConfigDoc().config);
    fs.mkdirSync(composeDir, { recursive: true });
    fs.writeFileSync(
        path.join(composeDir, "Caddyfile"),
        renderCaddyfile(settings.routes, { tls: "internal", trustedProxies: [], adminAuth: { username: "admin", passwordHash: ADMIN_HASH } }),
    );
    // Released routes (apps, the portal) import their upstream from the file a release switches:
    // here written once, to the Compose containers' aliases.
    for (const route of settings.routes.http.filter((r) => r.released)) {
        fs.mkdirSync(path.join(composeDir, "upstreams", route.name), { recursive: true });
        fs.writeFileSync(
            path.join(composeDir, "upstreams", route.name, RELEASE_UPSTREAM_FILE),
            renderReleaseUpstream(route.upstream.host, route.upstream.port),
        );
    }
    fs.writeFileSync(
        path.join(composeDir, "frpc.toml"),
        renderFrpcToml(settings.routes, {
            serverAddr: env.relayAddress(),
            serverPort: 7000,
            authToken: env.frpToken(),
            user: `nexora-${STACK_NAME}`,
            caddyHost: "caddy",
            adminPort: 7400,
        }),
    );
    const alias = (service: string) => ({ default: { aliases: [stackName(service)] } });
    const composeFile = {
        version: "3.7",
        services: {
            postgres: {
                image: DEFAULT_IMAGES.postgres,
                environment: { POSTGRES_PASSWORD: WEAK.postgres, POSTGRES_USER: "postgres" },
                volumes: ["pgdata:/var/lib/postgresql/data"],
                restart: "unless-stopped",
            },
            mysql: { image: DEFAULT_IMAGES.mysql, environment: { MYSQL_ROOT_PASSWORD: WEAK.mysql }, volumes: ["mysqldata:/var/lib/mysql"] },
            redis: { image: DEFAULT_IMAGES.redis, command: ["redis-server", "--appendonly", "yes", "--requirepass", WEAK.redis], volumes: ["redisdata:/data"] },
            ledger: {
                image: "nexora-e2e/business-app:1.0.0",
                environment: {
                    APP_NAME: "ledger",
                    HEALTH_PATH: "/api/health",
                    DB_HOST: "mysql",
                    DB_PORT: "3306",
                    DB_NAME: "ledger",
                    DB_USER: "ledger",
                    DB_PASSWORD: WEAK.app,
                },
                networks: alias("ledger"),
            },
            portal: { image: DEFAULT_IMAGES.portal, volumes: ["portal:/usr/share/nginx/html"], networks: alias("portal") },
            caddy: {
                image: DEFAULT_IMAGES.caddy,
                volumes: ["caddydata:/data", "./Caddyfile:/etc/caddy/Caddyfile:ro", `./upstreams:${RELEASE_UPSTREAM_DIR}:ro`],
                networks: alias("caddy"),
            },
            frpc: { image: DEFAULT_IMAGES.frpc, entrypoint: ["/usr/bin/frpc", "-c", "/etc/frp/frpc.toml"], volumes: ["./frpc.toml:/etc/frp/frpc.toml:ro"] },
            // Unrelated to the program: it must keep running, untouched.
            mailer: { image: "nexora-e2e/bookworm:base", command: ["sleep", "infinity"], volumes: ["mailspool:/spool"] },
        },
        volumes: { pgdata: {}, mysqldata: {}, redisdata: {}, portal: {}, caddydata: {}, mailspool: {} },
    };
    // As JSON (valid YAML): docker-compose parses YAML 1.1, where a plain `yes` is a boolean.
    fs.writeFileSync(path.join(composeDir, "docker-compose.yml"), JSON.stringify(composeFile, null, 2));
    await composeOk(["up", "-d"]);
    const pg = composeName("postgres");
    const my = composeName("mysql");
    for (let i = 0; ; i++) {
        const a = await docker(["exec", pg, "pg_isready", "-U", "postgres", "-h", "127.0.0.1"], { allowFail: true });
        const b = await docker(["exec", my, "mysqladmin", "ping", "-h", "127.0.0.1", "--silent"], { allowFail: true });
        if (a.code === 0 && b.code === 0) break;
        if (i > 90) throw new Error("the Compose stores did not start");
        await new Promise((r) => setTimeout(r, 1000));
    }
    await psql(
        pg,
        "postgres",
        `CREATE ROLE gitlab LOGIN PASSWORD '${WEAK.gitlab}'; CREATE DATABASE gitlab OWNER gitlab; CREATE ROLE outline LOGIN PASSWORD '${WEAK.outline}'; CREATE DATABASE outline OWNER outline;`,
    );
    await psql(pg, "gitlab", "CREATE TABLE issues (id serial PRIMARY KEY, title text NOT NULL);");
    await psql(pg, "outline", "CREATE TABLE documents (id serial PRIMARY KEY, body text NOT NULL);");
    await docker(["exec", "-i", my, "sh", "-c", `MYSQL_PWD='${WEAK.mysql}' mysql --protocol=socket -uroot`], {
        input: `CREATE DATABASE ledger; CREATE USER 'ledger'@'%' IDENTIFIED BY '${WEAK.app}'; GRANT ALL ON ledger.* TO 'ledger'@'%'; CREATE TABLE ledger.entries (id INT AUTO_INCREMENT PRIMARY KEY, memo VARCHAR(200) NOT NULL);`,
    });
    await docker(["exec", composeName("redis"), "redis-cli", "-a", WEAK.redis, "--no-auth-warning", "SET", "session:1", "claw"]);
    await inPortalVolume("echo '<h1>claw-bot portal</h1>' > /v/index.html");
    // Caddy's internal CA issues the hostnames' certificates into its data volume on the first handshake.
    for (let i = 0; !ca; i++) {
        const r = await docker(["exec", composeName("caddy"), "cat", "/data/caddy/pki/authorities/local/root.crt"], { allowFail: true });
        if (r.code === 0) ca = r.stdout;
        else if (i > 60) throw new Error("the Compose Caddy made no CA");
        else await new Promise((r) => setTimeout(r, 1000));
    }
    for (const p of probes) {
        let ok = false;
        for (let i = 0; i < 60 && !ok; i++) {
            const r = await requestViaRelay(p.hostname, "/", ca, 3000).catch(() => undefined);
            ok = r !== undefined && r.status === 200 && p.expect(r.body);
            if (!ok) await new Promise((r) => setTimeout(r, 1000));
        }
        expect(ok, `${p.hostname} through the relay before the adoption`).toBe(true);
    }
}, 300_000);

afterAll(async () => {
    printFigures();
    await ws.destroyAll();
    if (fs.existsSync(composeDir)) await compose(["down", "-v", "-t", "5"]);
    const left = (await docker(["volume", "ls", "-q", "--filter", `name=nexora-${STACK_NAME}-`])).stdout.split("\n").filter(Boolean);
    if (left.length) await docker(["volume", "rm", "-f", ...left], { allowFail: true });
}, 300_000);

describe("adopting a Compose deployment", () => {
    let rowsAtCutover: Record<string, number> = {};

    it("times a docker-compose up that has nothing to change", async () => {
        record("compose no-op up seconds", await composeOk(["up", "-d"]));
    });

    it("discovers, adopts under a request loop, and verifies: nothing lost, old passwords refused, the unrelated container untouched", async () => {
        await writeLoad(2000, 20, 64, "small");
        const bytes = await adoptedBytes();
        rowsAtCutover = await rowCounts(composeName("postgres"), composeName("mysql"), WEAK.mysql);
        const d = await adopt(["discover"]);
        expect(d.code, d.stderr).toBe(0);
        const planText = fs.readFileSync(planFile, "utf8");
        for (const secret of Object.values(WEAK)) expect(planText).not.toContain(secret);
        const plan = YAML.parse(planText) as {
            volumes: { name: string; adoptAs: string | null }[];
            containers: { name: string; takenOverBy: string | null }[];
        };
        // Only the Compose project's: volumes other e2e files retained on this daemon are listed, left alone.
        expect(Object.fromEntries(plan.volumes.filter((v) => v.name.startsWith(`${PROJECT}_`)).map((v) => [v.name, v.adoptAs]))).toEqual({
            [`${PROJECT}_pgdata`]: "postgres-data",
            [`${PROJECT}_mysqldata`]: "mysql-data",
            [`${PROJECT}_redisdata`]: "redis-data",
            [`${PROJECT}_portal`]: "portal-content",
            [`${PROJECT}_caddydata`]: "caddy-data",
            [`${PROJECT}_mailspool`]: null,
        });
        expect(plan.containers.find((c) => c.name === composeName("mailer"))?.takenOverBy).toBeNull();
        const mailerBefore = await leftAloneState();

        const loop = new DowntimeLoop(probes);
        await new Promise((r) => setTimeout(r, 1000));
        const a = await adopt(["adopt", "--json"]);
        // Until both hostnames answer from the stack again (the loop sees the outage end).
        const deadline = Date.now() + 90_000;
        while (Date.now() < deadline) {
            const all = await Promise.all(
                probes.map((p) =>
                    requestViaRelay(p.hostname, "/", ca, 3000).then(
                        (r) => r.status === 200 && p.expect(r.body),
                        () => false,
                    ),
                ),
            );
            if (all.every(Boolean)) break;
            await new Promise((r) => setTimeout(r, 500));
        }
        await new Promise((r) => setTimeout(r, 1000));
        const downtime = await loop.stop();
        expect(a.code, `${a.stderr}\n${a.stdout}`).toBe(0);
        const report = JSON.parse(a.stdout) as AdoptReport;
        const cutover = JSON.parse(fs.readFileSync(`${planFile}.state.json`, "utf8")) as CutoverRecord;
        record("adopt cutover seconds small", {
            seconds: (Date.parse(cutover.finishedAt) - Date.parse(cutover.startedAt)) / 1000,
            adoptedMiB: Math.round(bytes / 1048576),
            rows: rowsAtCutover,
            files: 21,
        });
        record("adopt downtime seconds", Math.max(...[...downtime.values()].map((v) => v.longestSeconds)));
        record("adopt downtime per hostname", {
            measured: Object.fromEntries([...downtime].map(([h, v]) => [h, v.longestSeconds])),
            reported: report.downtimeSeconds,
        });
        const after = await rowCounts(stackName("postgres"), stackName("mysql"));
        const rowsLost = Object.entries(rowsAtCutover).reduce((n, [k, v]) => n + Math.max(0, v - (after[k] ?? 0)), 0);
        record("adopt rows lost", rowsLost);
        record("adopt files lost", report.filesLost);
        record("adopt volumes replaced", report.volumesReplaced.length);
        expect(rowsLost).toBe(0);
        expect(report.rowsLost).toBe(0);
        expect(report.filesLost).toBe(0);
        expect(report.volumesReplaced).toEqual([]);
        expect(report.checks.filter((c) => !c.ok)).toEqual([]);
        // The Compose volumes are untouched: the way back.
        expect(await rowCounts(composeName("postgres"), composeName("mysql"), WEAK.mysql).catch(() => "stopped")).toBe("stopped");

        // Old passwords: the superuser, the unwired roles, MySQL root and the app's user, Redis.
        const tcpPg = (user: string, pw: string) =>
            docker(
                [
                    "exec",
                    "-e",
                    `PGPASSWORD=${pw}`,
                    stackName("postgres"),
                    "sh",
                    "-c",
                    `psql -h "$(hostname -i | cut -d' ' -f1)" -U ${user} -d postgres -c 'SELECT 1'`,
                ],
                { allowFail: true },
            );
        const tcpMy = (user: string, pw: string) =>
            docker(["exec", "-e", `MYSQL_PWD=${pw}`, stackName("mysql"), "sh", "-c", `mysql -h "$(hostname -i | cut -d' ' -f1)" -u${user} -e 'SELECT 1'`], {
                allowFail: true,
            });
        const attempts = await Promise.all([
            tcpPg("postgres", WEAK.postgres),
            tcpPg("gitlab", WEAK.gitlab),
            tcpPg("outline", WEAK.outline),
            tcpMy("root", WEAK.mysql),
            tcpMy("ledger", WEAK.app),
            docker(["exec", stackName("redis"), "sh", "-c", `redis-cli -a '${WEAK.redis}' --no-auth-warning ping | grep -qx PONG`], { allowFail: true }),
        ]);
        record(
            "adopt old passwords refused",
            attempts.every((r) => r.code !== 0),
        );
        expect(attempts.map((r) => r.code !== 0)).toEqual([true, true, true, true, true, true]);
        // The data came along: Redis's key, the portal's files, Caddy's CA (the loop verified with the Compose CA).
        const redisKey = await docker(["exec", stackName("redis"), "sh", "-c", 'redis-cli --no-auth-warning -a "$REDISCLI_AUTH" GET session:1']);
        expect(redisKey.stdout.trim()).toBe("claw");
        // Its restart policy is off while the stack serves (a daemon restart must not start it next to the stack's).
        expect((await docker(["inspect", "--format", "{{.HostConfig.RestartPolicy.Name}}", composeName("postgres")])).stdout.trim()).toBe("no");
        const mailerAfter = await leftAloneState();
        record("adopt left-alone containers touched", mailerAfter === mailerBefore ? 0 : 1);
        expect(mailerAfter).toBe(mailerBefore);
        // The adopted stack is the program's own: a second up changes nothing (and is timed beside Compose's no-op up).
        const noop = await ws.pulumiOk(["up", "--yes", "--skip-preview", "--expect-no-changes"]);
        record("adopt stack no-op up seconds", noop.seconds);
    }, 600_000);

    it("refuses a rollback that would lose the stack's writes, then rolls back with --force to the Compose data", async () => {
        await psql(stackName("postgres"), "gitlab", "INSERT INTO issues (title) VALUES ('written after the cutover');");
        const refused = await adopt(["rollback"]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain("postgres/gitlab.public.issues: 1 rows/files written since the cutover");
        expect((await docker(["inspect", "--format", "{{.State.Running}}", stackName("postgres")])).stdout.trim()).toBe("true");

        const back = await adopt(["rollback", "--force", "--json"]);
        expect(back.code, back.stderr).toBe(0);
        const rows = await composeRowCounts();
        expect((await docker(["inspect", "--format", "{{.HostConfig.RestartPolicy.Name}}", composeName("postgres")])).stdout.trim()).toBe("unless-stopped");
        // Forced: the row written after the cutover is the one loss, and it was named; the Compose data is as at the cutover.
        expect(rows).toEqual(rowsAtCutover);
        for (const p of probes) {
            let ok = false;
            for (let i = 0; i < 60 && !ok; i++) {
                const r = await requestViaRelay(p.hostname, "/", ca, 3000).catch(() => undefined);
                ok = r !== undefined && r.status === 200 && p.expect(r.body);
                if (!ok) await new Promise((r) => setTimeout(r, 1000));
            }
            expect(ok, `${p.hostname} served by Compose again`).toBe(true);
        }
    }, 300_000);

    it("a second run adopts with more data (the cutover time at a second size), then rolls back losing nothing written before", async () => {
        // The stack gone with its volumes, as before the first adoption.
        await ws.pulumiOk(["state", "unprotect", "--all", "--yes"]);
        await ws.pulumiOk(["destroy", "--yes", "--skip-preview"]);
        const left = (await docker(["volume", "ls", "-q", "--filter", `name=nexora-${STACK_NAME}-`])).stdout.split("\n").filter(Boolean);
        if (left.length) await docker(["volume", "rm", ...left]);
        await writeLoad(200_000, 100, 512, "large");
        const bytes = await adoptedBytes();
        const rows = await rowCounts(composeName("postgres"), composeName("mysql"), WEAK.mysql);
        expect((await adopt(["discover"])).code).toBe(0);
        const a = await adopt(["adopt", "--json"]);
        expect(a.code, `${a.stderr}\n${a.stdout}`).toBe(0);
        const report = JSON.parse(a.stdout) as AdoptReport;
        const cutover = JSON.parse(fs.readFileSync(`${planFile}.state.json`, "utf8")) as CutoverRecord;
        record("adopt cutover seconds large", {
            seconds: (Date.parse(cutover.finishedAt) - Date.parse(cutover.startedAt)) / 1000,
            adoptedMiB: Math.round(bytes / 1048576),
            rows,
            files: 121,
        });
        expect(report.rowsLost + report.filesLost).toBe(0);
        expect(report.checks.filter((c) => !c.ok)).toEqual([]);
        expect(await rowCounts(stackName("postgres"), stackName("mysql"))).toEqual(rows);

        // The way back, without --force: the stack took no writes since this cutover.
        const back = await adopt(["rollback", "--json"]);
        expect(back.code, back.stderr).toBe(0);
        expect((JSON.parse(back.stdout) as { writesLost: string[] }).writesLost).toEqual([]);
        record("adopt rollback seconds", back.seconds);
        const composeRows = await composeRowCounts();
        const lost = Object.entries(rows).reduce((n, [k, v]) => n + Math.max(0, v - (composeRows[k] ?? 0)), 0);
        record("adopt rollback rows lost", lost);
        expect(composeRows).toEqual(rows);
        for (const p of probes) {
            let ok = false;
            for (let i = 0; i < 60 && !ok; i++) {
                const r = await requestViaRelay(p.hostname, "/", ca, 3000).catch(() => undefined);
                ok = r !== undefined && r.status === 200 && p.expect(r.body);
                if (!ok) await new Promise((r) => setTimeout(r, 1000));
            }
            expect(ok, `${p.hostname} served by Compose again after the second run's rollback`).toBe(true);
        }
        // The adoption wrote its (empty) import IDs into the stack config through the real CLI.
        expect(JSON.parse(String(ws.readConfigDoc().config["nexora:adoptImports"]))).toEqual({
            outlineOAuthApplication: null,
            dnsRecords: {},
            credentials: [],
        });
    }, 600_000);
});
