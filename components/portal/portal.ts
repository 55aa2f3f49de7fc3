import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createReleasedContainer, type ReleaseArgs } from "../docker/release";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import { servicePort, services } from "../catalog";
import { isPort } from "../validators";
import type { HostContext } from "../docker/host";

export interface PortalArgs {
    /** The Docker host: stack, provider, DOCKER_HOST, socket and networks. */
    readonly host: HostContext;
    readonly image: string;
    /** Caddy's container and its reload, which the release's switch follows. */
    readonly edge: ReleaseArgs["edge"];
}

/** Seconds a portal release waits for nginx's health check: it starts in about a second. */
const PORTAL_RELEASE_TIMEOUT_SECONDS = 60;

/** Where the portal's static files live; the portal project's own pipeline publishes into it. */
export const PORTAL_CONTENT_DIR = "/usr/share/nginx/html";

/** The server block of the nginx image: its nginx.conf includes every `conf.d/*.conf`. */
const PORTAL_SERVER_CONF = "/etc/nginx/conf.d/default.conf";

/**
 * The portal's nginx server, in place of the image's `default.conf` (which listens on 80): it
 * listens on the catalog's port, so the health check and Caddy's route, which read the same
 * port, reach it. IPv4 only: Caddy reaches it on the Docker network's IPv4 address.
 */
export function renderPortalServerConf(port: number): string {
    if (!isPort(port)) throw new Error(`portal: not a TCP port: ${port}`);
    return [
        "# Rendered by the Nexora program: the portal's static site.",
        "server {",
        `    listen ${port} default_server;`,
        "    server_name _;",
        `    root ${PORTAL_CONTENT_DIR};`,
        "    index index.html;",
        "}",
        "",
    ].join("\n");
}

/**
 * The company portal: a static site served by nginx from a content volume, so publishing a new
 * version of the site is a file copy, not a container replacement.
 */
export class Portal extends pulumi.ComponentResource {
    readonly containerName: string;
    readonly container: docker.Container;
    readonly contentVolume: docker.Volume;

    constructor(name: string, args: PortalArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:portal:Portal", name, {}, opts);
        const spec = services.portal;
        this.containerName = dockerName(args.host.stack, spec.container);
        this.contentVolume = persistentVolume(
            { stack: args.host.stack, service: spec.container, role: "platform", purpose: "content" },
            this,
            args.host.provider,
        );
        this.container = createReleasedContainer(
            name,
            {
                stack: args.host.stack,
                service: spec.container,
                role: "platform",
                containerName: this.containerName,
                image: args.image,
                networks: [args.host.networks.edge],
                volumes: [{ volume: this.contentVolume, target: PORTAL_CONTENT_DIR, readOnly: true }],
                uploads: [{ file: PORTAL_SERVER_CONF, content: renderPortalServerConf(servicePort("portal")) }],
                healthcheck: { test: ["CMD-SHELL", `wget -q --spider http://127.0.0.1:${servicePort("portal")}/ || exit 1`], startPeriodSeconds: 5 },
                memoryMiB: 128,
            },
            {
                service: spec.container,
                port: servicePort("portal"),
                timeoutSeconds: PORTAL_RELEASE_TIMEOUT_SECONDS,
                dockerHost: args.host.dockerHost,
                edge: args.edge,
            },
            this,
            { provider: args.host.provider },
        ).container;
        this.registerOutputs({ containerName: this.containerName });
    }
}
