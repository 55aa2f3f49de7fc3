/**
 * prometheus.yml, the alert rules, blackbox.yml and alertmanager.yml, rendered from the monitor
 * list. Written with the `yaml` library: every value from config is a YAML scalar it quotes.
 */
import { stringify } from "yaml";
import { httpProbeModules, type Monitor, type MonitorInputs } from "./monitors";

/** Where the files live in their containers (the component uploads them there). */
export const PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml";
export const PROMETHEUS_RULES = "/etc/prometheus/nexora-rules.yml";
export const BLACKBOX_CONFIG = "/etc/blackbox/blackbox.yml";
export const ALERTMANAGER_CONFIG = "/etc/alertmanager/alertmanager.yml";
/** Alertmanager reads the Slack-format webhook URL from this file: the rendered config carries no secret. */
export const ALERTMANAGER_WEBHOOK_FILE = "/etc/alertmanager/webhook-url";

export const PROMETHEUS_PORT = 9090;
export const BLACKBOX_PORT = 9115;
export const ALERTMANAGER_PORT = 9093;
export const NODE_EXPORTER_PORT = 9100;

export interface PrometheusOptions {
    readonly stack: string;
    readonly scrapeSeconds: number;
    /** host:port of the blackbox exporter, Alertmanager and node-exporter. */
    readonly blackbox: string;
    readonly alertmanager: string;
    readonly nodeExporter: string;
}

const YAML = { lineWidth: 0 } as const;

export function renderPrometheusConfig(monitors: readonly Monitor[], o: PrometheusOptions): string {
    const probes = monitors.filter((m) => m.probe);
    const config = {
        global: {
            scrape_interval: `${o.scrapeSeconds}s`,
            evaluation_interval: `${o.scrapeSeconds}s`,
            // A probe may take almost the whole interval (a slow TLS handshake is itself a finding).
            scrape_timeout: `${Math.max(1, o.scrapeSeconds - 1)}s`,
            external_labels: { stack: o.stack },
        },
        rule_files: [PROMETHEUS_RULES],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [o.alertmanager] }] }] },
        scrape_configs: [
            {
                job_name: "blackbox",
                metrics_path: "/probe",
                static_configs: probes.map((m) => ({
                    targets: [m.probe!.target],
                    labels: { monitor: m.id, kind: m.kind, subject: m.subject, module: m.probe!.module },
                })),
                relabel_configs: [
                    { source_labels: ["__address__"], target_label: "__param_target" },
                    { source_labels: ["module"], target_label: "__param_module" },
                    { target_label: "__address__", replacement: o.blackbox },
                ],
            },
            { job_name: "node", static_configs: [{ targets: [o.nodeExporter] }] },
        ],
    };
    return stringify(config, YAML);
}

export interface RuleOptions {
    readonly stack: string;
    /** What the healer does, for the alert text (e.g. "restarts it when unhealthy, at most 3 times in 60 min"). */
    readonly healerPolicy: string;
}

function duration(seconds: number): string {
    return `${seconds}s`;
}

const ALERT_NAMES: Readonly<Record<Monitor["kind"], string>> = {
    http: "NexoraRouteDown",
    datastore: "NexoraDataStoreDown",
    backup: "NexoraBackupStale",
    certificate: "NexoraCertificateExpiring",
    disk: "NexoraDiskLow",
};

export function renderAlertRules(monitors: readonly Monitor[], o: RuleOptions): string {
    const rules: { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> }[] = monitors.map((m) => ({
        alert: ALERT_NAMES[m.kind],
        expr: m.expr,
        for: duration(m.forSeconds),
        labels: { severity: m.kind === "certificate" || m.kind === "disk" ? "warning" : "critical", monitor: m.id, kind: m.kind, subject: m.subject },
        annotations: {
            summary: m.summary,
            healer: m.container ? `${m.container}: the healer ${o.healerPolicy} (its actions are posted here too)` : "nothing to restart: needs a person",
        },
    }));
    // Prometheus keeps its own targets in view: a dead exporter would silence every alert above.
    rules.push({
        alert: "NexoraMonitoringTargetDown",
        expr: `up == 0`,
        for: duration(Math.max(...monitors.map((m) => m.forSeconds), 60)),
        labels: { severity: "critical", monitor: "monitoring", kind: "monitoring", subject: "monitoring" },
        annotations: { summary: "Prometheus cannot scrape {{ $labels.job }} ({{ $labels.instance }})", healer: "the healer restarts unhealthy exporters" },
    });
    return stringify({ groups: [{ name: `nexora-${o.stack}`, rules }] }, YAML);
}

export function renderBlackboxConfig(inputs: MonitorInputs): string {
    const modules: Record<string, unknown> = {
        tcp_connect: { prober: "tcp", timeout: "5s", tcp: { preferred_ip_protocol: "ip4" } },
        // Redis answers PING with +PONG, or -NOAUTH when it wants a password: either way it speaks Redis.
        redis_ping: {
            prober: "tcp",
            timeout: "5s",
            tcp: { preferred_ip_protocol: "ip4", query_response: [{ send: "PING" }, { expect: "^(\\+PONG|-NOAUTH)" }] },
        },
    };
    for (const m of httpProbeModules(inputs)) {
        modules[m.name] = {
            prober: "http",
            timeout: "10s",
            http: {
                method: "GET",
                preferred_ip_protocol: "ip4",
                // Empty: any 2xx.
                valid_status_codes: [...m.statuses],
                follow_redirects: false,
                fail_if_not_ssl: true,
                headers: { Host: m.hostname },
                tls_config: { server_name: m.hostname, insecure_skip_verify: m.insecureTls },
            },
        };
    }
    return stringify({ modules }, YAML);
}

export interface AlertmanagerOptions {
    /** "slack": Slack's payload, which Mattermost incoming webhooks accept; "generic": Alertmanager's own JSON. */
    readonly format: "slack" | "generic";
    /** The generic webhook's URL (secret; only for "generic"). Slack-format reads it from ALERTMANAGER_WEBHOOK_FILE. */
    readonly genericUrl?: string;
    readonly groupWaitSeconds: number;
    /** Hours before an unresolved outage is announced again. */
    readonly repeatHours: number;
}

/** One message per outage (grouped by monitor), one more when it resolves. */
export function renderAlertmanagerConfig(o: AlertmanagerOptions): string {
    const title = '{{ if eq .Status "firing" }}DOWN{{ else }}RECOVERED{{ end }}: {{ .CommonLabels.subject }} (stack {{ .CommonLabels.stack }})';
    const text =
        '{{ range .Alerts }}{{ .Annotations.summary }}. Since {{ .StartsAt.UTC.Format "2006-01-02 15:04:05" }} UTC' +
        '{{ if eq .Status "resolved" }}, recovered {{ .EndsAt.UTC.Format "2006-01-02 15:04:05" }} UTC{{ end }}. ' +
        "Healer: {{ .Annotations.healer }}. [monitor {{ .Labels.monitor }}]\n{{ end }}";
    const receiver =
        o.format === "slack"
            ? {
                  name: "bot",
                  slack_configs: [{ api_url_file: ALERTMANAGER_WEBHOOK_FILE, send_resolved: true, title, text, fallback: title }],
              }
            : {
                  name: "bot",
                  webhook_configs: [{ url: o.genericUrl ?? "", send_resolved: true, max_alerts: 0 }],
              };
    const config = {
        route: {
            receiver: "bot",
            group_by: ["monitor"],
            group_wait: `${o.groupWaitSeconds}s`,
            // A resolved alert is sent at the group's next interval: kept short so recovery is prompt.
            group_interval: "30s",
            repeat_interval: `${o.repeatHours}h`,
        },
        receivers: [receiver],
    };
    return stringify(config, YAML);
}
