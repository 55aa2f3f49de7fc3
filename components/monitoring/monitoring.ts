import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import { dockerExec } from "../docker/exec";
import { createServiceContainer } from "../docker/service";
import { dockerName } from "../naming";
import { type KumaMonitorFile } from "./kuma";
import type { HostContext } from "../docker/host";
import {
    ALERTMANAGER_CONFIG,
    ALERTMANAGER_PORT,
    ALERTMANAGER_WEBHOOK_FILE,
    BLACKBOX_CONFIG,
    BLACKBOX_PORT,
    NODE_EXPORTER_PORT,
    PROMETHEUS_CONFIG,
    PROMETHEUS_PORT,
    PROMETHEUS_RULES,
    PROMETHEUS_TARGETS,
} from "./render";

/** Writes the probe targets in place; Prometheus' file_sd picks the change up by itself. */
export const APPLY_TARGETS_SCRIPT = ["set -e", `cat > ${PROMETHEUS_TARGETS}.next`, `mv ${PROMETHEUS_TARGETS}.next ${PROMETHEUS_TARGETS}`].join("\n");

/**
 * Replaces AutoKuma's static monitor files with the ones on stdin, one per line as
 * "<id>.json <base64 of the JSON>" (ids are [a-z0-9-]); AutoKuma deletes the monitors whose file is gone.
 */
export const APPLY_KUMA_SCRIPT = [
    "set -e",
    `mkdir -p /etc/autokuma/monitors.next`,
    `rm -f /etc/autokuma/monitors.next/*`,
    'while read -r file content; do case "$file" in *[!a-z0-9.-]*|"") exit 2 ;; esac; printf %s "$content" | base64 -d > "/etc/autokuma/monitors.next/$file"; done',
    "rm -rf /etc/autokuma/monitors",
    "mv /etc/autokuma/monitors.next /etc/autokuma/monitors",
].join("\n");

export const HEAL_SCRIPT_IN_CONTAINER = "/usr/local/bin/nexora-heal";
/** Where AutoKuma reads its static monitor files. */
export const KUMA_MONITORS_DIR = "/etc/autokuma/monitors";

export interface MonitoringImages {
    readonly prometheus: string;
    readonly blackboxExporter: string;
    readonly alertmanager: string;
    readonly nodeExporter: string;
    readonly healer: string;
    readonly autokuma: string;
}

export interface MonitoringArgs {
    /**
     * The Docker host: its monitoring network (required), the edge network (Caddy for the probes, and
     * the way out for the webhook), DOCKER_HOST for the docker CLI that applies the targets, the socket the healer uses.
     */
    readonly host: HostContext;
    readonly images: MonitoringImages;
    /** Networks of the data stores the blackbox exporter probes (data, apps-data). */
    readonly storeNetworks: readonly pulumi.Input<string>[];
    /** The admin network, when Uptime Kuma runs: it reads Prometheus there, AutoKuma reaches it there. @default none */
    readonly adminNetwork?: pulumi.Input<string>;
    /** Rendered configs (render.ts): all but the targets depend on settings only. */
    readonly prometheusYml: string;
    /** The probe targets (file_sd JSON), applied in place. */
    readonly targetsJson: string;
    readonly rulesYml: string;
    readonly blackboxYml: string;
    /** alertmanager.yml; secret when it carries a generic webhook's URL. */
    readonly alertmanagerYml: pulumi.Input<string>;
    readonly webhookFormat: "slack" | "generic";
    /** The alert webhook URL (secret). */
    readonly webhook: pulumi.Input<string>;
    /** The healer script (healer.ts). */
    readonly healScript: string;
    /** The backup's spool volume: node-exporter exports its status/metrics.prom (snapshot ages). @default none (no backups) */
    readonly backupSpool?: docker.Volume;
    /** AutoKuma, when an Uptime Kuma login is configured. @default none */
    readonly autokuma?: {
        readonly url: string;
        readonly username: string;
        readonly password: pulumi.Input<string>;
        readonly monitors: readonly KumaMonitorFile[];
    };
}

/**
 * Prometheus probing every route and store through the blackbox exporter, node-exporter for the
 * disk and the backup's snapshot ages, Alertmanager posting to the bot's webhook, the bounded
 * healer, and optionally AutoKuma keeping Uptime Kuma's monitors in step (docs/monitoring.md).
 * Config files are uploads: a changed monitor list replaces the small stateless containers, which
 * is the point (Prometheus' history of probe results is not worth a volume's protection here).
 */
export class Monitoring extends pulumi.ComponentResource {
    readonly prometheusHost: string;
    readonly containers: Readonly<Record<string, docker.Container>>;
    /** Applies the probe targets; re-runs when they change or Prometheus is replaced. */
    readonly applyTargets: command.local.Command;
    readonly applyKumaMonitors?: command.local.Command;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:monitoring:Monitoring", name, {}, opts);
        const stack = args.host.stack;
        const monitoringNetwork = args.host.networks.monitoring;
        if (monitoringNetwork === undefined) throw new Error("Monitoring: the Docker host has no monitoring network (DockerHost's monitoring: true)");
        const host = (service: string) => dockerName(stack, service);
        this.prometheusHost = host("prometheus");
        const run = (service: string, spec: Omit<Parameters<typeof createServiceContainer>[1], "stack" | "service" | "role" | "containerName">) =>
            createServiceContainer(`${name}-${service}`, { stack, service, role: "platform", containerName: host(service), ...spec }, this, {
                provider: args.host.provider,
            }).container;
        const wget = (port: number, path: string) => ({
            test: ["CMD-SHELL", `wget -q -O /dev/null http://127.0.0.1:${port}${path} || exit 1`],
            startPeriodSeconds: 20,
        });
        const containers: Record<string, docker.Container> = {};

        containers.blackbox = run("blackbox", {
            image: args.images.blackboxExporter,
            command: [`--config.file=${BLACKBOX_CONFIG}`],
            networks: [monitoringNetwork, args.host.networks.edge, ...args.storeNetworks],
            uploads: [{ file: BLACKBOX_CONFIG, content: args.blackboxYml }],
            healthcheck: wget(BLACKBOX_PORT, "/-/healthy"),
        });
        containers["node-exporter"] = run("node-exporter", {
            image: args.images.nodeExporter,
            command: [
                // Its own root is an overlay on Docker's data disk: overlay is kept, the pseudo file systems are not.
                "--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|mqueue|nsfs|proc|procfs|pstore|rpc_pipefs|securityfs|sysfs|tracefs|tmpfs)$",
                ...(args.backupSpool ? ["--collector.textfile.directory=/spool/status"] : []),
            ],
            networks: [monitoringNetwork],
            volumes: args.backupSpool ? [{ volume: args.backupSpool, target: "/spool", readOnly: true }] : [],
            // The backup writes its status files as root with mode 0600 (umask 077); read-only mount.
            user: args.backupSpool ? "0:0" : undefined,
            healthcheck: wget(NODE_EXPORTER_PORT, "/metrics"),
        });
        containers.alertmanager = run("alertmanager", {
            image: args.images.alertmanager,
            command: [`--config.file=${ALERTMANAGER_CONFIG}`, "--storage.path=/alertmanager"],
            // The monitoring network for Prometheus; the edge network only as the way out to the webhook.
            networks: [monitoringNetwork, args.host.networks.edge],
            uploads: [
                { file: ALERTMANAGER_CONFIG, content: args.alertmanagerYml },
                ...(args.webhookFormat === "slack" ? [{ file: ALERTMANAGER_WEBHOOK_FILE, content: pulumi.secret(args.webhook) }] : []),
            ],
            // Flushes its silences and notification log on shutdown.
            stopGraceSeconds: 30,
            healthcheck: wget(ALERTMANAGER_PORT, "/-/healthy"),
        });
        containers.prometheus = run("prometheus", {
            image: args.images.prometheus,
            command: [`--config.file=${PROMETHEUS_CONFIG}`, "--storage.tsdb.path=/prometheus", "--storage.tsdb.retention.time=15d"],
            networks: [monitoringNetwork, ...(args.adminNetwork ? [args.adminNetwork] : [])],
            uploads: [
                { file: PROMETHEUS_CONFIG, content: args.prometheusYml },
                { file: PROMETHEUS_RULES, content: args.rulesYml },
            ],
            stopGraceSeconds: 30,
            healthcheck: wget(PROMETHEUS_PORT, "/-/healthy"),
        });
        containers.healer = run("healer", {
            image: args.images.healer,
            entrypoint: [HEAL_SCRIPT_IN_CONTAINER],
            command: ["serve"],
            envs: [pulumi.interpolate`NEXORA_HEAL_WEBHOOK=${args.webhook}`],
            networks: [args.host.networks.edge],
            // Root-equivalent on the host, like the backup: it restarts the stack's containers.
            binds: [{ source: args.host.socketPath, target: "/var/run/docker.sock" }],
            uploads: [{ file: HEAL_SCRIPT_IN_CONTAINER, content: args.healScript, executable: true }],
            // Alive while its loop runs: the marker is touched after every check.
            healthcheck: {
                test: ["CMD-SHELL", 'test -n "$(find /var/lib/nexora-heal/alive -mmin -5 2>/dev/null)"'],
                intervalSeconds: 60,
                startPeriodSeconds: 60,
            },
        });
        const prometheus = containers.prometheus;
        this.applyTargets = dockerExec(
            `${name}-targets`,
            {
                dockerHost: args.host.dockerHost,
                containerName: prometheus.name,
                script: APPLY_TARGETS_SCRIPT,
                stdin: args.targetsJson,
                triggers: [prometheus.id],
            },
            { parent: this, dependsOn: [prometheus] },
        );
        if (args.autokuma) {
            const k = args.autokuma;
            containers.autokuma = run("autokuma", {
                image: args.images.autokuma,
                envs: [
                    `AUTOKUMA__KUMA__URL=${k.url}`,
                    `AUTOKUMA__KUMA__USERNAME=${k.username}`,
                    pulumi.interpolate`AUTOKUMA__KUMA__PASSWORD=${k.password}`,
                    `AUTOKUMA__STATIC_MONITORS=${KUMA_MONITORS_DIR}`,
                    `AUTOKUMA__TAG_NAME=nexora-${stack}`,
                    // A monitor whose file is gone (a removed app) is deleted from Uptime Kuma.
                    "AUTOKUMA__ON_DELETE=delete",
                ],
                networks: [args.adminNetwork!],
                // The image (debian:bookworm-slim and the binary) has no HTTP client: bash reaching Uptime Kuma's port.
                healthcheck: { test: ["CMD", "bash", "-c", `</dev/tcp/${new URL(k.url).hostname}/${new URL(k.url).port}`] },
            });
        }
        if (args.autokuma) {
            const autokuma = containers.autokuma!;
            const lines = args.autokuma.monitors.map((m) => `${m.file} ${Buffer.from(m.content).toString("base64")}\n`).join("");
            this.applyKumaMonitors = dockerExec(
                `${name}-kuma-monitors`,
                { dockerHost: args.host.dockerHost, containerName: autokuma.name, script: APPLY_KUMA_SCRIPT, stdin: lines, triggers: [autokuma.id] },
                { parent: this, dependsOn: [autokuma] },
            );
        }
        this.containers = containers;
        this.registerOutputs({ prometheus: this.prometheusHost });
    }
}
