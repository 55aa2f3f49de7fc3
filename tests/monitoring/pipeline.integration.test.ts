/**
 * The whole alert pipeline on loopback, with the real binaries and the rendered configs: a real
 * Caddy serving a route over TLS, the blackbox exporter probing it by hostname, Prometheus
 * evaluating the rules, Alertmanager posting Slack's payload to a receiver of this test. An
 * outage gives one DOWN message naming the hostname, and one RECOVERED message after it ends.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { monitorList } from "../../components/monitoring/monitors";
import {
    renderAlertmanagerConfig,
    renderAlertRules,
    renderBlackboxConfig,
    renderProbeTargets,
    renderPrometheusConfig,
} from "../../components/monitoring/render";
import { freePort, startCaddy } from "../support/caddy";

const HOST = "shop.nexora.test";
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
    for (const c of children) c.kill();
    for (const f of cleanups) await f();
});

function run(bin: string, args: string[]): ChildProcess {
    const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on("error", (e) => {
        throw new Error(`${bin} not runnable (apt-get install -y prometheus prometheus-alertmanager prometheus-blackbox-exporter): ${e.message}`);
    });
    children.push(child);
    return child;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = probe();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

describe("the alert pipeline with the real binaries", () => {
    it("sends one DOWN message for an outage, naming the hostname, and one RECOVERED message after it", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "nexora-pipeline-"));
        // The app behind Caddy: healthy or not, as the test says.
        let healthy = true;
        const app: Server = createServer((_req, res) => {
            res.statusCode = healthy ? 200 : 503;
            res.end(healthy ? "ok" : "hung");
        });
        await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
        cleanups.push(() => new Promise((r) => app.close(() => r())));
        const appPort = (app.address() as { port: number }).port;
        const https = await freePort();
        const caddy = await startCaddy(
            `{\n\tadmin off\n\tauto_https disable_redirects\n\tskip_install_trust\n}\n${HOST}:${https} {\n\ttls internal\n\treverse_proxy 127.0.0.1:${appPort}\n}\n`,
        );
        cleanups.push(() => caddy.stop());

        // The chat webhook.
        const messages: { at: number; text: string }[] = [];
        const hook: Server = createServer((req, res) => {
            let body = "";
            req.on("data", (d: Buffer) => (body += d.toString()));
            req.on("end", () => {
                const doc = JSON.parse(body) as { attachments?: { title?: string; text?: string }[] };
                messages.push({ at: Date.now(), text: (doc.attachments ?? []).map((a) => `${a.title}\n${a.text}`).join("\n") });
                res.end("ok");
            });
        });
        await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
        cleanups.push(() => new Promise((r) => hook.close(() => r())));

        const [bbPort, promPort, amPort, amCluster] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
        const routes = {
            stack: "prod",
            httpPort: 80,
            httpsPort: https,
            tcp: [],
            http: [{ name: "shop", hostname: HOST, upstream: { host: "127.0.0.1", port: appPort }, securityHeaders: true, restricted: false, proxied: false }],
        };
        const monitors = monitorList({
            routes,
            caddyHost: "127.0.0.1",
            tls: "internal",
            appHealthPaths: { shop: "/healthz" },
            dataStores: [],
            backupMaxAgeHours: 13,
            diskFreePercent: 10,
            certificateDays: 14,
            overrides: {},
        });
        const file = (name: string, text: string) => {
            const p = path.join(dir, name);
            writeFileSync(p, text);
            return p;
        };
        const targets = file("targets.json", renderProbeTargets(monitors));
        const rules = file(
            "rules.yml",
            renderAlertRules({
                stack: "prod",
                alertAfterSeconds: 4,
                diskFreePercent: 10,
                healerPolicy: "restarts it when unhealthy, at most 3 times in 60 min, then gives up",
            }),
        );
        const promYml = file(
            "prometheus.yml",
            renderPrometheusConfig({
                stack: "prod",
                scrapeSeconds: 2,
                blackbox: `127.0.0.1:${bbPort}`,
                alertmanager: `127.0.0.1:${amPort}`,
                nodeExporter: "127.0.0.1:1",
                targetsFile: targets,
                rulesFile: rules,
            }),
        );
        const webhookFile = file("webhook-url", `http://127.0.0.1:${(hook.address() as { port: number }).port}/hooks/bot\n`);
        const amYml = file("alertmanager.yml", renderAlertmanagerConfig({ format: "slack", groupWaitSeconds: 1, repeatHours: 24, webhookFile }));

        run("prometheus-blackbox-exporter", [
            `--config.file=${file("blackbox.yml", renderBlackboxConfig({ insecureTls: true }))}`,
            `--web.listen-address=127.0.0.1:${bbPort}`,
        ]);
        run("prometheus-alertmanager", [
            `--config.file=${amYml}`,
            `--storage.path=${path.join(dir, "am")}`,
            `--web.listen-address=127.0.0.1:${amPort}`,
            `--cluster.listen-address=127.0.0.1:${amCluster}`,
        ]);
        run("prometheus", [`--config.file=${promYml}`, `--storage.tsdb.path=${path.join(dir, "prom")}`, `--web.listen-address=127.0.0.1:${promPort}`]);

        // Probing succeeds first: no message while the route is up.
        const query = async (q: string) =>
            (
                (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
                    data: { result: { value: [number, string] }[] };
                }
            ).data.result;
        const deadline = Date.now() + 60_000;
        for (;;) {
            try {
                const r = await query('probe_success{monitor="http-shop"}');
                if (r[0]?.value[1] === "1") break;
            } catch {
                // Prometheus still starting.
            }
            if (Date.now() > deadline) throw new Error("the route was never probed successfully");
            await new Promise((r) => setTimeout(r, 500));
        }

        const t0 = Date.now();
        healthy = false;
        const down = await until("the DOWN message", () => messages.find((m) => m.text.startsWith(`DOWN: ${HOST}`)), 60_000);
        expect(down.text).toContain(`https://${HOST}/healthz does not answer as expected through Caddy`);
        expect(down.text).toContain("127.0.0.1: the healer restarts it when unhealthy");
        // Fires after alertAfterSeconds (4 s), not before.
        expect(down.at - t0).toBeGreaterThanOrEqual(4000);
        healthy = true;
        const up = await until("the RECOVERED message", () => messages.find((m) => m.text.startsWith(`RECOVERED: ${HOST}`)), 90_000);
        expect(up.text).toMatch(/recovered \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
        expect(messages.filter((m) => m.text.startsWith("DOWN"))).toHaveLength(1);
        expect(messages.filter((m) => m.text.startsWith("RECOVERED"))).toHaveLength(1);
    }, 240_000);
});
