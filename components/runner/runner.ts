import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerExec, shellQuote } from "../docker/exec";
import { createServiceContainer } from "../docker/service";
import { Provider as GitlabProvider, UserRunner } from "../gitlab/provider";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import { DOCKER_SOCKET } from "../portainer/portainer";
import { services } from "../catalog";
import type { HostContext } from "../docker/host";

export interface GitlabRunnerArgs {
    /** The Docker host: stack, provider, DOCKER_HOST, socket and networks. */
    readonly host: HostContext;
    readonly image: string;
    /** GitLab's public URL, which the runner polls for jobs. */
    readonly gitlabUrl: string;
    /** gitlab provider with an admin token: the runner is an instance runner. */
    readonly gitlabProvider: GitlabProvider;
    /** Image of jobs that do not name one. @default "alpine:3.22" */
    readonly defaultJobImage?: string;
}

/** Registers the runner with the token on stdin (gitlab-runner reads CI_SERVER_TOKEN): never on a command line. */
export function runnerRegisterScript(name: string, gitlabUrl: string, jobImage: string): string {
    return [
        "set -e",
        // The token arrives without a trailing newline: `read` then returns 1 although it read it.
        'read -r CI_SERVER_TOKEN || [ -n "$CI_SERVER_TOKEN" ]',
        "export CI_SERVER_TOKEN",
        // Re-registering (a new token) must not leave the old entry polling with a revoked token.
        `gitlab-runner unregister --name ${shellQuote(name)} >/dev/null 2>&1 || true`,
        `gitlab-runner register --non-interactive --name ${shellQuote(name)} --url ${shellQuote(gitlabUrl)} --executor docker --docker-image ${shellQuote(jobImage)} >&2`,
    ].join("\n");
}

/**
 * GitLab Runner (roadmap; `runnerEnabled`) with the Docker executor on the host's Docker. GitLab
 * issues the runner's token (UserRunner); registering writes config.toml on the config volume.
 */
export class GitlabRunner extends pulumi.ComponentResource {
    readonly containerName: string;
    readonly container: docker.Container;

    constructor(name: string, args: GitlabRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:runner:GitlabRunner", name, {}, opts);
        const spec = services.gitlabRunner;
        this.containerName = dockerName(args.host.stack, spec.container);
        const config = persistentVolume({ stack: args.host.stack, service: spec.container, role: "platform", purpose: "config" }, this, args.host.provider);
        this.container = createServiceContainer(
            name,
            {
                stack: args.host.stack,
                service: spec.container,
                role: "platform",
                containerName: this.containerName,
                image: args.image,
                networks: [args.host.networks.edge],
                volumes: [{ volume: config, target: "/etc/gitlab-runner" }],
                binds: [{ source: args.host.socketPath, target: DOCKER_SOCKET }],
                // The Ubuntu-based image has no procps; `list` proves the binary runs and its config reads.
                // The runner stops taking jobs and lets running ones end, within this bound.
                stopGraceSeconds: 60,
                healthcheck: { test: ["CMD-SHELL", "gitlab-runner list >/dev/null 2>&1 || exit 1"], startPeriodSeconds: 20 },
            },
            this,
            { provider: args.host.provider },
        ).container;
        const runnerName = dockerName(args.host.stack, "docker-runner");
        const runner = new UserRunner(
            `${name}-registration`,
            { runnerType: "instance_type", description: runnerName, tagLists: ["docker", args.host.stack], untagged: true, accessLevel: "not_protected" },
            { parent: this, provider: args.gitlabProvider },
        );
        dockerExec(
            `${name}-register`,
            {
                dockerHost: args.host.dockerHost,
                containerName: this.container.name,
                script: runnerRegisterScript(runnerName, args.gitlabUrl, args.defaultJobImage ?? "alpine:3.22"),
                stdin: runner.token,
            },
            { parent: this, dependsOn: [this.container] },
        );
        this.registerOutputs({ containerName: this.containerName });
    }
}
