/**
 * A typed binding of the GitLab provider resources this program declares, shaped like the
 * generated `@pulumi/gitlab` SDK (pulumi/pulumi-gitlab, sdk/nodejs/provider.ts and
 * application.ts): same classes, type tokens, property names, secret handling and default
 * `version` option. `@pulumi/gitlab` is not installable on the build machines; once it is,
 * `import * as gitlab from "@pulumi/gitlab"` replaces this module and nothing else changes
 * (state, URNs and plugin stay the same).
 *
 * Bound: the provider, `Application` (single sign-on), `UserRunner`, and the GitLab content of
 * products (groups, projects, CI/CD variables, protections, hooks, deploy tokens; below).
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

// ---------------------------------------------------------------------------------------------
// GitLab content: groups, projects, CI/CD variables, protections, hooks, deploy tokens. Checked
// against pulumi/pulumi-gitlab sdk/nodejs/{group,project,projectVariable,groupVariable,
// branchProtection,tagProtection,projectHook,projectDeployToken}.ts: type tokens, input names and
// types, required inputs, inputs the SDK wraps as secrets and additionalSecretOutputs. Only the
// inputs this program sets are bound; every name is the upstream one, so `@pulumi/gitlab`
// accepts the same args object. `gitlab:index/deployToken:DeployToken` is deprecated upstream:
// the project-scoped `ProjectDeployToken` is bound instead.
// ---------------------------------------------------------------------------------------------

/**
 * Registers one bound resource the way the generated SDK does: the listed inputs copied from
 * args (those in `secretInputs` wrapped with `pulumi.secret`), outputs declared unknown, the
 * pinned version merged under the caller's options and the secret outputs added.
 */
function registerInputs<A extends object>(
    args: A,
    opts: pulumi.CustomResourceOptions | undefined,
    spec: {
        required: readonly (keyof A & string)[];
        inputs: readonly (keyof A & string)[];
        secretInputs?: readonly (keyof A & string)[];
        outputs?: readonly string[];
        secretOutputs?: readonly string[];
    },
): { inputs: pulumi.Inputs; opts: pulumi.CustomResourceOptions } {
    const o = opts ?? {};
    const bag = args as Record<string, unknown>;
    for (const key of spec.required) {
        if ((!args || bag[key] === undefined) && !o.urn) throw new Error(`Missing required property '${key}'`);
    }
    const inputs: pulumi.Inputs = {};
    for (const key of spec.inputs) {
        const value = args ? bag[key] : undefined;
        inputs[key] = spec.secretInputs?.includes(key) && value ? pulumi.secret(value as pulumi.Input<string>) : value;
    }
    for (const key of spec.outputs ?? []) inputs[key] = undefined; /*out*/
    let merged = pulumi.mergeOptions(resourceOptsDefaults(), o);
    if (spec.secretOutputs) merged = pulumi.mergeOptions(merged, { additionalSecretOutputs: [...spec.secretOutputs] });
    return { inputs, opts: merged };
}

/** Whether obj is a resource of the given type token, across copies of the Pulumi SDK. */
function hasType(obj: unknown, type: string): boolean {
    return obj !== undefined && obj !== null && (obj as Record<string, unknown>)["__pulumiType"] === type;
}

/** The set of arguments for constructing a Group resource (subset of upstream `GroupArgs`). */
export interface GroupArgs {
    description?: pulumi.Input<string>;
    name?: pulumi.Input<string>;
    /** Id of the parent group (a subgroup); absent for a top-level group. */
    parentId?: pulumi.Input<number>;
    /** The group's URL path (`nexora` in `https://gitlab.example/nexora`). */
    path: pulumi.Input<string>;
    /** GitLab deletes the group for good on destroy instead of marking it for deletion (Premium). */
    permanentlyRemoveOnDelete?: pulumi.Input<boolean>;
    /** `private`, `internal` or `public`. */
    visibilityLevel?: pulumi.Input<string>;
}

/** A group or subgroup (`gitlab_group`). Import ID: the group's id or full path. */
export class Group extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "gitlab:index/group:Group";
    public static isInstance(obj: unknown): obj is Group {
        return hasType(obj, Group.__pulumiType);
    }
    declare public readonly fullPath: pulumi.Output<string>;
    declare public readonly name: pulumi.Output<string>;
    declare public readonly path: pulumi.Output<string>;
    declare public readonly visibilityLevel: pulumi.Output<string>;
    declare public readonly webUrl: pulumi.Output<string>;
    /** Group runner registration token; secret. */
    declare public readonly runnersToken: pulumi.Output<string>;

    constructor(name: string, args: GroupArgs, opts?: pulumi.CustomResourceOptions) {
        const r = registerInputs(args, opts, {
            required: ["path"],
            inputs: ["description", "name", "parentId", "path", "permanentlyRemoveOnDelete", "visibilityLevel"],
            outputs: ["fullName", "fullPath", "runnersToken", "webUrl"],
            secretOutputs: ["runnersToken"],
        });
        super(Group.__pulumiType, name, r.inputs, r.opts);
    }
}

/** The set of arguments for constructing a Project resource (subset of upstream `ProjectArgs`). */
export interface ProjectArgs {
    /** Archive the project instead of deleting it when the resource is destroyed. */
    archiveOnDestroy?: pulumi.Input<boolean>;
    /** `disabled`, `private` or `enabled`. */
    containerRegistryAccessLevel?: pulumi.Input<string>;
    defaultBranch?: pulumi.Input<string>;
    description?: pulumi.Input<string>;
    /** `disabled`, `private` or `enabled`: whether the project has (review) environments. */
    environmentsAccessLevel?: pulumi.Input<string>;
    name?: pulumi.Input<string>;
    /** Id of the group (namespace) the project lives in. */
    namespaceId?: pulumi.Input<number>;
    path?: pulumi.Input<string>;
    /** `private`, `internal` or `public`. */
    visibilityLevel?: pulumi.Input<string>;
}

/** A project, i.e. a repository (`gitlab_project`). Import ID: its id or `group/project` path. */
export class Project extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "gitlab:index/project:Project";
    public static isInstance(obj: unknown): obj is Project {
        return hasType(obj, Project.__pulumiType);
    }
    declare public readonly defaultBranch: pulumi.Output<string>;
    declare public readonly httpUrlToRepo: pulumi.Output<string>;
    declare public readonly name: pulumi.Output<string>;
    declare public readonly path: pulumi.Output<string>;
    /** `group/project`. */
    declare public readonly pathWithNamespace: pulumi.Output<string>;
    declare public readonly visibilityLevel: pulumi.Output<string>;
    declare public readonly webUrl: pulumi.Output<string>;

    constructor(name: string, args?: ProjectArgs, opts?: pulumi.CustomResourceOptions) {
        const r = registerInputs(args ?? {}, opts, {
            required: [],
            inputs: [
                "archiveOnDestroy",
                "containerRegistryAccessLevel",
                "defaultBranch",
                "description",
                "environmentsAccessLevel",
                "name",
                "namespaceId",
                "path",
                "visibilityLevel",
            ],
            outputs: ["httpUrlToRepo", "pathWithNamespace", "runnersToken", "webUrl"],
            secretOutputs: ["importUrlPassword", "runnersToken"],
        });
        super(Project.__pulumiType, name, r.inputs, r.opts);
    }
}

/** Arguments shared by project and group CI/CD variables (upstream names). */
interface VariableArgsBase {
    description?: pulumi.Input<string>;
    /** `*` (every environment) or an environment name or wildcard. @default "*" */
    environmentScope?: pulumi.Input<string>;
    key: pulumi.Input<string>;
    /** GitLab hides the value in job logs (it must then be 8+ characters of a limited alphabet). */
    masked?: pulumi.Input<boolean>;
    /** Only pipelines on protected branches and tags see the variable. */
    protected?: pulumi.Input<boolean>;
    /** Do not expand `$VAR` references in the value. */
    raw?: pulumi.Input<boolean>;
    value: pulumi.Input<string>;
    /** `env_var` or `file`. */
    variableType?: pulumi.Input<string>;
}

/** The set of arguments for constructing a ProjectVariable resource. */
export interface ProjectVariableArgs extends VariableArgsBase {
    /** The project's id or `group/project` path. */
    project: pulumi.Input<string>;
}

/**
 * A project CI/CD variable (`gitlab_project_variable`). Import ID `project:key:environment_scope`.
 * The upstream SDK neither wraps `value` as a secret nor lists it in additionalSecretOutputs: the
 * caller passes a secret Output for secret values, as this program does.
 */
export class ProjectVariable extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "gitlab:index/projectVariable:ProjectVariable";
    public static isInstance(obj: unknown): obj is ProjectVariable {
        return hasType(obj, ProjectVariable.__pulumiType);
    }
    declare public readonly environmentScope: pulumi.Output<string>;
    declare public readonly key: pulumi.Output<string>;
    declare public readonly masked: pulumi.Output<boolean>;
    declare public readonly project: pulumi.Output<string>;
    declare public readonly protected: pulumi.Output<boolean>;
    declare public readonly value: pulumi.Output<string>;

    constructor(name: string, args: ProjectVariableArgs, opts?: pulumi.CustomResourceOptions) {
        const r = registerInputs(args, opts, {
            required: ["key", "project", "value"],
            inputs: ["description", "environmentScope", "key", "masked", "project", "protected", "raw", "value", "variableType"],
        });
        super(ProjectVariable.__pulumiType, name, r.inputs, r.opts);
    }
}

/** The set of arguments for constructing a GroupVariable resource. */
export interface GroupVariableArgs extends VariableArgsBase {
    /** The group's id or full path. */
    group: pulumi.Input<string>;
}

/** A group CI/CD variable (`gitlab_group_variable`). Import ID `group:key:environment_scope`. */
export class GroupVariable extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "gitlab:index/groupVariable:GroupVariable";
    public static isInstance(obj: unknown): obj is GroupVariable {
        return hasType(obj, GroupVariable.__pulumiType);
    }
    declare public readonly environmentScope: pulumi.Output<string>;
    declare public readonly group: pulumi.Output<string>;
    declare public readonly key: pulumi.Output<string>;
    declare public readonly value: pulumi.Output<string>;

    constructor(name: string, args: GroupVariableArgs, opts?: pulumi.CustomResourceOptions) {
        const r = registerInputs(args, opts, {
            required: ["group", "key", "value"],
            inputs: ["description", "environmentScope", "group", "key", "masked", "protected", "raw", "value", "variableType"],
        });
        super(GroupVariable.__pulumiType, name, r.inputs, r.opts);
    }
}

/** The set of arguments for constructing a BranchProtection resource (subset of upstream). */
export interface BranchProtectionArgs {
    allowForcePush?: pulumi.Input<boolean>;
    /** Branch name or wildcard. */
    branch: pulumi.Input<string>;
    /** `no one`, `developer`, `maintainer` or `admin`. */
    mergeAccessLevel?: pulumi.Input<string>;
    /** The project's id or `group/project` path. */
    project: pulumi.Input<string>;
    /** `no one`, `developer`, `maintainer` or `admin`. */
    pushAccessLevel?: pulumi.Input<string>;
}

/** A protected branch (`gitlab_branch_protection`). Import ID `project:branch`. */
export class BranchProtection extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "gitlab:index/branchProtection:BranchProtection";
    public static isInstance(obj: unknown): obj is BranchProtection {
        return hasType(obj, BranchProtection.__pulumiType);
    }
    declare public readonly branch: pulumi.Output<string>;
    declare public readonly branchProtectionId: pulumi.Output<number>;
    declare public readonly mergeAccessLevel: pulumi.Output<string>;
    declare public readonly pushAccessLevel: pulumi.Output<string>;

    constructor(name: string, args: BranchProtectionArgs, opts?: pulumi.CustomResourceOptions) {
        const r = registerInputs(args, opts, {
            required: ["branch", "project"],
            inputs: ["allowForcePush", "branch", "mergeAccessLevel", "project", "pushAccessLevel"],
            outputs: ["branchProtectionId"],
        });
        super(BranchProtection.__pulumiType, name, r.inputs, r.opts);
    }
}

/** The set of arguments for constructing a TagProtection resource (subset of upstream). */
export interface TagProtectionArgs {
    /** `no one`, `developer`, `maintainer` or `admin`. @default "maintainer" */
    createAccessLevel?: pulumi.Input<string>;
    project: pulumi.Input<string>;
    /** Tag name or wildcard, e.g. `v*`. */
    tag: pulumi.Input<string>;
}

/** A protected tag (`gitlab_tag_protection`). Import ID `project:tag`. */
export class TagProtection extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "gitlab:index/tagProtection:TagProtection";
    public static isInstance(obj: unknown): obj is TagProtection {
        return hasType(obj, TagProtection.__pulumiType);
    }
    declare public readonly createAccessLevel: pulumi.Output<string>;
    declare public readonly tag: pulumi.Output<string>;

    constructor(name: string, args: TagProtectionArgs, opts?: pulumi.CustomResourceOptions) {
        const r = registerInputs(args, opts, { required: ["project", "tag"], inputs: ["createAccessLevel", "project", "tag"] });
        super(TagProtection.__pulumiType, name, r.inputs, r.opts);
    }
}

/** The set of arguments for constructing a ProjectHook resource (subset of upstream). */
export interface ProjectHookArgs {
    enableSslVerification?: pulumi.Input<boolean>;
    issuesEvents?: pulumi.Input<boolean>;
    mergeRequestsEvents?: pulumi.Input<boolean>;
    name?: pulumi.Input<string>;
    noteEvents?: pulumi.Input<boolean>;
    pipelineEvents?: pulumi.Input<boolean>;
    project: pulumi.Input<string>;
    pushEvents?: pulumi.Input<boolean>;
    releasesEvents?: pulumi.Input<boolean>;
    tagPushEvents?: pulumi.Input<boolean>;
    /** Sent as `X-Gitlab-Token`; always a secret. GitLab never returns it (not available after import). */
    token?: pulumi.Input<string>;
    url: pulumi.Input<string>;
}

/** A project webhook (`gitlab_project_hook`). Import ID `project:hook-id`; the token cannot be read back. */
export class ProjectHook extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "gitlab:index/projectHook:ProjectHook";
    public static isInstance(obj: unknown): obj is ProjectHook {
        return hasType(obj, ProjectHook.__pulumiType);
    }
    declare public readonly hookId: pulumi.Output<number>;
    declare public readonly token: pulumi.Output<string | undefined>;
    declare public readonly url: pulumi.Output<string>;

    constructor(name: string, args: ProjectHookArgs, opts?: pulumi.CustomResourceOptions) {
        const r = registerInputs(args, opts, {
            required: ["project", "url"],
            inputs: [
                "enableSslVerification",
                "issuesEvents",
                "mergeRequestsEvents",
                "name",
                "noteEvents",
                "pipelineEvents",
                "project",
                "pushEvents",
                "releasesEvents",
                "tagPushEvents",
                "token",
                "url",
            ],
            secretInputs: ["token"],
            outputs: ["alertStatus", "disabledUntil", "hookId", "projectId", "repositoryUpdateEvents", "signingTokenPresent"],
            secretOutputs: ["signingToken", "token"],
        });
        super(ProjectHook.__pulumiType, name, r.inputs, r.opts);
    }
}

/** The set of arguments for constructing a ProjectDeployToken resource. */
export interface ProjectDeployTokenArgs {
    /** RFC 3339 time; absent = never expires. */
    expiresAt?: pulumi.Input<string>;
    name?: pulumi.Input<string>;
    project: pulumi.Input<string>;
    /** `read_repository`, `read_registry`, `write_registry`, `read_package_registry`, ... */
    scopes: pulumi.Input<pulumi.Input<string>[]>;
    /** @default GitLab's `gitlab+deploy-token-<id>` */
    username?: pulumi.Input<string>;
}

/**
 * A project deploy token (`gitlab_project_deploy_token`). Import ID `project:token-id`, but the
 * token value is only known on creation: an imported token has none.
 */
export class ProjectDeployToken extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "gitlab:index/projectDeployToken:ProjectDeployToken";
    public static isInstance(obj: unknown): obj is ProjectDeployToken {
        return hasType(obj, ProjectDeployToken.__pulumiType);
    }
    declare public readonly scopes: pulumi.Output<string[]>;
    /** The token's value; secret, only known on creation. */
    declare public readonly token: pulumi.Output<string>;
    declare public readonly username: pulumi.Output<string>;

    constructor(name: string, args: ProjectDeployTokenArgs, opts?: pulumi.CustomResourceOptions) {
        const r = registerInputs(args, opts, {
            required: ["project", "scopes"],
            inputs: ["expiresAt", "name", "project", "scopes", "username"],
            outputs: ["expired", "revoked", "token"],
            secretOutputs: ["token"],
        });
        super(ProjectDeployToken.__pulumiType, name, r.inputs, r.opts);
    }
}
