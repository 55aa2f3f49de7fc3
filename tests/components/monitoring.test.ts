import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { beforeEach, describe, expect, it } from "vitest";
import { Grafana, GRAFANA_DATASOURCES_FILE } from "../../components/grafana/grafana";
import { APPLY_TARGETS_SCRIPT, HEAL_SCRIPT_IN_CONTAINER, Monitoring, type MonitoringArgs } from "../../components/monitoring/monitoring";
import { ALERTMANAGER_WEBHOOK_FILE, PROMETHEUS_CONFIG, PROMETHEUS_TARGETS } from "../../components/monitoring/render";
import { type MockRecorder, setupMocks } from "../support/mocks";
import { DATA_NETWORK, databaseCredentials, dockerProvider, EDGE_NETWORK, envMap, T, testHost } from "./support";

const WEBHOOK = "https://mm.cn.restry.cn/hooks/xq1monitoringwebhooktoken";
const MONITORING_NETWORK = "nexora-staging-monitoring";

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function build(overrides: Partial<MonitoringArgs> & { provider?: docker.Provider } = {}) {
    const { provider = dockerProvider(), ...rest } = overrides;
    return new Monitoring("monitoring", {
        host: testHost({ provider, networks: { ...testHost({ provider }).networks, monitoring: MONITORING_NETWORK } }),
        images: {
            prometheus: "prom/prometheus:v3.7.3",
            blackboxExporter: "prom/blackbox-exporter:v0.28.0",
            alertmanager: "prom/alertmanager:v0.28.1",
            nodeExporter: "prom/node-exporter:v1.11.1",
            healer: "docker:28.3.1-cli",
            autokuma: "ghcr.io/bigboot/autokuma:2.0.0",
        },
        storeNetworks: [DATA_NETWORK],
        prometheusYml: "global: {}\n",
        targetsJson: '[{"targets":["nexora-staging-caddy:443"]}]\n',
        rulesYml: "groups: []\n",
        blackboxYml: "modules: {}\n",
        alertmanagerYml: "route: {}\n",
        webhookFormat: "slack",
        webhook: pulumi.secret(WEBHOOK),
        healScript: "#!/bin/sh\n",
        ...rest,
    });
}

const container = (service: string) => mocks.get(T.container, `monitoring-${service}-container`);
const networksOf = (service: string) => (container(service).inputs.networksAdvanced as { name: string }[]).map((n) => n.name);
const uploadsOf = (service: string) => (container(service).inputs.uploads as { file: string; content: string }[] | undefined) ?? [];

describe("Monitoring", () => {
    it("keeps Prometheus and its exporters on the internal monitoring network; only the prober and Alertmanager reach the edge, only the prober the stores", async () => {
        build();
        await mocks.settled();
        expect(networksOf("prometheus")).toEqual([MONITORING_NETWORK]);
        expect(networksOf("node-exporter")).toEqual([MONITORING_NETWORK]);
        expect(networksOf("blackbox")).toEqual([MONITORING_NETWORK, EDGE_NETWORK, DATA_NETWORK]);
        expect(networksOf("alertmanager")).toEqual([MONITORING_NETWORK, EDGE_NETWORK]);
        expect(networksOf("healer")).toEqual([EDGE_NETWORK]);
    });

    it("gives the webhook URL only as secrets: a file Alertmanager reads, and the healer's environment", async () => {
        build();
        await mocks.settled();
        const am = container("alertmanager");
        expect(uploadsOf("alertmanager").find((u) => u.file === ALERTMANAGER_WEBHOOK_FILE)!.content).toBe(WEBHOOK);
        expect(am.secretInputs).toContain("uploads");
        const healer = container("healer");
        expect(envMap(healer.inputs.envs as string[]).NEXORA_HEAL_WEBHOOK).toBe(WEBHOOK);
        expect(healer.secretInputs).toContain("envs");
        expect(mocks.plaintextLeaks(WEBHOOK)).toEqual([]);
    });

    it("lets only the healer mount the Docker socket, labelled as the policy allows", async () => {
        build();
        await mocks.settled();
        const mountsSocket = (service: string) =>
            ((container(service).inputs.mounts as { source: string }[] | undefined) ?? []).some((m) => m.source === "/var/run/docker.sock");
        expect(["prometheus", "blackbox", "alertmanager", "node-exporter"].map(mountsSocket)).toEqual([false, false, false, false]);
        expect(mountsSocket("healer")).toBe(true);
        expect(container("healer").inputs.entrypoints).toEqual([HEAL_SCRIPT_IN_CONTAINER]);
        expect((container("healer").inputs.labels as { label: string; value: string }[]).find((l) => l.label === "nexora.service")!.value).toBe("healer");
    });

    it("uploads the settings-only configs, and applies the probe targets in place (no container holds them)", async () => {
        build();
        await mocks.settled();
        expect(uploadsOf("prometheus").map((u) => u.file)).toContain(PROMETHEUS_CONFIG);
        for (const service of ["prometheus", "blackbox", "alertmanager", "node-exporter", "healer"]) {
            expect(JSON.stringify(container(service).inputs)).not.toContain("nexora-staging-caddy:443");
        }
        const apply = mocks.get("command:local:Command", "monitoring-targets");
        expect(apply.inputs.stdin).toBe('[{"targets":["nexora-staging-caddy:443"]}]\n');
        expect(apply.inputs.create).toContain("docker exec -i nexora-staging-prometheus sh -c");
        expect(APPLY_TARGETS_SCRIPT).toContain(`mv ${PROMETHEUS_TARGETS}.next ${PROMETHEUS_TARGETS}`);
        expect(apply.inputs.environment).toEqual({ DOCKER_HOST: "ssh://deploy@claw-bot" });
    });

    it("exports the backup's snapshot ages from its spool volume, read-only, when there are backups", async () => {
        const provider = dockerProvider();
        const spool = new docker.Volume("spool", { name: "nexora-staging-backup-spool" }, { provider });
        build({ provider, backupSpool: spool });
        await mocks.settled();
        const ne = container("node-exporter");
        expect(ne.inputs.command).toContain("--collector.textfile.directory=/spool/status");
        expect(ne.inputs.mounts).toEqual([expect.objectContaining({ source: "nexora-staging-backup-spool", target: "/spool", readOnly: true })]);
    });

    it("runs AutoKuma only with an Uptime Kuma login, on the admin network, its password secret", async () => {
        build({
            adminNetwork: "nexora-staging-admin",
            autokuma: {
                url: "http://nexora-staging-uptime:3001",
                username: "ops",
                password: pulumi.secret("kuma-password-0123456789"),
                monitors: [{ file: "http-pyerp.json", content: '{"type":"http"}\n' }],
            },
        });
        await mocks.settled();
        const k = container("autokuma");
        expect(networksOf("autokuma")).toEqual(["nexora-staging-admin"]);
        expect(envMap(k.inputs.envs as string[])).toMatchObject({ AUTOKUMA__KUMA__URL: "http://nexora-staging-uptime:3001", AUTOKUMA__KUMA__USERNAME: "ops" });
        expect(mocks.plaintextLeaks("kuma-password-0123456789")).toEqual([]);
        const apply = mocks.get("command:local:Command", "monitoring-kuma-monitors");
        expect(apply.inputs.stdin).toBe(`http-pyerp.json ${Buffer.from('{"type":"http"}\n').toString("base64")}\n`);
    });
});

describe("Grafana with monitoring", () => {
    it("provisions Prometheus as its default data source on the monitoring network", async () => {
        new Grafana("grafana", {
            host: testHost(),
            image: "grafana/grafana:12.4.11",
            url: "https://staging-grafana.nexora.restry.cn",
            database: databaseCredentials("grafana", "Pg0grafanaDbPassword0123456789ab"),
            prometheus: { url: "http://nexora-staging-prometheus:9090", network: MONITORING_NETWORK },
        });
        await mocks.settled();
        const g = mocks.get(T.container, "grafana-container");
        expect((g.inputs.networksAdvanced as { name: string }[]).map((n) => n.name)).toEqual([EDGE_NETWORK, DATA_NETWORK, MONITORING_NETWORK]);
        const file = (g.inputs.uploads as { file: string; content: string }[]).find((u) => u.file === GRAFANA_DATASOURCES_FILE)!;
        expect(parseYaml(file.content)).toEqual({
            apiVersion: 1,
            datasources: [
                {
                    name: "Prometheus",
                    uid: "nexora-prometheus",
                    type: "prometheus",
                    access: "proxy",
                    url: "http://nexora-staging-prometheus:9090",
                    isDefault: true,
                    editable: false,
                },
            ],
        });
    });
});
