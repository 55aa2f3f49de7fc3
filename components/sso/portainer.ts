import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { shellQuote } from "../docker/exec";
import { DEFAULT_IMAGES } from "../images";
import { type OAuthScope, scopeString, SSO_CONSUMERS, validateScopes } from "./consumers";
import { oidcEndpoints } from "./endpoints";
import { servicePort } from "../catalog";
import { isPort } from "../validators";

/**
 * Runs the API calls next to Portainer: the Portainer image has no HTTP client that can PUT,
 * and the public route would make the settings depend on DNS, the relay and ACME. Pinned in the
 * image list (`nexora:images.portainerApiClient`), like every image the program runs.
 */
export const PORTAINER_API_CLIENT_IMAGE = DEFAULT_IMAGES.portainerApiClient;

/** Portainer's `AuthenticationMethod`: 1 internal, 2 LDAP, 3 OAuth. */
export const PORTAINER_AUTH_INTERNAL = 1;
export const PORTAINER_AUTH_OAUTH = 3;

export interface PortainerOAuthPayloadOptions {
    readonly gitlabUrl: string;
    /** Portainer's public URL exactly as registered in GitLab. */
    readonly redirectUrl: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly scopes: readonly OAuthScope[];
    readonly autoCreateUsers: boolean;
}

/**
 * Body of `PUT /api/settings` that switches Portainer CE to its custom OAuth provider pointed at
 * GitLab (field names of Portainer's `OAuthSettings`). Users are identified by their GitLab
 * username; GitLab has no end-session endpoint, so logout stays local.
 */
export function portainerOAuthSettingsPayload(opts: PortainerOAuthPayloadOptions): Record<string, unknown> {
    const ep = oidcEndpoints(opts.gitlabUrl);
    return {
        AuthenticationMethod: PORTAINER_AUTH_OAUTH,
        OAuthSettings: {
            ClientID: opts.clientId,
            ClientSecret: opts.clientSecret,
            AuthorizationURI: ep.authorizeUrl,
            AccessTokenURI: ep.tokenUrl,
            ResourceURI: ep.userinfoUrl,
            RedirectURI: opts.redirectUrl,
            UserIdentifier: "preferred_username",
            Scopes: scopeString(validateScopes(opts.scopes, "Portainer OAuth scopes")),
            OAuthAutoCreateUsers: opts.autoCreateUsers,
            DefaultTeamID: 0,
            // A user already signed in to GitLab is not asked again.
            SSO: true,
            LogoutURI: "",
            // 0: let the OAuth library detect how GitLab wants the client credentials.
            AuthStyle: 0,
        },
    };
}

/**
 * Shell run in the API client container: logs in as Portainer's admin (retrying while Portainer
 * starts), then PUTs `payload` to /api/settings. Credentials come from the environment and go
 * to curl on stdin or in a header file, never as arguments.
 */
export function portainerSettingsScript(payload: "from-env" | "internal-auth"): string {
    const body = payload === "from-env" ? `"$PORTAINER_SETTINGS"` : `'{"AuthenticationMethod":${PORTAINER_AUTH_INTERNAL}}'`;
    return [
        "set -eu",
        "tries=0",
        "while :; do",
        `  jwt=$(printf '%s' "$PORTAINER_LOGIN" | curl -fsS -H 'Content-Type: application/json' --data-binary @- "$PORTAINER_API/auth" 2>/dev/null | sed -n 's/.*"jwt" *: *"\\([^"]*\\)".*/\\1/p') || true`,
        `  [ -n "$jwt" ] && break`,
        "  tries=$((tries + 1))",
        `  [ "$tries" -lt 30 ] || { echo "portainer: admin login failed" >&2; exit 1; }`,
        "  sleep 5",
        "done",
        `header="\${TMPDIR:-/tmp}/portainer-auth"`,
        `printf 'Authorization: Bearer %s\\n' "$jwt" > "$header"`,
        `printf '%s' ${body} | curl -fsS -o /dev/null -X PUT -H "@$header" -H 'Content-Type: application/json' --data-binary @- "$PORTAINER_API/settings"`,
        `echo "portainer: authentication settings applied" >&2`,
    ].join("\n");
}

export interface PortainerOAuthSettingsArgs {
    /** DOCKER_HOST for the docker CLI on the machine running Pulumi (the host Portainer runs on). */
    readonly dockerHost: string;
    /** Name of the running Portainer container; the API client joins its network namespace. */
    readonly portainerContainer: pulumi.Input<string>;
    /** Port Portainer serves HTTP on inside its container. @default the service catalog's */
    readonly port?: number;
    /** @default "admin" */
    readonly adminUsername?: string;
    /** Password of Portainer's admin (the one its `--admin-password` hash was made from). */
    readonly adminPassword: pulumi.Input<string>;
    readonly gitlabUrl: string;
    /** Portainer's public URL exactly as registered in GitLab (`SsoApplication.redirectUrl`). */
    readonly redirectUrl: string;
    readonly clientId: pulumi.Input<string>;
    readonly clientSecret: pulumi.Input<string>;
    /** @default SSO_CONSUMERS.portainer.scopes */
    readonly scopes?: readonly OAuthScope[];
    /**
     * Create a Portainer user on a GitLab user's first login (without access to any environment
     * until an admin grants it).
     * @default true
     */
    readonly autoCreateUsers?: boolean;
    /** The curl image the calls run in (`nexora:images.portainerApiClient`). @default PORTAINER_API_CLIENT_IMAGE */
    readonly clientImage?: string;
}

/**
 * Portainer CE's OAuth settings, driven through its REST API: CE has no flag or env for them.
 * Runs `docker run --network container:<portainer>` with curl, so it reaches Portainer on
 * loopback whatever the edge does. Re-applies whenever an input changes (a new client secret
 * included); on delete it switches Portainer back to internal authentication.
 * Pass the Portainer container in `opts.dependsOn`.
 */
export class PortainerOAuthSettings extends pulumi.ComponentResource {
    readonly settingsCommand: command.local.Command;

    constructor(name: string, args: PortainerOAuthSettingsArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before registering anything: a bad declaration must not leave half a component behind.
        const scopes = validateScopes(args.scopes ?? SSO_CONSUMERS.portainer.scopes, "Portainer OAuth scopes");
        const port = args.port ?? servicePort("portainer");
        if (!isPort(port)) throw new Error(`Portainer port must be 1-65535, got ${port}`);
        super("nexora:sso:PortainerOAuthSettings", name, {}, opts);
        const image = args.clientImage ?? PORTAINER_API_CLIENT_IMAGE;

        const login = pulumi.secret(
            pulumi.all([args.adminPassword]).apply(([password]) => JSON.stringify({ Username: args.adminUsername ?? "admin", Password: password })),
        );
        const settings = pulumi.secret(
            pulumi.all([args.clientId, args.clientSecret]).apply(([clientId, clientSecret]) =>
                JSON.stringify(
                    portainerOAuthSettingsPayload({
                        gitlabUrl: args.gitlabUrl,
                        redirectUrl: args.redirectUrl,
                        clientId,
                        clientSecret,
                        scopes,
                        autoCreateUsers: args.autoCreateUsers ?? true,
                    }),
                ),
            ),
        );
        const run = (script: string) =>
            pulumi.interpolate`docker run --rm --network container:${args.portainerContainer} -e PORTAINER_API -e PORTAINER_LOGIN -e PORTAINER_SETTINGS --entrypoint sh ${image} -c ${shellQuote(script)}`;

        this.settingsCommand = new command.local.Command(
            `${name}-apply`,
            {
                create: run(portainerSettingsScript("from-env")),
                // Best effort: without OAuth the internal admin login still works, and Portainer may already be gone.
                delete: pulumi.interpolate`${run(portainerSettingsScript("internal-auth"))} || echo "portainer: could not switch back to internal authentication" >&2`,
                environment: {
                    DOCKER_HOST: args.dockerHost,
                    PORTAINER_API: `http://127.0.0.1:${port}/api`,
                    PORTAINER_LOGIN: login,
                    PORTAINER_SETTINGS: settings,
                },
                logging: command.types.enums.local.Logging.Stderr,
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: opts?.dependsOn, additionalSecretOutputs: ["stdout", "stderr"] },
        );
        this.registerOutputs({});
    }
}
