/**
 * Watch and heal on the real engine (tools/e2e/run.sh): a lean stack of its own (dev-watch: the
 * data stores, Caddy, two apps, Prometheus, the blackbox exporter, Alertmanager, node-exporter and
 * the healer, stand-ins from Debian's packages) with short intervals set as config keys, and a
 * webhook receiver of this test on the edge network's gateway. One app is wedged: the alert
 * reaches the receiver, the healer restarts it, the recovery follows; then it is kept broken and
 * the healer gives up.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { printFigures, record } from "./figures";
import { docker, env, PulumiWorkspace, stackContainers, tail } from "./harness";

const STACK = "dev-watch";
const PREFIX = `nexora-${STACK}`;
/** Subnets of this file alone (the platform e2e has 10.204.10.0/24 and 10.204.11.0/24). */
const EDGE_SUBNET = "10.204.72.0/24";
const DATA_SUBNET = "10.204.73.0/24";
/** The edge network's gateway: this machine, where the receiver listens. */
const GATEWAY = "10.204.72.1";
const HOOK_PORT = 18766;
const WEBHOOK = `http://${GATEWAY}:${HOOK_PORT}/hooks/nexora-alert-bot`;
const MAX_RESTARTS = 2;
/** The app's base name: each release's container adds its release id (`<base>-<id>`). */
const APP = `${PREFIX}-ledger`;
/** The app's container name in the healer's messages, whichever release runs. */
const APP_NAME = `${APP}(?:-[0-9a-f]{8})?`;
const HOSTNAME = "watch-ledger.nexora.restry.cn";

interface Message {
    readonly at: number;
    /** The Slack-format text: title and text of the attachment, or the healer's text. */
    readonly text: string;
    readonly from: "alertmanager" | "healer";
}

const ws = new PulumiWorkspace(STACK);
const messages: Message[] = [];
let server: http.Server | undefined;

function textOf(body: string): Message["text"] {
    const doc = JSON.parse(body) as { text?: string; attachments?: { title?: string; text?: string }[] };
    const parts = [doc.text ?? "", ...(doc.attachments ?? []).flatMap((a) => [a.title ?? "", a.text ?? ""])];
    return parts.filter(Boolean).join("\n");
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await probe();
        if (v !== undefined) return v;
        if (Date.now() > deadline)
            throw new Error(`${what}: not within ${timeoutMs / 1000} s; messages so far:\n${messages.map((m) => `${m.from}: ${m.text}`).join("\n")}`);
        await new Promise((r) => setTimeout(r, 500));
    }
}

const firing = (since: number) => messages.filter((m) => m.at >= since && m.from === "alertmanager" && m.text.startsWith(`DOWN: ${HOSTNAME}`));
const resolved = (since: number) => messages.filter((m) => m.at >= since && m.from === "alertmanager" && m.text.startsWith(`RECOVERED: ${HOSTNAME}`));
const healer = (since: number, pattern: RegExp) => messages.filter((m) => m.at >= since && m.from === "healer" && pattern.test(m.text));

/** The running release's container of the app. */
async function app(): Promise<{ name: string; health?: string } | undefined> {
    return [...(await stackContainers(STACK)).values()].find((c) => new RegExp(`^${APP_NAME}$`).test(c.name) && c.running);
}

async function health(): Promise<string | undefined> {
    return (await app())?.health;
}

async function appName(): Promise<string> {
    const c = await app();
    if (!c) throw new Error(`no running container of ${APP}`);
    return c.name;
}

beforeAll(async () => {
    server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (d: Buffer) => (body += d.toString()));
        req.on("end", () => {
            try {
                const text = textOf(body);
                messages.push({ at: Date.now(), text, from: text.startsWith("Healer (stack") ? "healer" : "alertmanager" });
            } catch {
                messages.push({ at: Date.now(), text: `unparsable: ${body.slice(0, 200)}`, from: "alertmanager" });
            }
            res.end("ok");
        });
    });
    ws.writeConfig((c) => {
        for (const key of Object.keys(c)) delete c[key];
        Object.assign(c, {
            "nexora:environment": "dev",
            "nexora:hostnamePattern": "watch-{service}.{domain}",
            "nexora:dockerHost": env.dockerHost(),
            "nexora:tls": "internal",
            "nexora:edgeSubnet": EDGE_SUBNET,
            "nexora:dataSubnet": DATA_SUBNET,
            "nexora:gitlabEnabled": false,
            "nexora:outlineEnabled": false,
            "nexora:uptimeKumaEnabled": false,
            "nexora:portainerEnabled": false,
            "nexora:portalEnabled": false,
            "nexora:grafanaEnabled": false,
            "nexora:backupEnabled": false,
            "nexora:monitoringEnabled": true,
            // Short intervals, as config: probes and rules every 5 s, an alert after 10 s of failure.
            "nexora:monitoringScrapeSeconds": 5,
            "nexora:alertAfterSeconds": 10,
            "nexora:alertGroupWaitSeconds": 5,
            "nexora:healIntervalSeconds": 5,
            "nexora:healMaxRestarts": MAX_RESTARTS,
            "nexora:healWindowMinutes": 30,
            // Docker calls an app unhealthy after 8 failed checks 5 s apart: later than the alert, so it is seen before the heal.
            "nexora:appHealthIntervalSeconds": 5,
            "nexora:appHealthRetries": 8,
            "nexora:appHealthStartSeconds": 5,
            "nexora:apps": {
                ledger: {
                    image: "nexora-e2e/business-app:1.0.0",
                    port: 8000,
                    healthPath: "/api/health",
                    env: { APP_NAME: "ledger", HEALTH_PATH: "/api/health" },
                },
                shop: { image: "nexora-e2e/business-app:1.0.0", port: 8000, healthPath: "/healthz", env: { APP_NAME: "shop", HEALTH_PATH: "/healthz" } },
            },
        });
    });
    await ws.pulumiOk(["stack", "init", "--secrets-provider", "passphrase"]);
    await ws.setSecret("alertWebhook", WEBHOOK);
    expect(fs.readFileSync(ws.configFile, "utf8")).not.toContain("nexora-alert-bot");
});

afterAll(async () => {
    printFigures();
    await ws.destroyAll();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe("watch and heal on a real engine", () => {
    it("comes up with every route and store watched", async () => {
        // The receiver listens once the edge network (and its gateway address) exists: after the up.
        const up = await ws.pulumi(["up", "--yes", "--skip-preview"]);
        if (up.code !== 0) throw new Error(`up exited ${up.code}\n${tail(up.stdout, 120)}\n${tail(up.stderr)}`);
        await new Promise<void>((resolve, reject) => server!.once("error", reject).listen(HOOK_PORT, GATEWAY, resolve));
        record("watch e2e up seconds", up.seconds);
        const outputs = JSON.parse((await ws.pulumiOk(["stack", "output", "--json"])).stdout) as { urls: Record<string, string>; watched: { id: string }[] };
        const routes = Object.keys(outputs.urls).length;
        record("monitors declared", outputs.watched.length);
        record("routes", routes);
        expect(outputs.watched.length).toBeGreaterThanOrEqual(routes);
        expect(outputs.watched.map((m) => m.id)).toEqual(["http-ledger", "http-shop", "datastore-postgres", "datastore-redis", "disk-docker"]);

        // Prometheus has every probe target and each one succeeds: through Caddy by hostname over TLS, and on the stores' networks.
        const prometheus = `${PREFIX}-prometheus`;
        const query = async (q: string) =>
            JSON.parse((await docker(["exec", prometheus, "wget", "-qO-", `http://127.0.0.1:9090/api/v1/query?query=${encodeURIComponent(q)}`])).stdout) as {
                data: { result: { metric: Record<string, string>; value: [number, string] }[] };
            };
        const up1 = await until(
            "every probe succeeding",
            async () => {
                const r = await query("probe_success");
                const ok = r.data.result.filter((s) => s.value[1] === "1").map((s) => s.metric.monitor);
                return ok.length === 4 ? ok.sort() : undefined;
            },
            90_000,
        );
        expect(up1).toEqual(["datastore-postgres", "datastore-redis", "http-ledger", "http-shop"]);
        const disk = await query('node_filesystem_avail_bytes{mountpoint="/"}');
        expect(disk.data.result.length).toBe(1);
        // A route that failed while the stack came up has alerted (the apps start after Caddy): it resolves once probed up.
        await until("no alert firing", async () => ((await query('ALERTS{alertstate="firing"}')).data.result.length === 0 ? true : undefined), 60_000);
        expect(await health()).toBe("healthy");
    });

    it("alerts once when an app hangs, heals it by a restart, and says it recovered", async () => {
        const t0 = Date.now();
        // The app's worker hangs: its health path answers 503 until the process restarts.
        await docker(["kill", "--signal", "USR1", await appName()]);
        const alert = await until("the DOWN message", () => firing(t0)[0], 180_000);
        record("alert seconds to fire", Math.round((alert.at - t0) / 100) / 10);
        expect(alert.text).toContain(`https://${HOSTNAME}/api/health does not answer as expected through Caddy`);
        expect(alert.text).toMatch(/Since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
        expect(alert.text).toContain(`${APP}: the healer restarts it when unhealthy, at most ${MAX_RESTARTS} times in 30 min, then gives up`);

        const restart = await until(
            "the healer's restart",
            () => healer(t0, new RegExp(`restarted ${APP_NAME} \\(unhealthy\\), restart 1 of at most ${MAX_RESTARTS}`))[0],
            180_000,
        );
        await until("the app healthy again", async () => ((await health()) === "healthy" ? true : undefined), 120_000);
        record("heal seconds", Math.round((Date.now() - t0) / 100) / 10);
        expect(restart.at).toBeGreaterThan(alert.at - 30_000);

        const recovery = await until("the RECOVERED message", () => resolved(t0)[0], 180_000);
        record("alert seconds to resolve", Math.round((recovery.at - t0) / 100) / 10);
        expect(recovery.text).toMatch(/recovered \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
        // One outage, one message (and one recovery): nothing repeated while it lasted.
        const perOutage = firing(t0).filter((m) => m.at <= recovery.at).length;
        record("alerts per outage", perOutage);
        expect(perOutage).toBe(1);
        expect(resolved(t0)).toHaveLength(1);
        // Nothing else of the stack alerted or was restarted.
        expect(messages.filter((m) => m.at >= t0 && !m.text.includes(HOSTNAME) && !m.text.includes(APP))).toEqual([]);
    });

    it("keeps restarting a still-broken app only up to the bound, then gives up and says so", async () => {
        const t1 = Date.now();
        // Broken for good: it starts wedged after every restart.
        const name = await appName();
        await docker(["exec", name, "touch", "/tmp/stay-broken"]);
        await docker(["kill", "--signal", "USR1", name]);
        const gaveUp = await until("the healer giving up", () => healer(t1, new RegExp(`gave up on ${APP_NAME}`))[0], 240_000);
        const restarts = healer(0, new RegExp(`restarted ${APP_NAME}`)).length;
        record("heal gave up after", restarts);
        expect(restarts).toBe(MAX_RESTARTS);
        expect(gaveUp.text).toContain(`still unhealthy after ${MAX_RESTARTS} restarts in 30 min`);
        // It stays given up: no further restart while the app stays broken.
        await new Promise((r) => setTimeout(r, 12_000));
        expect(healer(0, new RegExp(`restarted ${APP_NAME}`))).toHaveLength(MAX_RESTARTS);
        expect(await health()).toBe("unhealthy");
        expect(firing(t1).length).toBeGreaterThanOrEqual(1);
    });
});
