import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { HostContext } from "../docker/host";
import { GitlabAdminToken, gitlabApiBaseUrl } from "../gitlab/admin-token";
import { Provider as GitlabProvider } from "../gitlab/provider";
import { SsoApplication, type SsoApplicationArgs } from "../sso/application";
import { OAuthScope, SSO_CONSUMERS } from "../sso/consumers";
import { ssoRedirectUrl } from "../sso/endpoints";
import { PortainerOAuthSettings } from "../sso/portainer";
import { appOauthEnv, grafanaGitlabEnv, mattermostGitlabSettings, outlineOidcEnv } from "../sso/env";
import { GitlabPublicReadiness } from "./public-readiness";

export interface IdentityArgs {
    /** The stack and its Docker host: the admin token and the readiness gate run their commands there. */
    readonly host: HostContext;
    /** GitLab's public URL, from the route table. */
    readonly gitlabUrl: string;
    /** Outline's and Grafana's public URLs, from the route table, when the stack runs them. */
    readonly outlineUrl?: string;
    /** Outline's application already registered in GitLab (an adopted deployment): imported, not created. */
    readonly existingOutlineApplication?: { readonly importId: string; readonly clientSecret: pulumi.Output<string> };
    readonly grafanaUrl?: string;
    /** The GitLab container; created with `wait`, so it exists only once GitLab is healthy. */
    readonly gitlabContainer: docker.Container;
    /** Token of an existing GitLab (from `nexora:gitlabApiToken`); when absent one is minted. */
    readonly existingApiToken?: pulumi.Output<string>;
    /** Changing it rotates the minted token. */
    readonly tokenRotation: string;
    /**
     * Skip the gitlab provider's TLS verification: GitLab's certificate comes from Caddy's internal CA,
     * which the machine running Pulumi does not trust. The readiness gate still verifies, against
     * that CA read from `caddyContainerName`.
     */
    readonly insecureTls: boolean;
    /** Caddy's container; with `insecureTls` the readiness gate trusts Caddy's internal root CA read from it. */
    readonly caddyContainerName?: pulumi.Input<string>;
    /** Portainer, whose OAuth settings are set through its API, run from `apiClientImage` (a pinned curl image). */
    readonly portainer?: {
        readonly url: string;
        readonly container: docker.Container;
        readonly adminPassword: pulumi.Output<string>;
        readonly apiClientImage?: string;
        /** What must have run before the admin logs in with adminPassword (the rotation of an adopted one). */
        readonly ready?: readonly pulumi.Resource[];
    };
    /**
     * Caddy's config, DNS records and tunnel: what GitLab's public URL needs. A readiness gate runs
     * after them and waits until GitLab answers there over verified TLS; the gitlab provider waits for the gate.
     */
    readonly publicPath?: readonly pulumi.Resource[];
    /** External Mattermost origin to register, if any. */
    readonly mattermostUrl?: string;
    /** Business apps with SSO: redirect URL from the route table plus their scopes. */
    readonly apps: readonly { readonly key: string; readonly redirectUrl: string; readonly scopes: readonly OAuthScope[] }[];
}

/**
 * GitLab as the platform's identity provider: API access for the gitlab provider (a minted
 * admin token, or the configured one), then one confidential OAuth application per consumer,
 * whose client id and secret flow as secrets into the consumer's settings.
 */
export class Identity extends pulumi.ComponentResource {
    readonly provider: GitlabProvider;
    /** The gitlab provider's admin API token (secret): the configured one, or the minted one once GitLab accepted it. */
    readonly apiToken: pulumi.Output<string>;
    readonly outlineEnv?: pulumi.Input<string>[];
    readonly grafanaEnv?: pulumi.Input<string>[];
    readonly appEnv: Readonly<Record<string, pulumi.Input<string>[]>>;
    readonly mattermost?: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: IdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        if (args.insecureTls && args.caddyContainerName === undefined) {
            throw new Error("Identity: insecureTls (Caddy's internal CA) needs caddyContainerName, so the readiness gate can trust that CA");
        }
        super("nexora:identity:Identity", name, {}, opts);
        const token =
            args.existingApiToken ??
            new GitlabAdminToken(
                `${name}-admin-token`,
                { containerName: args.gitlabContainer.name, dockerHost: args.host.dockerHost, rotationTrigger: args.tokenRotation },
                { parent: this, dependsOn: [args.gitlabContainer] },
            ).token;
        this.apiToken = pulumi.secret(token);
        // Caddy obtains certificates after its reload and frpc registers names after its apply returns:
        // only a request over the public route proves the provider's calls will get through.
        const ready = new GitlabPublicReadiness(
            `${name}-public-ready`,
            {
                gitlabUrl: args.gitlabUrl,
                dockerHost: args.host.dockerHost,
                internalCaFromCaddy: args.insecureTls ? args.caddyContainerName : undefined,
                triggers: [args.gitlabContainer.id],
            },
            { parent: this, dependsOn: [args.gitlabContainer, ...(args.publicPath ?? [])] },
        );
        this.provider = new GitlabProvider(
            `${name}-gitlab`,
            { baseUrl: gitlabApiBaseUrl(args.gitlabUrl), token, insecure: args.insecureTls, retries: 5 },
            // A configured token still needs GitLab up, and reachable by its public name, before the first application.
            { parent: this, dependsOn: [args.gitlabContainer, ready.gate] },
        );
        const application = (consumer: string, redirectUrl: string, scopes: readonly OAuthScope[], existing?: SsoApplicationArgs["existing"]) =>
            new SsoApplication(
                `${name}-${consumer}`,
                { consumer, redirectUrl, scopes, provider: this.provider, stack: args.host.stack, existing },
                { parent: this },
            );
        const gitlabUrl = args.gitlabUrl;

        if (args.outlineUrl) {
            const outline = application(
                "outline",
                ssoRedirectUrl(args.outlineUrl, SSO_CONSUMERS.outline.redirectPath),
                SSO_CONSUMERS.outline.scopes,
                args.existingOutlineApplication,
            );
            this.outlineEnv = outlineOidcEnv({ gitlabUrl, clientId: outline.clientId, clientSecret: outline.clientSecret });
        }

        if (args.grafanaUrl) {
            const grafana = application("grafana", ssoRedirectUrl(args.grafanaUrl, SSO_CONSUMERS.grafana.redirectPath), SSO_CONSUMERS.grafana.scopes);
            this.grafanaEnv = grafanaGitlabEnv({ gitlabUrl, clientId: grafana.clientId, clientSecret: grafana.clientSecret });
        }
        if (args.portainer) {
            const portainer = application(
                "portainer",
                ssoRedirectUrl(args.portainer.url, SSO_CONSUMERS.portainer.redirectPath),
                SSO_CONSUMERS.portainer.scopes,
            );
            new PortainerOAuthSettings(
                `${name}-portainer-oauth`,
                {
                    dockerHost: args.host.dockerHost,
                    portainerContainer: args.portainer.container.name,
                    adminPassword: args.portainer.adminPassword,
                    gitlabUrl,
                    redirectUrl: portainer.redirectUrl,
                    clientId: portainer.clientId,
                    clientSecret: portainer.clientSecret,
                    clientImage: args.portainer.apiClientImage,
                },
                { parent: this, dependsOn: [args.portainer.container, ...(args.portainer.ready ?? [])] },
            );
        }
        if (args.mattermostUrl) {
            const mm = application("mattermost", ssoRedirectUrl(args.mattermostUrl, SSO_CONSUMERS.mattermost.redirectPath), SSO_CONSUMERS.mattermost.scopes);
            this.mattermost = mattermostGitlabSettings({ gitlabUrl, clientId: mm.clientId, clientSecret: mm.clientSecret });
        }
        // Null prototype: an app may be named "constructor" or "toString".
        const appEnv: Record<string, pulumi.Input<string>[]> = Object.create(null) as Record<string, pulumi.Input<string>[]>;
        for (const app of args.apps) {
            const client = application(`app-${app.key}`, app.redirectUrl, app.scopes);
            appEnv[app.key] = appOauthEnv({ gitlabUrl, clientId: client.clientId, clientSecret: client.clientSecret });
        }
        this.appEnv = appEnv;
        this.registerOutputs({});
    }
}
