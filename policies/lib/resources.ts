/**
 * Type tokens the pack looks at, and the resource wording its messages use. Tokens are matched as
 * strings, not through SDK classes, so the pack needs no provider SDK (and @pulumi/gitlab is not
 * installable here); they are exactly the tokens the providers register.
 */
import type { ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

export const TYPES = {
    container: "docker:index/container:Container",
    network: "docker:index/network:Network",
    volume: "docker:index/volume:Volume",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    randomPassword: "random:index/randomPassword:RandomPassword",
    randomString: "random:index/randomString:RandomString",
    gitlabApplication: "gitlab:index/application:Application",
    gitlabProject: "gitlab:index/project:Project",
    gitlabProjectVariable: "gitlab:index/projectVariable:ProjectVariable",
    gitlabGroupVariable: "gitlab:index/groupVariable:GroupVariable",
    localCommand: "command:local:Command",
    stack: "pulumi:pulumi:Stack",
} as const;

const FRIENDLY: Record<string, string> = {
    [TYPES.container]: "container",
    [TYPES.network]: "network",
    [TYPES.volume]: "volume",
    [TYPES.remoteImage]: "image",
    [TYPES.randomPassword]: "RandomPassword",
    [TYPES.randomString]: "RandomString",
    [TYPES.gitlabApplication]: "GitLab application",
    [TYPES.localCommand]: "local command",
    "command:remote:Command": "remote command",
    "gitlab:index/projectVariable:ProjectVariable": "GitLab project variable",
    "gitlab:index/groupVariable:GroupVariable": "GitLab group variable",
    "gitlab:index/project:Project": "GitLab project",
};

/** "container 'app-pyerp-container'": how messages name a resource (its logical name, as in the URN; not the Docker name). */
export function describeResource(type: string, name: string): string {
    const provider = /^pulumi:providers:(.+)$/.exec(type);
    const kind = FRIENDLY[type] ?? (provider ? `${provider[1]} provider` : type);
    return `${kind} '${name}'`;
}

/**
 * Restricts a validation to some type tokens and tells the engine the policy does not apply to the
 * others, as the SDK's validateResourceOfType does for SDK classes.
 */
export function forTypes(types: readonly string[], validate: ResourceValidation): ResourceValidation {
    return (args: ResourceValidationArgs, reportViolation) => {
        if (!types.includes(args.type)) {
            return args.notApplicable(`Policy only applies to resources of type ${types.map((t) => `'${t}'`).join(", ")}`);
        }
        return validate(args, reportViolation);
    };
}
