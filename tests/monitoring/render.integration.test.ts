/**
 * The rendered monitoring configs checked by the real tools (Debian's prometheus 2.42,
 * prometheus-alertmanager 0.25, prometheus-blackbox-exporter 0.23): promtool check config / rules,
 * promtool test rules (the alerts fire with what the message names), amtool check-config,
 * blackbox --config.check, and one real probe through a real Caddy by hostname.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type Monitor, monitorList, type MonitorInputs } from "../../components/monitoring/monitors";
import {
    renderAlertmanagerConfig,
    renderAlertRules,
    renderBlackboxConfig,
    renderProbeTargets,
    renderPrometheusConfig,
    type RuleOptions,
} from "../../components/monitoring/render";
import { eventually, freePort, startCaddy } from "../support/caddy";
import { prodMonitorInputs } from "./fixtures";

const HINT = "apt-get install -y prometheus prometheus-alertmanager prometheus-blackbox-exporter";

function tool(bin: string, args: string[], cwd: string): { status: number; out: string } {
    const r = spawnSync(bin, args, { cwd, encoding: "utf8" });
    if (r.error) throw new Error(`${bin} not runnable (${HINT}): ${r.error.message}`);
    return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const dir = mkdtempSync(path.join(tmpdir(), "nexora-monitoring-"));
const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
};

function monitors(overrides: Partial<MonitorInputs> = {}): Monitor[] {
    return monitorList(
        prodMonitorInputs({
            dataStores: [
                { name: "postgres", host: "nexora-prod-postgres", port: 5432 },
                { name: "redis", host: "nexora-prod-redis", port: 6379 },
                { name: "mysql", host: "nexora-prod-mysql", port: 3306 },
            ],
            backupStores: ["postgres", "mysql", "gitlab"],
            ...overrides,
        }),
    );
}

const RULES: RuleOptions = {
    stack: "prod",
    alertAfterSeconds: 120,
    backupMaxAgeHours: 13,
    diskFreePercent: 10,
    certificateDays: 14,
    healerPolicy: "restarts it when unhealthy, at most 3 times in 60 min, then gives up",
};

describe("prometheus.yml, the targets and the rules", () => {
    it("pass promtool check config, with the targets file it reads and the rules it loads", () => {
        const rules = file("rules.yml", renderAlertRules(RULES));
        const targets = file("targets.json", renderProbeTargets(monitors()));
        const config = file(
            "prometheus.yml",
            renderPrometheusConfig({
                stack: "prod",
                scrapeSeconds: 30,
                blackbox: "nexora-prod-blackbox:9115",
                alertmanager: "nexora-prod-alertmanager:9093",
                nodeExporter: "nexora-prod-node-exporter:9100",
                targetsFile: targets,
                rulesFile: rules,
            }),
        );
        const r = tool("promtool", ["check", "config", config], dir);
        expect(r.out).toMatch(/SUCCESS: \S*prometheus\.yml is valid/);
        expect(r.out).toMatch(/SUCCESS: \d+ rules found/);
        expect(r.status).toBe(0);
    });

    it.each([
        ["public certificates and backups", RULES],
        ["internal certificates, no backups", { ...RULES, certificateDays: undefined, backupMaxAgeHours: undefined }],
    ])("pass promtool check rules (%s)", (_, options) => {
        const r = tool("promtool", ["check", "rules", file("check-rules.yml", renderAlertRules(options))], dir);
        expect(r.out).toMatch(/SUCCESS/);
        expect(r.status).toBe(0);
    });

    it("fire one alert per failing monitor after alertAfterSeconds, naming the hostname, what failed and the healer (promtool test rules)", () => {
        const targets = JSON.parse(renderProbeTargets(monitors())) as { labels: Record<string, string> }[];
        const pyerp = targets.find((t) => t.labels.monitor === "http-pyerp")!.labels;
        const series = (labels: Record<string, string>) =>
            `probe_success{${Object.entries({ job: "blackbox", instance: "x", ...labels })
                .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
                .join(",")}}`;
        const rules = file("unit-rules.yml", renderAlertRules(RULES));
        const test = file(
            "rules.test.yml",
            stringify({
                rule_files: [rules],
                evaluation_interval: "30s",
                tests: [
                    {
                        interval: "30s",
                        input_series: [
                            // Up for a minute, then down.
                            { series: series(pyerp), values: "1 1 0 0 0 0 0 0 0 0 0 0" },
                            { series: series(targets.find((t) => t.labels.monitor === "http-gitlab")!.labels), values: "1x12" },
                            { series: 'node_filesystem_avail_bytes{mountpoint="/",instance="n",job="node"}', values: "5x30" },
                            { series: 'node_filesystem_size_bytes{mountpoint="/",instance="n",job="node"}', values: "100x30" },
                        ],
                        alert_rule_test: [
                            // Failing for 90 s: still pending (alertAfterSeconds is 120).
                            { eval_time: "2m30s", alertname: "NexoraRouteDown", exp_alerts: [] },
                            {
                                eval_time: "4m",
                                alertname: "NexoraRouteDown",
                                exp_alerts: [
                                    {
                                        exp_labels: { ...pyerp, job: "blackbox", instance: "x", severity: "critical", stack: "prod" },
                                        exp_annotations: {
                                            summary: "https://pyerp.nexora.restry.cn/api/health does not answer as expected through Caddy",
                                            healer: "nexora-prod-pyerp: the healer restarts it when unhealthy, at most 3 times in 60 min, then gives up (its actions are posted here too)",
                                        },
                                    },
                                ],
                            },
                            { eval_time: "9m", alertname: "NexoraDiskLow", exp_alerts: [] },
                            {
                                eval_time: "11m",
                                alertname: "NexoraDiskLow",
                                exp_alerts: [
                                    {
                                        exp_labels: {
                                            mountpoint: "/",
                                            instance: "n",
                                            job: "node",
                                            monitor: "disk-docker",
                                            kind: "disk",
                                            subject: "host disk",
                                            severity: "warning",
                                            stack: "prod",
                                        },
                                        exp_annotations: {
                                            summary: "the disk holding Docker's data has 5.0% free (alert below 10%)",
                                            healer: "nothing to restart: needs a person",
                                        },
                                    },
                                ],
                            },
                        ],
                    },
                    {
                        // A store whose last snapshot is older than backupMaxAgeHours (13), scraped every 5 minutes.
                        interval: "5m",
                        input_series: [
                            {
                                series: 'nexora_backup_last_success_timestamp_seconds{store="postgres",target="local",instance="n",job="node"}',
                                values: "0x200",
                            },
                            {
                                series: 'nexora_backup_last_success_timestamp_seconds{store="gitlab",target="local",instance="n",job="node"}',
                                values: "36000+300x200",
                            },
                        ],
                        alert_rule_test: [
                            { eval_time: "12h", alertname: "NexoraBackupStale", exp_alerts: [] },
                            {
                                eval_time: "15h",
                                alertname: "NexoraBackupStale",
                                exp_alerts: [
                                    {
                                        exp_labels: {
                                            store: "postgres",
                                            target: "local",
                                            instance: "n",
                                            job: "node",
                                            monitor: "backup-postgres",
                                            severity: "critical",
                                            kind: "backup",
                                            stack: "prod",
                                        },
                                        exp_annotations: {
                                            summary: "no good snapshot of postgres in the last 13 h",
                                            healer: "nothing to restart: see docker logs of the backup container",
                                        },
                                    },
                                ],
                            },
                        ],
                    },
                ],
            }),
        );
        const r = tool("promtool", ["test", "rules", test], dir);
        expect(r.out).toMatch(/SUCCESS/);
        expect(r.status).toBe(0);
    });
});

describe("alertmanager.yml", () => {
    it.each([
        [
            "slack",
            renderAlertmanagerConfig({ format: "slack", groupWaitSeconds: 30, repeatHours: 24, webhookFile: file("url", "https://mm.example.cn/hooks/abc\n") }),
        ],
        [
            "generic",
            renderAlertmanagerConfig({ format: "generic", genericUrl: "https://bridge.example.cn/alerts?token=abc", groupWaitSeconds: 0, repeatHours: 168 }),
        ],
    ])("passes amtool check-config (%s)", (_, text) => {
        const r = tool("amtool", ["check-config", file("alertmanager.yml", text)], dir);
        expect(r.out).toMatch(/SUCCESS/);
        expect(r.status).toBe(0);
    });

    it("groups by monitor, sends recoveries and does not repeat within the hour", () => {
        const text = renderAlertmanagerConfig({ format: "slack", groupWaitSeconds: 30, repeatHours: 24 });
        expect(text).toMatch(/group_by:\n\s+- monitor\n\s+- alertname/);
        expect(text).toContain("send_resolved: true");
        expect(text).toContain("repeat_interval: 24h");
        expect(text).not.toMatch(/hooks/);
    });
});

describe("blackbox.yml", () => {
    it.each([true, false])("passes the exporter's --config.check (insecureTls %s)", (insecureTls) => {
        const r = tool("prometheus-blackbox-exporter", ["--config.check", `--config.file=${file("blackbox.yml", renderBlackboxConfig({ insecureTls }))}`], dir);
        expect(r.out).toMatch(/Config file is ok/);
        expect(r.out).not.toMatch(/deprecated/);
        expect(r.status).toBe(0);
    });
});

describe("an HTTP probe through a real Caddy", () => {
    let exporter: ChildProcess | undefined;
    const stops: (() => Promise<void>)[] = [];
    afterAll(async () => {
        exporter?.kill();
        for (const stop of stops) await stop();
    });

    it("reaches the route by its hostname over TLS (the exporter's hostname parameter sets Host and SNI), and fails for a name Caddy does not serve", async () => {
        const https = await freePort();
        const caddy = await startCaddy(
            `{\n\tadmin off\n\tauto_https disable_redirects\n\tskip_install_trust\n}\napp.nexora.test:${https} {\n\ttls internal\n\trespond /healthz "ok" 200\n}\n`,
        );
        stops.push(() => caddy.stop());
        const port = await freePort();
        exporter = spawn("prometheus-blackbox-exporter", [
            `--config.file=${file("probe-blackbox.yml", renderBlackboxConfig({ insecureTls: true }))}`,
            `--web.listen-address=127.0.0.1:${port}`,
        ]);
        const probe = async (hostname: string) => {
            const q = new URLSearchParams({ module: "http_2xx", target: `https://127.0.0.1:${https}/healthz`, hostname });
            const res = await fetch(`http://127.0.0.1:${port}/probe?${q}`);
            return res.text();
        };
        const ok = await eventually(async () => {
            const body = await probe("app.nexora.test");
            if (!/probe_success 1/.test(body)) throw new Error(body.slice(0, 400));
            return body;
        }, 20_000);
        expect(ok).toMatch(/probe_ssl_earliest_cert_expiry \d/);
        expect(await probe("other.nexora.test")).toMatch(/probe_success 0/);
    });
});
