import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { shellQuote } from "../docker/exec";

/** Environment variable that carries the token from Pulumi through `docker exec -e` into gitlab-rails. */
export const ADMIN_TOKEN_ENV = "NEXORA_GITLAB_ADMIN_TOKEN";

/** GitLab CE caps personal access tokens at 365 days; rotate before then (see `rotationTrigger`). */
export const ADMIN_TOKEN_LIFETIME_DAYS = 365;

/** GitLab's own prefix for personal access tokens: secret scanners (push protection included) recognise it. */
export const PERSONAL_ACCESS_TOKEN_PREFIX = "glpat-";

/** Random characters after the prefix; letters and digits only, ~238 bits. */
const TOKEN_RANDOM_LENGTH = 40;

const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

export interface AdminTokenScriptOptions {
    /** Name of the personal access token in GitLab. */
    readonly tokenName: string;
    /** Administrator that owns the token. */
    readonly adminUsername: string;
}

/**
 * Ruby for `gitlab-rails runner` that installs the token value found in {@link ADMIN_TOKEN_ENV}
 * as an `api` personal access token of the admin user. Idempotent: a re-run with the same value
 * changes nothing; a new value revokes the earlier active tokens of the same name first. A value
 * that GitLab already revoked or expired fails loudly: only a new value (rotation) fixes that.
 * The value never appears in the script, so it is not on any command line or in any log.
 */
export function adminTokenCreateRuby(opts: AdminTokenScriptOptions): string {
    checkNames(opts);
    return [
        `value = ENV.fetch("${ADMIN_TOKEN_ENV}")`,
        `existing = PersonalAccessToken.find_by_token(value)`,
        `if existing`,
        `  abort("nexora: the GitLab admin API token was revoked or has expired; change the rotation trigger to issue a new one") unless existing.active?`,
        `else`,
        `  user = User.find_by!(username: "${opts.adminUsername}")`,
        `  user.personal_access_tokens.active.where(name: "${opts.tokenName}").each(&:revoke!)`,
        `  token = user.personal_access_tokens.new(name: "${opts.tokenName}", scopes: ["api"], expires_at: Date.current + ${ADMIN_TOKEN_LIFETIME_DAYS})`,
        // Newer GitLab scopes tokens to an organization; older versions have no such column.
        `  token.organization_id = Organizations::Organization.first.id if token.has_attribute?(:organization_id) && token.organization_id.nil?`,
        `  token.set_token(value)`,
        `  token.save!`,
        `end`,
    ].join("\n");
}

/** Ruby for `gitlab-rails runner` that revokes exactly the token whose value is in {@link ADMIN_TOKEN_ENV}. */
export function adminTokenRevokeRuby(): string {
    return [`token = PersonalAccessToken.find_by_token(ENV.fetch("${ADMIN_TOKEN_ENV}"))`, `token.revoke! if token&.active?`].join("\n");
}

function checkNames(opts: AdminTokenScriptOptions): void {
    // Both land inside a Ruby string inside a shell-quoted word: allow only characters that need no escaping.
    if (!TOKEN_NAME.test(opts.tokenName)) {
        throw new Error(`GitLab admin token name must be letters, digits, space, ".", "_" or "-" (got ${JSON.stringify(opts.tokenName)})`);
    }
    if (!USERNAME.test(opts.adminUsername)) {
        throw new Error(`GitLab admin username must be letters, digits, ".", "_" or "-" (got ${JSON.stringify(opts.adminUsername)})`);
    }
}

/**
 * The gitlab provider's `baseUrl` for a GitLab public URL: `<url>/api/v4/`, always ending with
 * "/" as the provider requires. Keeps a relative URL root (`https://host/gitlab`).
 */
export function gitlabApiBaseUrl(publicUrl: string): string {
    let url: URL;
    try {
        url = new URL(publicUrl);
    } catch {
        throw new Error(`GitLab public URL must be an absolute http(s) URL, got ${JSON.stringify(publicUrl)}`);
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.search !== "" || url.hash !== "" || url.username !== "") {
        throw new Error(`GitLab public URL must be a plain http(s) URL without query, fragment or credentials, got ${JSON.stringify(publicUrl)}`);
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, "")}/api/v4/`;
}

export interface GitlabAdminTokenArgs {
    /** Name of the running GitLab container the token is minted in. */
    readonly containerName: pulumi.Input<string>;
    /**
     * DOCKER_HOST for the docker CLI on the machine running Pulumi, e.g.
     * `unix:///var/run/docker.sock` or `ssh://deploy@claw-bot`: the host the GitLab container runs on.
     */
    readonly dockerHost: string;
    /**
     * A config value whose change issues a new token and revokes the old one.
     * @default "" — one token until it expires (rotate within ADMIN_TOKEN_LIFETIME_DAYS)
     */
    readonly rotationTrigger?: string;
    /** @default "nexora-pulumi" */
    readonly tokenName?: string;
    /** @default "root" */
    readonly adminUsername?: string;
}

/**
 * An admin API token for the gitlab provider on a GitLab this program just created. The value is
 * generated by Pulumi (a secret) and installed with `gitlab-rails runner` inside the container,
 * so no interactive step and no HTTP login is needed.
 *
 * Pass the GitLab container in `opts.dependsOn`: it is created with `wait: true` and a health
 * check, so "created" means healthy and the token is minted only then. Resources built with a
 * provider whose token is {@link token} wait for the token in turn.
 */
export class GitlabAdminToken extends pulumi.ComponentResource {
    /** The token value (secret); known only once GitLab has accepted it. */
    readonly token: pulumi.Output<string>;
    /** The command that installs the token (depend on it to run after the token exists). */
    readonly issue: command.local.Command;

    constructor(name: string, args: GitlabAdminTokenArgs, opts?: pulumi.ComponentResourceOptions) {
        const scriptOpts = { tokenName: args.tokenName ?? "nexora-pulumi", adminUsername: args.adminUsername ?? "root" };
        // Rendered (and its names checked) before anything is registered.
        const createRuby = adminTokenCreateRuby(scriptOpts);
        super("nexora:gitlab:AdminToken", name, {}, opts);
        const rotation = args.rotationTrigger ?? "";

        const generated = new random.RandomPassword(`${name}-value`, { length: TOKEN_RANDOM_LENGTH, special: false, keepers: { rotation } }, { parent: this });
        const value = pulumi.secret(pulumi.interpolate`${PERSONAL_ACCESS_TOKEN_PREFIX}${generated.result}`);

        const runner = (ruby: string) => pulumi.interpolate`docker exec -e ${ADMIN_TOKEN_ENV} ${args.containerName} gitlab-rails runner ${shellQuote(ruby)}`;
        const revoke = runner(adminTokenRevokeRuby());
        this.issue = new command.local.Command(
            `${name}-issue`,
            {
                create: runner(createRuby),
                // A GitLab container that is already gone took the token with it (or left it to expire).
                delete: pulumi.interpolate`if docker container inspect ${args.containerName} >/dev/null 2>&1; then ${revoke}; else echo "GitLab container gone: admin API token not revoked" >&2; fi`,
                // `docker exec -e NAME` copies the value from this environment: never on a command line.
                environment: { DOCKER_HOST: args.dockerHost, [ADMIN_TOKEN_ENV]: value },
                triggers: [rotation],
                // The scripts print nothing; keep stdout out of the logs and both streams out of plain state.
                logging: command.types.enums.local.Logging.Stderr,
                addPreviousOutputInEnv: false,
            },
            {
                parent: this,
                // Component dependencies do not reach children: the command itself must wait for a healthy GitLab.
                dependsOn: opts?.dependsOn,
                additionalSecretOutputs: ["stdout", "stderr"],
            },
        );

        // Carries the command as a dependency: the provider is not configured before GitLab knows the token.
        this.token = pulumi.secret(pulumi.all([this.issue.id, value]).apply(([, token]) => token));
        this.registerOutputs({ token: this.token });
    }
}
