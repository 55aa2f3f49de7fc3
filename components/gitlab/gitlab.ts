import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createServiceContainer } from "../docker/service";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import type { DatabaseCredentials } from "../postgres/postgres";
import { generatedPassword } from "../secrets/random";
import { renderGitlabOmnibusConfig } from "./omnibus";
import { servicePort, services } from "../catalog";
import type { HostContext } from "../docker/host";

export interface GitlabArgs {
    /** The Docker host: stack, provider, DOCKER_HOST, socket and networks. */
    readonly host: HostContext;
    readonly image: string;
    /** Public https URL, from the route table. */
    readonly externalUrl: string;
    /** DNS-only hostname and port users clone over SSH, from the route table. */
    readonly sshHost: string;
    readonly sshPort: number;
    /** Container registry URL when the registry is on. @default undefined — registry off */
    readonly registryExternalUrl?: string;
    /** Caddy's fixed address: the only peer GitLab trusts X-Forwarded-For from (not the edge subnet, where every container could forge it). */
    readonly caddyAddress: string;
    readonly database: DatabaseCredentials;
    /** Host port for SSH when the stack publishes one. @default 0 — not published */
    readonly publishSshPort?: number;
}

/**
 * GitLab CE (omnibus) on the shared PostgreSQL, behind Caddy. All settings go through
 * GITLAB_OMNIBUS_CONFIG, which omnibus re-applies on every start; it holds passwords, so the
 * whole env is secret. Creation waits until GitLab reports healthy (first boot takes minutes).
 */
export class Gitlab extends pulumi.ComponentResource {
    readonly containerName: string;
    readonly container: docker.Container;
    /** Generated password of the `root` user, set on first boot only. */
    readonly rootPassword: pulumi.Output<string>;
    /** GitLab's omnibus config text (secret), for `plan --out`. */
    readonly omnibusConfig: pulumi.Output<string>;

    constructor(name: string, args: GitlabArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:gitlab:Gitlab", name, {}, opts);
        this.containerName = dockerName(args.host.stack, services.gitlab.container);
        const root = generatedPassword(`${name}-root-password`, this);
        this.rootPassword = root.result;
        const volume = (purpose: string) =>
            persistentVolume({ stack: args.host.stack, service: services.gitlab.container, role: "platform", purpose }, this, args.host.provider);
        const config = volume("config");
        const data = volume("data");
        const logs = volume("logs");

        this.omnibusConfig = pulumi.secret(
            pulumi.all([args.database.password, root.result]).apply(([dbPassword, rootPassword]) =>
                renderGitlabOmnibusConfig({
                    externalUrl: args.externalUrl,
                    sshHost: args.sshHost,
                    sshPort: args.sshPort,
                    trustedProxies: [args.caddyAddress],
                    // The health check runs inside the container. Not the edge subnet: every client
                    // arrives from frpc's address there, so it would open /-/metrics to the internet.
                    monitoringWhitelist: ["127.0.0.0/8"],
                    database: {
                        host: args.database.host,
                        port: args.database.port,
                        username: args.database.username,
                        password: dbPassword,
                        name: args.database.database,
                    },
                    initialRootPassword: rootPassword,
                    registryExternalUrl: args.registryExternalUrl,
                }),
            ),
        );

        // What the component waits for comes in opts.dependsOn (the Pulumi idiom): the container is what waits.
        this.container = createServiceContainer(
            name,
            {
                stack: args.host.stack,
                service: services.gitlab.container,
                role: "platform",
                containerName: this.containerName,
                image: args.image,
                envs: [pulumi.interpolate`GITLAB_OMNIBUS_CONFIG=${this.omnibusConfig}`],
                // Omnibus runs sshd (privilege separation, chroot), runit and a dozen services: keep Docker's default set, unverified otherwise.
                capabilityDrops: [],
                noNewPrivileges: false,
                // Caddy reaches GitLab on the edge network; GitLab reaches PostgreSQL on the data network.
                networks: [args.host.networks.edge, args.host.networks.data],
                volumes: [
                    { volume: config, target: "/etc/gitlab" },
                    { volume: data, target: "/var/opt/gitlab" },
                    { volume: logs, target: "/var/log/gitlab" },
                ],
                publish: args.publishSshPort ? [{ internal: servicePort("gitlab", "ssh"), external: args.publishSshPort }] : [],
                // Omnibus stops Puma, Sidekiq (finishing running jobs) and Gitaly in turn: minutes, not seconds.
                stopGraceSeconds: 300,
                healthcheck: {
                    // The image's own checker: curls http://localhost:80/help through the bundled nginx
                    // (omnibus renders /opt/gitlab/etc/gitlab-healthcheck-rc with path '/help'), so it
                    // needs no monitoring whitelist; /-/health and friends stay loopback-only.
                    test: ["CMD", "/opt/gitlab/bin/gitlab-healthcheck", "--fail", "--max-time", "10"],
                    intervalSeconds: 30,
                    timeoutSeconds: 15,
                    retries: 10,
                    startPeriodSeconds: 600,
                },
                // First boot runs migrations for several minutes; a re-plan must not give up early.
                waitTimeoutSeconds: 1800,
                shmSizeMiB: 256,
            },
            this,
            { provider: args.host.provider, dependsOn: opts?.dependsOn },
        ).container;
        this.registerOutputs({ containerName: this.containerName });
    }
}
