/**
 * A typed binding of the GitLab provider resources this program declares, shaped like the
 * generated `@pulumi/gitlab` SDK (pulumi/pulumi-gitlab, sdk/nodejs/provider.ts and
 * application.ts): same classes, type tokens, property names, secret handling and default
 * `version` option. `@pulumi/gitlab` is not installable on the build machines; once it is,
 * `import * as gitlab from "@pulumi/gitlab"` replaces this module and nothing else changes
 * (state, URNs and plugin stay the same).
 *
 * Only what single sign-on needs is bound: the provider and `Application`.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * Release of pulumi/pulumi-gitlab (bridging terraform-provider-gitlab) whose plugin the engine
 * downloads for every resource below. The generated SDK pins its own package version the
 * same way; upgrading is a deliberate change of this constant. Evidence that 10.4.0 exists: PyPI lists
 * `pulumi-gitlab` 10.4.0 (2026-10), and pulumi-gitlab releases every SDK and the plugin under one
 * version. The npm registry reachable here does not serve `@pulumi/gitlab`, and the Go proxy here
 * refuses its SDK module versions, so the plugin download itself is unverified on these machines.
 */
export const GITLAB_PROVIDER_VERSION = "10.4.0";

/** What the generated SDK's `utilities.resourceOptsDefaults()` returns: the pinned plugin version. */
function resourceOptsDefaults(): pulumi.CustomResourceOptions {
    return { version: GITLAB_PROVIDER_VERSION };
}

/** The set of arguments for constructing a Provider resource. */
export interface ProviderArgs {
    /**
     * Target GitLab API endpoint, e.g. `https://gitlab.example.com/api/v4/`. Must end with a slash.
     * @default the `GITLAB_BASE_URL` environment variable
     */
    baseUrl?: pulumi.Input<string>;
    /** File containing the CA certificate of a GitLab with a locally issued certificate chain. */
    cacertFile?: pulumi.Input<string>;
    /** Client certificate file (PEM) when GitLab is behind a company proxy. */
    clientCert?: pulumi.Input<string>;
    /** Client key file (PEM); required with `clientCert`. */
    clientKey?: pulumi.Input<string>;
    earlyAuthCheck?: pulumi.Input<boolean>;
    /** Disables TLS verification of the connection to GitLab. */
    insecure?: pulumi.Input<boolean>;
    /** Retries on HTTP 429 (rate limit), with exponential back-off. */
    retries?: pulumi.Input<number>;
    /**
     * Personal, project, group or OAuth2 access token. Always stored as a secret.
     * @default the `GITLAB_TOKEN` environment variable
     */
    token?: pulumi.Input<string>;
}

/** The provider type for the gitlab package (registered as `pulumi:providers:gitlab`). */
export class Provider extends pulumi.ProviderResource {
    /** @internal */
    public static readonly __pulumiType = "gitlab";

    /**
     * Returns true if the given object is an instance of Provider, even when several copies of
     * the Pulumi SDK are loaded.
     */
    public static isInstance(obj: unknown): obj is Provider {
        if (obj === undefined || obj === null) {
            return false;
        }
        return (obj as Record<string, unknown>)["__pulumiType"] === "pulumi:providers:" + Provider.__pulumiType;
    }

    // `declare`: with ES2022 class fields a plain declaration would reset the outputs the base constructor set.
    declare public readonly baseUrl: pulumi.Output<string | undefined>;
    declare public readonly cacertFile: pulumi.Output<string | undefined>;
    declare public readonly clientCert: pulumi.Output<string | undefined>;
    declare public readonly clientKey: pulumi.Output<string | undefined>;
    declare public readonly token: pulumi.Output<string | undefined>;

    constructor(name: string, args?: ProviderArgs, opts?: pulumi.ResourceOptions) {
        const resourceInputs: pulumi.Inputs = {};
        opts = opts || {};
        {
            resourceInputs["baseUrl"] = args ? args.baseUrl : undefined;
            resourceInputs["cacertFile"] = args ? args.cacertFile : undefined;
            resourceInputs["clientCert"] = args ? args.clientCert : undefined;
            resourceInputs["clientKey"] = args ? args.clientKey : undefined;
            // Provider config travels as strings: non-string values are JSON-encoded, as the generated SDK does.
            resourceInputs["earlyAuthCheck"] = pulumi.output(args ? args.earlyAuthCheck : undefined).apply(JSON.stringify);
            resourceInputs["insecure"] = pulumi.output(args ? args.insecure : undefined).apply(JSON.stringify);
            resourceInputs["retries"] = pulumi.output(args ? args.retries : undefined).apply(JSON.stringify);
            resourceInputs["token"] = args?.token ? pulumi.secret(args.token) : undefined;
        }
        opts = pulumi.mergeOptions(resourceOptsDefaults(), opts);
        const secretOpts = { additionalSecretOutputs: ["token"] };
        opts = pulumi.mergeOptions(opts, secretOpts);
        super(Provider.__pulumiType, name, resourceInputs, opts);
    }
}

/** The set of arguments for constructing an Application resource. */
export interface ApplicationArgs {
    /**
     * Whether the client secret can be kept confidential (server-side apps).
     * @default true
     */
    confidential?: pulumi.Input<boolean>;
    /** Name shown on GitLab's authorization page. */
    name?: pulumi.Input<string>;
    /** The URL GitLab sends the user back to after authentication. */
    redirectUrl: pulumi.Input<string>;
    /**
     * GitLab scopes (snake_case: `openid`, `profile`, `email`, `read_user`, `api`, ...).
     * Only populated on creation; not available after import.
     */
    scopes: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * An instance-wide OAuth application (`gitlab_application`); needs an admin token. GitLab has no
 * update API for applications: any changed input replaces the application and issues a new
 * client secret.
 */
export class Application extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "gitlab:index/application:Application";

    /**
     * Returns true if the given object is an instance of Application, even when several copies
     * of the Pulumi SDK are loaded.
     */
    public static isInstance(obj: unknown): obj is Application {
        if (obj === undefined || obj === null) {
            return false;
        }
        return (obj as Record<string, unknown>)["__pulumiType"] === Application.__pulumiType;
    }

    /** The OAuth client id (GitLab calls it "Application ID"). */
    declare public readonly applicationId: pulumi.Output<string>;
    declare public readonly confidential: pulumi.Output<boolean>;
    declare public readonly name: pulumi.Output<string>;
    declare public readonly redirectUrl: pulumi.Output<string>;
    declare public readonly scopes: pulumi.Output<string[]>;
    /** The client secret; secret. Only populated on creation. */
    declare public readonly secret: pulumi.Output<string>;

    constructor(name: string, args: ApplicationArgs, opts?: pulumi.CustomResourceOptions) {
        const resourceInputs: pulumi.Inputs = {};
        opts = opts || {};
        if ((!args || args.redirectUrl === undefined) && !opts.urn) {
            throw new Error("Missing required property 'redirectUrl'");
        }
        if ((!args || args.scopes === undefined) && !opts.urn) {
            throw new Error("Missing required property 'scopes'");
        }
        resourceInputs["confidential"] = args ? args.confidential : undefined;
        resourceInputs["name"] = args ? args.name : undefined;
        resourceInputs["redirectUrl"] = args ? args.redirectUrl : undefined;
        resourceInputs["scopes"] = args ? args.scopes : undefined;
        resourceInputs["applicationId"] = undefined; /*out*/
        resourceInputs["secret"] = undefined; /*out*/
        opts = pulumi.mergeOptions(resourceOptsDefaults(), opts);
        const secretOpts = { additionalSecretOutputs: ["secret"] };
        opts = pulumi.mergeOptions(opts, secretOpts);
        super(Application.__pulumiType, name, resourceInputs, opts);
    }
}

/** The set of arguments for constructing a UserRunner resource. */
export interface UserRunnerArgs {
    /** `not_protected` or `ref_protected`. */
    accessLevel?: pulumi.Input<string>;
    description?: pulumi.Input<string>;
    /** Required when `runnerType` is `group_type`. */
    groupId?: pulumi.Input<number>;
    locked?: pulumi.Input<boolean>;
    /** Seconds; at least 600. */
    maximumTimeout?: pulumi.Input<number>;
    paused?: pulumi.Input<boolean>;
    /** Required when `runnerType` is `project_type`. */
    projectId?: pulumi.Input<number>;
    /** `instance_type`, `group_type` or `project_type` (GitLab's API values). */
    runnerType: pulumi.Input<string>;
    tagLists?: pulumi.Input<pulumi.Input<string>[]>;
    untagged?: pulumi.Input<boolean>;
}

/**
 * A runner created through GitLab's API (`gitlab_user_runner`): GitLab issues its authentication
 * token (secret), which `gitlab-runner register --token` consumes. Needs an admin token for
 * instance runners.
 */
export class UserRunner extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "gitlab:index/userRunner:UserRunner";

    public static isInstance(obj: unknown): obj is UserRunner {
        if (obj === undefined || obj === null) {
            return false;
        }
        return (obj as Record<string, unknown>)["__pulumiType"] === UserRunner.__pulumiType;
    }

    declare public readonly description: pulumi.Output<string>;
    declare public readonly runnerType: pulumi.Output<string>;
    declare public readonly tagLists: pulumi.Output<string[]>;
    declare public readonly untagged: pulumi.Output<boolean>;
    /** The runner authentication token (`glrt-…`); secret, only known on creation. */
    declare public readonly token: pulumi.Output<string>;

    constructor(name: string, args: UserRunnerArgs, opts?: pulumi.CustomResourceOptions) {
        const resourceInputs: pulumi.Inputs = {};
        opts = opts || {};
        if (args.runnerType === undefined && !opts.urn) {
            throw new Error("Missing required property 'runnerType'");
        }
        for (const key of [
            "accessLevel",
            "description",
            "groupId",
            "locked",
            "maximumTimeout",
            "paused",
            "projectId",
            "runnerType",
            "tagLists",
            "untagged",
        ] as const) {
            resourceInputs[key] = args[key];
        }
        resourceInputs["token"] = undefined; /*out*/
        opts = pulumi.mergeOptions(resourceOptsDefaults(), opts);
        opts = pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token"] });
        super(UserRunner.__pulumiType, name, resourceInputs, opts);
    }
}
