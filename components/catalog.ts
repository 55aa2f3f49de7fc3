import type { PlatformFeatures, PlatformSettings } from "./config";
import { gitlabHttpPort, gitlabRegistryHttpPort } from "./gitlab/omnibus";

/**
 * The service catalog: which web services a stack runs, on which subdomain and port.
 * The route table (edge/routes.ts) is built from this and the stack's apps.
 */

export interface WebServiceSpec {
    /** Catalog key; also the container's service name. */
    readonly key: string;
    /** The `{service}` part of the hostname. */
    readonly subdomain: string;
    /** Port the service listens on in its container. */
    readonly port: number;
    /** Whether the stack runs it, from the stack's feature switches. */
    readonly enabled: (f: PlatformFeatures) => boolean;
    readonly maxRequestBodyMiB?: number;
    /** Admin UI kept behind the edge basic auth. */
    readonly restricted: boolean;
    /** Container that serves it, when not the service's own (the registry lives in GitLab). */
    readonly container?: string;
}

export const GITLAB_SSH_SUBDOMAIN = "git";

export const webServices: readonly WebServiceSpec[] = [
    // Git pushes and LFS uploads can be large: GitLab enforces its own per-project limits.
    { key: "gitlab", subdomain: "gitlab", port: gitlabHttpPort, enabled: (f) => f.gitlab, maxRequestBodyMiB: 5120, restricted: false },
    { key: "outline", subdomain: "outline", port: 3000, enabled: (f) => f.outline, maxRequestBodyMiB: 100, restricted: false },
    // Uptime Kuma creates its admin on first visit: never leave that page open to the internet.
    { key: "uptime", subdomain: "uptime", port: 3001, enabled: (f) => f.uptimeKuma, maxRequestBodyMiB: 10, restricted: true },
    // Portainer is root on the Docker host, but it starts with a generated admin and logs users
    // in through GitLab: a second (basic-auth) login in front would only get in the way.
    { key: "portainer", subdomain: "portainer", port: 9000, enabled: (f) => f.portainer, maxRequestBodyMiB: 100, restricted: false },
    { key: "portal", subdomain: "www", port: 80, enabled: (f) => f.portal, maxRequestBodyMiB: 10, restricted: false },
    { key: "grafana", subdomain: "grafana", port: 3000, enabled: (f) => f.grafana, maxRequestBodyMiB: 10, restricted: false },
    {
        key: "registry",
        subdomain: "registry",
        port: gitlabRegistryHttpPort,
        enabled: (f) => f.registry,
        // Image layers are large; the registry checks auth itself.
        maxRequestBodyMiB: undefined,
        restricted: false,
        container: "gitlab",
    },
];

/** Names apps may not take: every service key and subdomain of the platform, and internal containers. */
export const coreServiceKeys: readonly string[] = [
    ...new Set([
        ...webServices.flatMap((s) => [s.key, s.subdomain]),
        GITLAB_SSH_SUBDOMAIN,
        "ssh",
        "postgres",
        "redis",
        "mysql",
        "caddy",
        "frpc",
        "gitlab-runner",
        "runner",
        "mattermost",
    ]),
].sort();

/** Applies the stack's hostname pattern to a subdomain. */
export function hostnameFor(settings: Pick<PlatformSettings, "hostnamePattern" | "baseDomain">, subdomain: string): string {
    return settings.hostnamePattern.replace("{service}", subdomain).replace("{domain}", settings.baseDomain);
}
