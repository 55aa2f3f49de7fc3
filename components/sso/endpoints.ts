/** GitLab's OAuth2 / OpenID Connect endpoints and redirect URLs, from public URLs. Pure functions. */

export interface OidcEndpoints {
    /** The `iss` of GitLab's ID tokens: its external URL, without a trailing slash. */
    readonly issuer: string;
    readonly discoveryUrl: string;
    readonly authorizeUrl: string;
    readonly tokenUrl: string;
    readonly userinfoUrl: string;
    readonly jwksUrl: string;
}

/** Parses a public http(s) URL and returns it without trailing slashes; throws naming `what`. */
export function baseUrl(url: string, what: string): string {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new Error(`${what} must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
    }
    if ((parsed.protocol !== "https:" && parsed.protocol !== "http:") || parsed.search !== "" || parsed.hash !== "" || parsed.username !== "") {
        throw new Error(`${what} must be a plain http(s) URL without query, fragment or credentials, got ${JSON.stringify(url)}`);
    }
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}

/** GitLab's endpoints for its public URL (GitLab has no end-session endpoint). */
export function oidcEndpoints(gitlabUrl: string): OidcEndpoints {
    const base = baseUrl(gitlabUrl, "GitLab URL");
    return {
        issuer: base,
        discoveryUrl: `${base}/.well-known/openid-configuration`,
        authorizeUrl: `${base}/oauth/authorize`,
        tokenUrl: `${base}/oauth/token`,
        userinfoUrl: `${base}/oauth/userinfo`,
        jwksUrl: `${base}/oauth/discovery/keys`,
    };
}

/**
 * The redirect URL GitLab registers for a consumer: its public URL plus the consumer's callback
 * path. GitLab compares redirect URIs exactly, so both sides must be built by this function.
 */
export function ssoRedirectUrl(publicUrl: string, redirectPath: string): string {
    if (!redirectPath.startsWith("/") || /[\s?#]/.test(redirectPath)) {
        throw new Error(`redirect path must start with "/" and have no spaces, query or fragment, got ${JSON.stringify(redirectPath)}`);
    }
    return `${baseUrl(publicUrl, "consumer URL")}${redirectPath}`;
}
