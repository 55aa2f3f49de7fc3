/**
 * prometheus.yml, the alert rules, blackbox.yml and alertmanager.yml, plus the probe targets
 * rendered from the monitor list. The first four depend only on the stack's settings: a route
 * change rewrites just the targets file (file_sd, which Prometheus re-reads by itself), so it
 * replaces no container, as with Caddy's reload. Written with the `yaml` library: every value
 * from config is a scalar it quotes.
 */
import { stringify } from "yaml";
import type { Monitor, ProbeModule } from "./monitors";

/** Where the files live in their containers (uploads; the targets file is written by a docker exec). */
export const PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml";
export const PROMETHEUS_RULES = "/etc/prometheus/nexora-rules.yml";
/** In Prometheus' data directory: the one place its (non-root) process and a docker exec as its user can write. */
export const PROMETHEUS_TARGETS = "/prometheus/nexora-targets.json";
export const BLACKBOX_CONFIG = "/etc/blackbox/blackbox.yml";
export const ALERTMANAGER_CONFIG = "/etc/alertmanager/alertmanager.yml";
/** Alertmanager reads the Slack-format webhook URL from this file: the rendered config carries no secret. */
// Named for what it holds: the policy pack judges a file named for a credential as one.
export const ALERTMANAGER_WEBHOOK_FILE = "/etc/alertmanager/webhook";

export const PROMETHEUS_PORT = 9090;
export const BLACKBOX_PORT = 9115;
export const ALERTMANAGER_PORT = 9093;
export const NODE_EXPORTER_PORT = 9100;

const YAML = { lineWidth: 0 } as const;

export interface PrometheusOptions {
    readonly stack: string;
    readonly scrapeSeconds: number;
    /** host:port of the blackbox exporter, Alertmanager and node-exporter. */
    readonly blackbox: string;
    readonly alertmanager: string;
    readonly nodeExporter: string;
    /** @default PROMETHEUS_TARGETS and PROMETHEUS_RULES (tests point them at temporary files) */
    readonly targetsFile?: string;
    readonly rulesFile?: string;
}

export function renderPrometheusConfig(o: PrometheusOptions): string {
    const config = {
        global: {
            scrape_interval: `${o.scrapeSeconds}s`,
            evaluation_interval: `${o.scrapeSeconds}s`,
            // A probe may take almost the whole interval (a slow TLS handshake is itself a finding).
            scrape_timeout: `${Math.max(1, o.scrapeSeconds - 1)}s`,
            external_labels: { stack: o.stack },
        },
        rule_files: [o.rulesFile ?? PROMETHEUS_RULES],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [o.alertmanager] }] }] },
        scrape_configs: [
            {
                job_name: "blackbox",
                metrics_path: "/probe",
                // Re-read on change: adding a route adds a target without a reload.
                file_sd_configs: [{ files: [o.targetsFile ?? PROMETHEUS_TARGETS], refresh_interval: "1m" }],
                relabel_configs: [
                    { source_labels: ["__address__"], target_label: "__param_target" },
                    { source_labels: ["module"], target_label: "__param_module" },
                    // Host header and TLS server name of an HTTP probe (the exporter's `hostname` parameter).
                    { source_labels: ["hostname"], regex: "(.+)", target_label: "__param_hostname" },
                    { target_label: "__address__", replacement: o.blackbox },
                ],
            },
            { job_name: "node", static_configs: [{ targets: [o.nodeExporter] }] },
        ],
    };
    return stringify(config, YAML);
}

/** The file_sd targets file: one entry per probed monitor, its labels naming what it watches. */
export function renderProbeTargets(monitors: readonly Monitor[]): string {
    const targets = monitors
        .filter((m) => m.probe)
        .map((m) => ({
            targets: [m.probe!.target],
            labels: {
                monitor: m.id,
                kind: m.kind,
                subject: m.subject,
                summary: m.summary,
                module: m.probe!.module,
                ...(m.probe!.hostname ? { hostname: m.probe!.hostname } : {}),
                ...(m.container ? { container: m.container } : {}),
            },
        }));
    return `${JSON.stringify(targets, null, 2)}\n`;
}

export interface RuleOptions {
    readonly stack: string;
    /** Seconds a probe must fail before it alerts. */
    readonly alertAfterSeconds: number;
    readonly backupMaxAgeHours?: number;
    readonly diskFreePercent: number;
    /** Only with public certificates (Caddy renews its internal ones itself, every few hours). */
    readonly certificateDays?: number;
    /** What the healer does, for the alert text (e.g. "restarts it when unhealthy, at most 3 times in 60 min"). */
    readonly healerPolicy: string;
}

interface Rule {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
}

/**
 * The alert rules, one per kind of monitor: the targets' labels carry what the message names
 * (subject, summary, container), so the rules do not change when a route does.
 */
export function renderAlertRules(o: RuleOptions): string {
    const healer = `{{ with $labels.container }}{{ . }}: the healer ${o.healerPolicy} (its actions are posted here too){{ else }}nothing to restart: needs a person{{ end }}`;
    const rules: Rule[] = [
        {
            alert: "NexoraRouteDown",
            expr: 'probe_success{kind="http"} == 0',
            for: `${o.alertAfterSeconds}s`,
            labels: { severity: "critical" },
            annotations: { summary: "{{ $labels.summary }}", healer },
        },
        {
            alert: "NexoraDataStoreDown",
            expr: 'probe_success{kind="datastore"} == 0',
            for: `${o.alertAfterSeconds}s`,
            labels: { severity: "critical" },
            annotations: { summary: "{{ $labels.summary }}", healer },
        },
        {
            alert: "NexoraDiskLow",
            expr: `node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"} * 100 < ${o.diskFreePercent}`,
            for: "10m",
            labels: { severity: "warning", monitor: "disk-docker", kind: "disk", subject: "host disk" },
            annotations: {
                summary: `the disk holding Docker's data has {{ $value | printf "%.1f" }}% free (alert below ${o.diskFreePercent}%)`,
                healer: "nothing to restart: needs a person",
            },
        },
        {
            alert: "NexoraMonitoringTargetDown",
            expr: "up == 0",
            for: `${Math.max(o.alertAfterSeconds, 60)}s`,
            labels: { severity: "critical", kind: "monitoring", subject: "monitoring" },
            annotations: {
                summary: "Prometheus cannot scrape {{ $labels.job }} ({{ $labels.instance }}): its alerts are blind",
                healer: "the healer restarts the exporter when Docker reports it unhealthy",
            },
        },
    ];
    if (o.certificateDays !== undefined) {
        rules.push({
            alert: "NexoraCertificateExpiring",
            expr: `probe_ssl_earliest_cert_expiry{kind="http"} - time() < ${o.certificateDays * 86400}`,
            for: "1h",
            labels: { severity: "warning", kind: "certificate" },
            annotations: {
                summary: `the certificate of {{ $labels.subject }} expires within ${o.certificateDays} days (Caddy renews 30 days ahead: renewal is failing)`,
                healer: "nothing to restart: needs a person",
            },
        });
    }
    if (o.backupMaxAgeHours !== undefined) {
        const maxAge = o.backupMaxAgeHours * 3600;
        rules.push(
            {
                alert: "NexoraBackupStale",
                // A store never backed up reports 0.
                expr: `label_replace(time() - nexora_backup_last_success_timestamp_seconds{target="local"} > ${maxAge}, "monitor", "backup-$1", "store", "(.+)")`,
                for: "10m",
                labels: { severity: "critical", kind: "backup" },
                annotations: {
                    summary: `no good snapshot of {{ $labels.store }} in the last ${o.backupMaxAgeHours} h`,
                    healer: "nothing to restart: see docker logs of the backup container",
                },
            },
            {
                alert: "NexoraBackupStale",
                expr: "absent(nexora_backup_last_success_timestamp_seconds)",
                // The status file appears after the first cycle: before it, only a long silence is news.
                for: `${maxAge}s`,
                labels: { severity: "critical", kind: "backup", monitor: "backup-status", subject: "backups" },
                annotations: {
                    summary: `the backup has reported no snapshot age for ${o.backupMaxAgeHours} h`,
                    healer: "nothing to restart: see docker logs of the backup container",
                },
            },
        );
    }
    // Labels every alert's message reads, where the series has none (the disk, an absent series).
    for (const rule of rules) rule.labels.stack ??= o.stack;
    return stringify({ groups: [{ name: `nexora-${o.stack}`, rules }] }, YAML);
}

/** Per-stack settings of the probe modules: the module set itself is fixed. */
export interface BlackboxOptions {
    /** Accept Caddy's internal CA without verifying it (tls internal: a per-stack CA nothing else trusts). */
    readonly insecureTls: boolean;
}

export function renderBlackboxConfig(o: BlackboxOptions): string {
    const http = (statuses: number[]) => ({
        prober: "http",
        timeout: "10s",
        http: {
            method: "GET",
            preferred_ip_protocol: "ip4",
            // Empty: any 2xx.
            valid_status_codes: statuses,
            follow_redirects: false,
            fail_if_not_ssl: true,
            tls_config: { insecure_skip_verify: o.insecureTls },
        },
    });
    const modules: Record<ProbeModule, unknown> = {
        http_2xx: http([]),
        http_401: http([401]),
        http_2xx_401: http([200, 401]),
        tcp_connect: { prober: "tcp", timeout: "5s", tcp: { preferred_ip_protocol: "ip4" } },
        // Redis answers PING with +PONG, or -NOAUTH when it wants a password: either way it speaks Redis.
        redis_ping: {
            prober: "tcp",
            timeout: "5s",
            tcp: { preferred_ip_protocol: "ip4", query_response: [{ send: "PING" }, { expect: "^(\\+PONG|-NOAUTH)" }] },
        },
    };
    return stringify({ modules }, YAML);
}

export interface AlertmanagerOptions {
    /** "slack": Slack's payload, which Mattermost incoming webhooks accept; "generic": Alertmanager's own JSON. */
    readonly format: "slack" | "generic";
    /** The generic webhook's URL (secret; only for "generic"). Slack-format reads it from `webhookFile`. */
    readonly genericUrl?: string;
    readonly groupWaitSeconds: number;
    /** Hours before an unresolved outage is announced again. */
    readonly repeatHours: number;
    /** @default ALERTMANAGER_WEBHOOK_FILE */
    readonly webhookFile?: string;
}

/** One message per outage (grouped by monitor), one more when it resolves. */
export function renderAlertmanagerConfig(o: AlertmanagerOptions): string {
    const title = '{{ if eq .Status "firing" }}DOWN{{ else }}RECOVERED{{ end }}: {{ .CommonLabels.subject }} (stack {{ .CommonLabels.stack }})';
    const text =
        '{{ range .Alerts }}{{ .Annotations.summary }}. Since {{ .StartsAt.UTC.Format "2006-01-02 15:04:05" }} UTC' +
        '{{ if eq .Status "resolved" }}, recovered {{ .EndsAt.UTC.Format "2006-01-02 15:04:05" }} UTC{{ end }}. ' +
        "Healer: {{ .Annotations.healer }}. [{{ .Labels.alertname }} {{ .Labels.monitor }}]\n{{ end }}";
    const receiver =
        o.format === "slack"
            ? { name: "bot", slack_configs: [{ api_url_file: o.webhookFile ?? ALERTMANAGER_WEBHOOK_FILE, send_resolved: true, title, text, fallback: title }] }
            : { name: "bot", webhook_configs: [{ url: o.genericUrl ?? "", send_resolved: true, max_alerts: 0 }] };
    const config = {
        route: {
            receiver: "bot",
            // One outage of one monitor is one group: one message, and one more when it resolves.
            group_by: ["monitor", "alertname"],
            group_wait: `${o.groupWaitSeconds}s`,
            // A resolved alert is sent at the group's next interval: kept short so recovery is prompt.
            group_interval: "30s",
            repeat_interval: `${o.repeatHours}h`,
        },
        receivers: [receiver],
    };
    return stringify(config, YAML);
}
