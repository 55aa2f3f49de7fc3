import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createServiceContainer } from "../docker/service";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import { DOCKER_SOCKET } from "../portainer/portainer";

export interface GitlabRunnerArgs {
    readonly stack: string;
    readonly image: string;
    readonly provider: docker.Provider;
    readonly edgeNetwork: pulumi.Input<string>;
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * GitLab Runner (roadmap; `runnerEnabled`) with the Docker executor on the host's Docker.
 * Its registration (config.toml with the runner token) lives on the config volume.
 */
export class GitlabRunner extends pulumi.ComponentResource {
    readonly containerName: string;
    readonly container: docker.Container;

    constructor(name: string, args: GitlabRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:runner:GitlabRunner", name, {}, opts);
        this.containerName = dockerName(args.stack, "gitlab-runner");
        const config = persistentVolume({ stack: args.stack, service: "gitlab-runner", role: "platform", purpose: "config" }, this, args.provider);
        this.container = createServiceContainer(
            name,
            {
                stack: args.stack,
                service: "gitlab-runner",
                role: "platform",
                containerName: this.containerName,
                image: args.image,
                networks: [args.edgeNetwork],
                volumes: [{ volume: config, target: "/etc/gitlab-runner" }],
                binds: [{ source: DOCKER_SOCKET, target: DOCKER_SOCKET }],
                healthcheck: { test: ["CMD-SHELL", "pgrep -f 'gitlab-runner run' >/dev/null || exit 1"], startPeriodSeconds: 20 },
            },
            this,
            { provider: args.provider, dependsOn: args.dependsOn },
        ).container;
        this.registerOutputs({ containerName: this.containerName });
    }
}
