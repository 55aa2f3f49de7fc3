import * as pulumi from "@pulumi/pulumi";
import { BRANCH_ACCESS, type GitlabGroupSettings, PROTECTED_BRANCHES, PROTECTED_TAG, type ProductSettings, TAG_CREATE_ACCESS } from "../config/products";
import { BranchProtection, Group, Project, ProjectDeployToken, ProjectHook, ProjectVariable, type Provider, TagProtection } from "./provider";

export interface GitlabContentArgs {
    /** Groups, parents before subgroups. */
    readonly groups: readonly GitlabGroupSettings[];
    readonly products: readonly ProductSettings[];
    /** The gitlab provider (Identity's: the admin token, after the public-readiness gate). */
    readonly provider: Provider;
    /** Values of the secret config keys product variables reference, by key. */
    readonly productSecrets: Readonly<Record<string, pulumi.Output<string>>>;
    /** The ops bot's webhook; absent = no hooks. */
    readonly hook?: { readonly url: string; readonly token: pulumi.Output<string> };
    /** Products that get a deploy token with read_registry (their app pulls the project's image). */
    readonly registryProducts: readonly string[];
}

/** A deploy token's login for the Docker host: username, and the token as a secret. */
export interface RegistryLogin {
    readonly username: pulumi.Output<string>;
    readonly password: pulumi.Output<string>;
}

/** Resource name of a group: "/" becomes "--", which no path segment contains (config/products.ts). */
export function groupResourceName(path: string): string {
    return `gitlab-group-${path.replace(/\//g, "--")}`;
}

/**
 * GitLab content as code: the declared groups, one project per product with its CI/CD variables,
 * protected `main`/`develop` and `v*`, the ops bot's webhook and, for products whose app pulls the
 * project's image, a read_registry deploy token.
 *
 * Nothing here is destroyed by accident: groups and projects are `protect`ed (a plan that would
 * delete one fails) and `retainOnDelete` (removing a product from config, once unprotected, only
 * forgets it: the repository stays in GitLab). A renamed product keeps its resources through
 * aliases from `renamedFrom`. Existing objects are adopted through the `import` option with the
 * IDs from config (npm run adopt-gitlab).
 */
export class GitlabContent extends pulumi.ComponentResource {
    readonly groups: Readonly<Record<string, Group>>;
    readonly projects: Readonly<Record<string, Project>>;
    /** Per product in registryProducts: the deploy token's login. */
    readonly registryLogins: Readonly<Record<string, RegistryLogin>>;

    constructor(name: string, args: GitlabContentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:gitlab:Content", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        // Stateful: a lost group or project is lost history. Protected, and never deleted when dropped from config.
        const keep = { protect: true, retainOnDelete: true };

        const groups: Record<string, Group> = {};
        for (const g of args.groups) {
            const parent = g.parent !== undefined ? groups[g.parent] : undefined;
            if (g.parent !== undefined && !parent) throw new Error(`GitlabContent: group ${g.path} comes before its parent ${g.parent}`);
            groups[g.path] = new Group(
                groupResourceName(g.path),
                {
                    path: g.path.split("/").pop()!,
                    name: g.name,
                    description: g.description,
                    visibilityLevel: g.visibility,
                    parentId: parent ? parent.id.apply(Number) : undefined,
                },
                { ...child, ...keep, import: g.importId },
            );
        }

        const projects: Record<string, Project> = {};
        const registryLogins: Record<string, RegistryLogin> = {};
        for (const p of args.products) {
            const group = groups[p.group];
            if (!group) throw new Error(`GitlabContent: product ${p.key} names group ${p.group}, which is not declared`);
            const rn = (suffix: string) => `product-${p.key}${suffix}`;
            const alias = (suffix: string): pulumi.Alias[] => (p.renamedFrom ? [{ name: `product-${p.renamedFrom}${suffix}` }] : []);
            const project = new Project(
                rn(""),
                {
                    name: p.name,
                    path: p.path,
                    description: p.description,
                    namespaceId: group.id.apply(Number),
                    visibilityLevel: p.visibility,
                    defaultBranch: p.defaultBranch,
                    environmentsAccessLevel: p.reviewEnvironments ? "enabled" : "disabled",
                },
                { ...child, ...keep, import: p.importIds.project, aliases: alias("") },
            );
            projects[p.key] = project;
            const projectRef = project.id;

            for (const v of p.variables) {
                const value = v.secret !== undefined ? args.productSecrets[v.secret] : v.value;
                if (value === undefined) throw new Error(`GitlabContent: products.${p.key}.variables.${v.key} has no value for secret key ${v.secret}`);
                new ProjectVariable(
                    rn(`-var-${v.key}`),
                    {
                        project: projectRef,
                        key: v.key,
                        value,
                        masked: v.masked,
                        protected: v.protected,
                        environmentScope: v.environmentScope,
                        variableType: v.variableType,
                        raw: v.raw,
                        description: v.description,
                    },
                    { ...child, import: v.importId, aliases: alias(`-var-${v.key}`) },
                );
            }
            for (const branch of PROTECTED_BRANCHES) {
                new BranchProtection(
                    rn(`-branch-${branch}`),
                    {
                        project: projectRef,
                        branch,
                        pushAccessLevel: BRANCH_ACCESS[branch].push,
                        mergeAccessLevel: BRANCH_ACCESS[branch].merge,
                        allowForcePush: false,
                    },
                    { ...child, import: p.importIds.branches[branch], aliases: alias(`-branch-${branch}`) },
                );
            }
            new TagProtection(
                rn("-tag-v"),
                { project: projectRef, tag: PROTECTED_TAG, createAccessLevel: TAG_CREATE_ACCESS },
                { ...child, import: p.importIds.tags[PROTECTED_TAG], aliases: alias("-tag-v") },
            );
            if (args.hook) {
                new ProjectHook(
                    rn("-hook"),
                    {
                        project: projectRef,
                        url: args.hook.url,
                        token: args.hook.token,
                        name: "nexora-ops-bot",
                        enableSslVerification: true,
                        pushEvents: true,
                        tagPushEvents: true,
                        mergeRequestsEvents: true,
                        pipelineEvents: true,
                        issuesEvents: true,
                        noteEvents: true,
                        releasesEvents: true,
                    },
                    { ...child, aliases: alias("-hook") },
                );
            }
            if (args.registryProducts.includes(p.key)) {
                const token = new ProjectDeployToken(
                    rn("-registry-token"),
                    { project: projectRef, name: `nexora-${p.key}-pull`, scopes: ["read_registry"] },
                    { ...child, aliases: alias("-registry-token") },
                );
                registryLogins[p.key] = { username: token.username, password: pulumi.secret(token.token) };
            }
        }
        this.groups = groups;
        this.projects = projects;
        this.registryLogins = registryLogins;
        this.registerOutputs({});
    }
}
