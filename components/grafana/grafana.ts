import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { createServiceContainer, withExtraEnv } from "../docker/service";
import { INTERNAL_CA_FILE, type InternalCa, internalCaUploads } from "../edge/internal-ca";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import type { DatabaseCredentials } from "../postgres/postgres";
import { generatedPassword } from "../secrets/random";
import { servicePort, services } from "../catalog";
import type { HostContext } from "../docker/host";

export interface GrafanaArgs {
    /** The Docker host: stack, provider, DOCKER_HOST, socket and networks. */
    readonly host: HostContext;
    readonly image: string;
    /** Public https URL, from the route table. */
    readonly url: string;
    readonly database: DatabaseCredentials;
    /** GitLab OAuth settings ("KEY=value") from the SSO component. @default none */
    readonly oauthEnv?: pulumi.Input<pulumi.Input<string>[]>;
    /** Caddy's internal CA, trusted for the token exchange with GitLab (`tls internal` stacks). @default none */
    readonly internalCa?: InternalCa;
    /** Prometheus as a provisioned data source, on the monitoring network. @default none */
    readonly prometheus?: { readonly url: string; readonly network: pulumi.Input<string> };
}

/** Where Grafana reads provisioned data sources. */
export const GRAFANA_DATASOURCES_FILE = "/etc/grafana/provisioning/datasources/nexora-prometheus.yaml";

/** The provisioned data source: Prometheus, the default, not editable in the UI (config is code). */
export function renderGrafanaDatasource(prometheusUrl: string): string {
    if (!/^http:\/\/[a-z0-9.-]+:\d+$/.test(prometheusUrl)) throw new Error(`grafana: Prometheus URL ${JSON.stringify(prometheusUrl)} is not http://host:port`);
    return stringify({
        apiVersion: 1,
        datasources: [
            { name: "Prometheus", uid: "nexora-prometheus", type: "prometheus", access: "proxy", url: prometheusUrl, isDefault: true, editable: false },
        ],
    });
}

/** Grafana (roadmap; `grafanaEnabled`) on the shared PostgreSQL, never with its admin/admin default. */
export class Grafana extends pulumi.ComponentResource {
    /** The service's data volume (the backup mounts it read-only). */
    readonly dataVolume: docker.Volume;
    readonly containerName: string;
    readonly container: docker.Container;
    readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:grafana:Grafana", name, {}, opts);
        const spec = services.grafana;
        this.containerName = dockerName(args.host.stack, spec.container);
        const admin = generatedPassword(`${name}-admin-password`, this);
        this.adminPassword = admin.result;
        const data = (this.dataVolume = persistentVolume(
            { stack: args.host.stack, service: spec.container, role: "platform", purpose: "data" },
            this,
            args.host.provider,
        ));
        const db = args.database;
        const baseEnv: pulumi.Input<string>[] = [
            `GF_SERVER_ROOT_URL=${args.url}`,
            // [server] http_port: Grafana listens on the catalog's port (its health check and route read it too).
            `GF_SERVER_HTTP_PORT=${servicePort("grafana")}`,
            "GF_SECURITY_ADMIN_USER=admin",
            pulumi.interpolate`GF_SECURITY_ADMIN_PASSWORD=${admin.result}`,
            "GF_DATABASE_TYPE=postgres",
            `GF_DATABASE_HOST=${db.host}:${db.port}`,
            `GF_DATABASE_NAME=${db.database}`,
            `GF_DATABASE_USER=${db.username}`,
            pulumi.interpolate`GF_DATABASE_PASSWORD=${db.password}`,
            "GF_DATABASE_SSL_MODE=disable",
            "GF_ANALYTICS_REPORTING_ENABLED=false",
            "GF_USERS_ALLOW_SIGN_UP=false",
        ];
        // [auth.gitlab] tls_client_ca: the CA list Grafana's GitLab client trusts.
        if (args.internalCa) baseEnv.push(`GF_AUTH_GITLAB_TLS_CLIENT_CA=${INTERNAL_CA_FILE}`);
        const envs = withExtraEnv(baseEnv, args.oauthEnv);
        // What the component waits for comes in opts.dependsOn (the Pulumi idiom): the container is what waits.
        this.container = createServiceContainer(
            name,
            {
                stack: args.host.stack,
                service: spec.container,
                role: "platform",
                containerName: this.containerName,
                image: args.image,
                envs,
                networks: [args.host.networks.edge, args.host.networks.data, ...(args.prometheus ? [args.prometheus.network] : [])],
                volumes: [{ volume: data, target: "/var/lib/grafana" }],
                uploads: args.prometheus
                    ? [...(internalCaUploads(args.internalCa) ?? []), { file: GRAFANA_DATASOURCES_FILE, content: renderGrafanaDatasource(args.prometheus.url) }]
                    : internalCaUploads(args.internalCa),
                // Grafana closes its database connections cleanly.
                stopGraceSeconds: 30,
                healthcheck: { test: ["CMD-SHELL", `wget -qO- http://127.0.0.1:${servicePort("grafana")}/api/health || exit 1`], startPeriodSeconds: 30 },
            },
            this,
            { provider: args.host.provider, dependsOn: opts?.dependsOn },
        ).container;
        this.registerOutputs({ containerName: this.containerName });
    }
}
