/**
 * Which GitLab OAuth scopes and redirect path each consumer of GitLab single sign-on needs.
 * Plain data: the SSO component, the env builders and the tests read it.
 *
 * Scope choice rests on GitLab's OIDC claims (config/initializers/doorkeeper_openid_connect.rb):
 * every claim (sub, name, nickname, preferred_username, email, email_verified, groups...) is
 * issued under `openid`; the `email` scope only upgrades `email` from the public address (often
 * empty) to the primary one and makes `email_verified` reflect it. `profile` adds nothing.
 * An OAuth client must request no scope the application lacks (GitLab answers invalid_scope),
 * so each consumer below is also configured to request exactly these scopes.
 */

/** GitLab's OAuth application scopes, in GitLab's snake_case spelling. */
export type OAuthScope =
    | "openid"
    | "profile"
    | "email"
    | "read_user"
    | "read_api"
    | "api"
    | "read_repository"
    | "write_repository"
    | "read_registry"
    | "write_registry"
    | "sudo"
    | "admin_mode";

export const OAUTH_SCOPES: readonly OAuthScope[] = [
    "openid",
    "profile",
    "email",
    "read_user",
    "read_api",
    "api",
    "read_repository",
    "write_repository",
    "read_registry",
    "write_registry",
    "sudo",
    "admin_mode",
];

/** How one consumer signs in through GitLab. */
export interface ConsumerSso {
    /** Path on the consumer's public URL that GitLab redirects back to. */
    readonly redirectPath: string;
    /** The fewest scopes the consumer's login works with. */
    readonly scopes: readonly OAuthScope[];
}

export type KnownConsumer = "outline" | "grafana" | "portainer" | "mattermost";

export const SSO_CONSUMERS: { readonly [K in KnownConsumer]: ConsumerSso } = {
    // Outline's OIDC plugin: callback /auth/oidc.callback; refuses a login without an email claim.
    outline: { redirectPath: "/auth/oidc.callback", scopes: ["openid", "email"] },
    // Grafana's GitLab connector reads the ID token and rejects email_verified=false, which GitLab
    // sets from the primary address only with `email`; groups come from /oauth/userinfo (openid).
    grafana: { redirectPath: "/login/gitlab", scopes: ["openid", "email"] },
    // Portainer's custom OAuth provider redirects to Portainer's own URL and names users by
    // preferred_username from /oauth/userinfo.
    portainer: { redirectPath: "/", scopes: ["openid"] },
    // Mattermost's GitLab login always calls back to /signup/gitlab/complete and reads
    // GET /api/v4/user, which needs read_user (not OIDC).
    mattermost: { redirectPath: "/signup/gitlab/complete", scopes: ["read_user"] },
};

/**
 * A business app's default: what generic OIDC client libraries request unasked
 * (`openid profile email`), so the app works without scope settings of its own. `profile`
 * grants nothing beyond `openid` in GitLab.
 */
export const BUSINESS_APP_SSO_DEFAULT: ConsumerSso = { redirectPath: "/oauth/callback", scopes: ["openid", "profile", "email"] };

/** Space-separated scope list, the form OAuth clients are configured with. */
export function scopeString(scopes: readonly OAuthScope[]): string {
    return scopes.join(" ");
}

/** Checks a scope list: non-empty, known scopes, no duplicates. Returns it unchanged. */
export function validateScopes(scopes: readonly string[], what: string): readonly OAuthScope[] {
    if (scopes.length === 0) throw new Error(`${what}: at least one GitLab OAuth scope is needed`);
    const unknown = scopes.filter((s) => !(OAUTH_SCOPES as readonly string[]).includes(s));
    if (unknown.length > 0) throw new Error(`${what}: unknown GitLab OAuth scope(s) ${unknown.join(", ")} (known: ${OAUTH_SCOPES.join(", ")})`);
    if (new Set(scopes).size !== scopes.length) throw new Error(`${what}: duplicate scopes in ${scopes.join(", ")}`);
    return scopes as readonly OAuthScope[];
}
