/**
 * Consumer settings for GitLab single sign-on, as container env entries ("KEY=value"). Pure:
 * public URLs and the client credentials in, entries out. Entries holding a credential are
 * secret Outputs, so a consumer's env list (and its state) stays secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { type OAuthScope, scopeString, SSO_CONSUMERS, validateScopes } from "./consumers";
import { baseUrl, oidcEndpoints } from "./endpoints";

export interface OAuthClientCredentials {
    /** GitLab's public URL (from the route table). */
    readonly gitlabUrl: string;
    readonly clientId: pulumi.Input<string>;
    readonly clientSecret: pulumi.Input<string>;
}

function secretEntry(key: string, value: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.secret(pulumi.interpolate`${key}=${value}`);
}

/** Outline caps the OIDC button label at 50 characters. */
export const OUTLINE_DISPLAY_NAME_MAX = 50;

export interface OutlineOidcOptions extends OAuthClientCredentials {
    /** Label of Outline's login button. @default "GitLab" */
    readonly displayName?: string;
    /** Must equal the application's scopes. @default SSO_CONSUMERS.outline.scopes */
    readonly scopes?: readonly OAuthScope[];
}

/**
 * Outline's generic OIDC settings pointed at GitLab. Outline enables OIDC when client id, secret
 * and the three endpoints are set; usernames come from GitLab's `preferred_username`.
 */
export function outlineOidcEnv(opts: OutlineOidcOptions): pulumi.Input<string>[] {
    const displayName = opts.displayName ?? "GitLab";
    if (displayName.trim() === "" || displayName.length > OUTLINE_DISPLAY_NAME_MAX || /[\r\n]/.test(displayName)) {
        throw new Error(`Outline OIDC display name must be 1-${OUTLINE_DISPLAY_NAME_MAX} characters on one line, got ${JSON.stringify(displayName)}`);
    }
    const scopes = validateScopes(opts.scopes ?? SSO_CONSUMERS.outline.scopes, "Outline OIDC scopes");
    const ep = oidcEndpoints(opts.gitlabUrl);
    return [
        secretEntry("OIDC_CLIENT_ID", opts.clientId),
        secretEntry("OIDC_CLIENT_SECRET", opts.clientSecret),
        `OIDC_AUTH_URI=${ep.authorizeUrl}`,
        `OIDC_TOKEN_URI=${ep.tokenUrl}`,
        `OIDC_USERINFO_URI=${ep.userinfoUrl}`,
        "OIDC_USERNAME_CLAIM=preferred_username",
        `OIDC_DISPLAY_NAME=${displayName}`,
        `OIDC_SCOPES=${scopeString(scopes)}`,
    ];
}

export interface GrafanaGitlabOptions extends OAuthClientCredentials {
    /**
     * Full paths of the GitLab groups whose members may sign in (direct membership).
     * @default [] — every GitLab user may sign in
     */
    readonly allowedGroups?: readonly string[];
    /**
     * Create a Grafana user (Viewer) on a GitLab user's first login.
     * @default true
     */
    readonly allowSignUp?: boolean;
    /**
     * Hide Grafana's username/password form so GitLab is the only interactive login. The
     * generated admin keeps API basic auth; set false to get the form back for break-glass.
     * @default true
     */
    readonly disableLoginForm?: boolean;
    /** Must equal the application's scopes. @default SSO_CONSUMERS.grafana.scopes */
    readonly scopes?: readonly OAuthScope[];
}

const GITLAB_GROUP_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

/**
 * Grafana's built-in GitLab connector (`[auth.gitlab]` as GF_AUTH_GITLAB_*), not generic OAuth:
 * it understands GitLab groups for `allowed_groups`. Grafana's root URL must be its public URL
 * (GF_SERVER_ROOT_URL) for the `/login/gitlab` redirect to match the application.
 */
export function grafanaGitlabEnv(opts: GrafanaGitlabOptions): pulumi.Input<string>[] {
    const scopes = validateScopes(opts.scopes ?? SSO_CONSUMERS.grafana.scopes, "Grafana GitLab scopes");
    const groups = opts.allowedGroups ?? [];
    const bad = groups.filter((g) => !GITLAB_GROUP_PATH.test(g));
    if (bad.length > 0)
        throw new Error(`Grafana allowed groups must be GitLab group paths like "nexora/dev", got ${bad.map((g) => JSON.stringify(g)).join(", ")}`);
    const ep = oidcEndpoints(opts.gitlabUrl);
    const env: pulumi.Input<string>[] = [
        "GF_AUTH_GITLAB_ENABLED=true",
        "GF_AUTH_GITLAB_NAME=GitLab",
        secretEntry("GF_AUTH_GITLAB_CLIENT_ID", opts.clientId),
        secretEntry("GF_AUTH_GITLAB_CLIENT_SECRET", opts.clientSecret),
        `GF_AUTH_GITLAB_SCOPES=${scopeString(scopes)}`,
        `GF_AUTH_GITLAB_AUTH_URL=${ep.authorizeUrl}`,
        `GF_AUTH_GITLAB_TOKEN_URL=${ep.tokenUrl}`,
        `GF_AUTH_GITLAB_API_URL=${baseUrl(opts.gitlabUrl, "GitLab URL")}/api/v4`,
        `GF_AUTH_GITLAB_ALLOW_SIGN_UP=${opts.allowSignUp ?? true}`,
        "GF_AUTH_GITLAB_USE_PKCE=true",
    ];
    if (groups.length > 0) env.push(`GF_AUTH_GITLAB_ALLOWED_GROUPS=${groups.join(",")}`);
    if (opts.disableLoginForm ?? true) env.push("GF_AUTH_DISABLE_LOGIN_FORM=true");
    return env;
}

/**
 * Settings for Mattermost's GitLab login (runs outside this program): its environment-variable
 * form of `GitLabSettings`, for a secret stack output. `Scope` matters: Mattermost sends none
 * by default, and GitLab then asks for its default scope, which the application does not grant.
 */
export function mattermostGitlabSettings(opts: OAuthClientCredentials & { readonly scopes?: readonly OAuthScope[] }): pulumi.Output<Record<string, string>> {
    const scopes = validateScopes(opts.scopes ?? SSO_CONSUMERS.mattermost.scopes, "Mattermost GitLab scopes");
    const ep = oidcEndpoints(opts.gitlabUrl);
    return pulumi.secret(
        pulumi.all([opts.clientId, opts.clientSecret]).apply(([id, secret]): Record<string, string> => ({
            MM_GITLABSETTINGS_ENABLE: "true",
            MM_GITLABSETTINGS_ID: id,
            MM_GITLABSETTINGS_SECRET: secret,
            MM_GITLABSETTINGS_SCOPE: scopeString(scopes),
            MM_GITLABSETTINGS_AUTHENDPOINT: ep.authorizeUrl,
            MM_GITLABSETTINGS_TOKENENDPOINT: ep.tokenUrl,
            MM_GITLABSETTINGS_USERAPIENDPOINT: `${ep.issuer}/api/v4/user`,
        })),
    );
}

/**
 * What a business app with `sso` gets: OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET and OAUTH_ISSUER
 * (GitLab's issuer, from which any OIDC library discovers the endpoints).
 */
export function appOauthEnv(opts: OAuthClientCredentials): pulumi.Input<string>[] {
    return [
        secretEntry("OAUTH_CLIENT_ID", opts.clientId),
        secretEntry("OAUTH_CLIENT_SECRET", opts.clientSecret),
        `OAUTH_ISSUER=${oidcEndpoints(opts.gitlabUrl).issuer}`,
    ];
}
