// From what the GitLab API returns to the stack config entries that adopt it: pure, so the rules are tested without a GitLab.
import { APP_KEY } from "../../components/config/apps";
import {
    type AccessLevel,
    BRANCH_ACCESS,
    PATH_SEGMENT,
    PROTECTED_BRANCHES,
    PROTECTED_TAG,
    TAG_CREATE_ACCESS,
    VARIABLE_KEY,
} from "../../components/config/products";
import { carriesCredential, isCredentialName } from "../../components/credentials";

/** The fields of GitLab's REST answers this tool reads (docs.gitlab.com/api: groups, projects, project_level_variables, protected_branches, protected_tags, project hooks, deploy_tokens). */
export interface ApiGroup {
    readonly id: number;
    readonly name: string;
    readonly path: string;
    readonly full_path: string;
    readonly description?: string | null;
    readonly visibility: string;
    readonly parent_id: number | null;
}
export interface ApiProject {
    readonly id: number;
    readonly name: string;
    readonly path: string;
    readonly path_with_namespace: string;
    readonly description?: string | null;
    readonly visibility: string;
    readonly default_branch?: string | null;
    readonly environments_access_level?: string;
    readonly archived?: boolean;
    readonly namespace: { readonly id: number; readonly full_path: string; readonly kind: string };
}
export interface ApiVariable {
    readonly key: string;
    /** null for a hidden variable (GitLab never returns its value). */
    readonly value: string | null;
    readonly variable_type: string;
    readonly protected: boolean;
    readonly masked: boolean;
    readonly hidden?: boolean;
    readonly raw?: boolean;
    readonly environment_scope: string;
    readonly description?: string | null;
}
export interface ApiAccessLevel {
    readonly access_level: number;
    readonly access_level_description?: string;
    readonly user_id?: number | null;
    readonly group_id?: number | null;
    readonly deploy_key_id?: number | null;
}
export interface ApiProtectedBranch {
    readonly name: string;
    readonly push_access_levels?: readonly ApiAccessLevel[];
    readonly merge_access_levels?: readonly ApiAccessLevel[];
    readonly allow_force_push?: boolean;
}
export interface ApiProtectedTag {
    readonly name: string;
    readonly create_access_levels?: readonly ApiAccessLevel[];
}
export interface ApiHook {
    readonly id: number;
    readonly url: string;
}
export interface ApiDeployToken {
    readonly id: number;
    readonly name: string;
    readonly scopes?: readonly string[];
    readonly revoked?: boolean;
    readonly expired?: boolean;
}

/** Everything read from one GitLab, per project id. */
export interface InstanceSnapshot {
    readonly groups: readonly ApiGroup[];
    readonly projects: readonly ApiProject[];
    readonly variables: Readonly<Record<number, readonly ApiVariable[]>>;
    readonly branches: Readonly<Record<number, readonly ApiProtectedBranch[]>>;
    readonly tags: Readonly<Record<number, readonly ApiProtectedTag[]>>;
    readonly hooks: Readonly<Record<number, readonly ApiHook[]>>;
    readonly deployTokens: Readonly<Record<number, readonly ApiDeployToken[]>>;
}

/** A variable value the operator must store as a secret: its config key, and the value when GitLab returned one. */
export interface SecretToSet {
    readonly configKey: string;
    readonly value?: string;
    readonly at: string;
}

export interface Adoption {
    /** Entries for `nexora:gitlabGroups`. */
    readonly groups: Record<string, Record<string, unknown>>;
    /** Entries for `nexora:products`. */
    readonly products: Record<string, Record<string, unknown>>;
    readonly secrets: SecretToSet[];
    /** What was not adopted as it is, and what to do about it: one line each. */
    readonly notes: string[];
}

/** GitLab's numeric access levels (protected branches API: 0 no one, 30 developer, 40 maintainer, 60 admin). */
const LEVELS: Readonly<Record<number, AccessLevel>> = { 0: "no one", 30: "developer", 40: "maintainer", 60: "admin" };

/** The role-based level of a protection, when it has exactly one and no user, group or deploy-key grants. */
function roleLevel(levels: readonly ApiAccessLevel[] | undefined): AccessLevel | undefined {
    const roles = (levels ?? []).filter((l) => l.user_id == null && l.group_id == null && l.deploy_key_id == null);
    return roles.length === 1 && roles.length === (levels ?? []).length ? LEVELS[roles[0]!.access_level] : undefined;
}

/** A product key from a project path: the path when it is one, else a lowercase, hyphenated form. */
export function productKeyFor(path: string, taken: ReadonlySet<string>, group: string): string {
    const base = path
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^[^a-z]+/, "")
        .replace(/-+$/, "")
        .slice(0, 32)
        .replace(/-+$/, "");
    const candidates = [base, `${group.split("/").pop()}-${base}`.slice(0, 32).replace(/-+$/, "")];
    for (const c of candidates) if (APP_KEY.test(c) && !taken.has(c)) return c;
    for (let i = 2; i < 100; i++) {
        const c = `${base.slice(0, 29)}-${i}`;
        if (APP_KEY.test(c) && !taken.has(c)) return c;
    }
    throw new Error(`no product key for project path ${path}`);
}

/**
 * The config entries that adopt `snapshot`'s groups and projects, with import IDs: groups by id,
 * projects `group/project`, variables `group/project:KEY:scope`, protections `group/project:branch`.
 * `existing` are the stack's current product entries: a project already declared keeps its key.
 */
export function adopt(snapshot: InstanceSnapshot, existing: Readonly<Record<string, { group?: unknown; path?: unknown }>> = {}, hookUrl = ""): Adoption {
    const notes: string[] = [];
    const secrets: SecretToSet[] = [];
    const groups: Record<string, Record<string, unknown>> = {};
    const adoptedGroups = new Set<string>();
    for (const g of [...snapshot.groups].sort((a, b) => a.full_path.localeCompare(b.full_path))) {
        if (!g.full_path.split("/").every((s) => PATH_SEGMENT.test(s))) {
            notes.push(`group ${g.full_path}: not adopted: its path is not lowercase letters and digits joined by single . _ - (rename it in GitLab first)`);
            continue;
        }
        const parent = g.full_path.includes("/") ? g.full_path.slice(0, g.full_path.lastIndexOf("/")) : undefined;
        if (parent !== undefined && !adoptedGroups.has(parent)) {
            notes.push(`group ${g.full_path}: not adopted: its parent ${parent} is not adopted`);
            continue;
        }
        adoptedGroups.add(g.full_path);
        groups[g.full_path] = { name: g.name, ...(g.description ? { description: g.description } : {}), visibility: g.visibility, import: String(g.id) };
    }

    const products: Record<string, Record<string, unknown>> = {};
    const taken = new Set<string>(Object.keys(existing));
    for (const p of [...snapshot.projects].sort((a, b) => a.path_with_namespace.localeCompare(b.path_with_namespace))) {
        const where = p.path_with_namespace;
        if (p.namespace.kind !== "group" || !adoptedGroups.has(p.namespace.full_path)) {
            notes.push(`project ${where}: not adopted: it is not in an adopted group`);
            continue;
        }
        if (!PATH_SEGMENT.test(p.path)) {
            notes.push(`project ${where}: not adopted: its path is not lowercase letters and digits joined by single . _ - (rename it in GitLab first)`);
            continue;
        }
        if (p.archived) notes.push(`project ${where}: archived in GitLab; adopted as it is`);
        const declared = Object.entries(existing).find(([, e]) => e.group === p.namespace.full_path && (e.path ?? "") === p.path)?.[0];
        const key = declared ?? productKeyFor(p.path, taken, p.namespace.full_path);
        taken.add(key);
        const entry: Record<string, unknown> = { group: p.namespace.full_path };
        if (p.path !== key) entry.path = p.path;
        if (p.name !== p.path) entry.name = p.name;
        if (p.description) entry.description = p.description;
        if (p.visibility !== "private") entry.visibility = p.visibility;
        if (p.visibility === "public") {
            entry.allowPublic = true;
            notes.push(
                `project ${where}: public: adopted with allowPublic: true; a prod stack's policy config must also list product-${key} under publicProjects`,
            );
        }
        if ((p.default_branch ?? "main") !== "main") entry.defaultBranch = p.default_branch;
        const env = p.environments_access_level ?? "enabled";
        entry.reviewEnvironments = env !== "disabled";
        if (env === "private")
            notes.push(
                `project ${where}: environments are "private" in GitLab; declared enabled (the program knows enabled and disabled): the first up changes that`,
            );

        const imports: Record<string, unknown> = { project: where };
        const variables: Record<string, unknown> = {};
        const seen = new Map<string, string>();
        for (const v of snapshot.variables[p.id] ?? []) {
            const at = `${where} variable ${v.key} (${v.environment_scope})`;
            if (!VARIABLE_KEY.test(v.key)) {
                notes.push(`${at}: not adopted: GitLab accepted a key the program refuses`);
                continue;
            }
            if (seen.has(v.key)) {
                notes.push(
                    `${at}: not adopted: the program declares one environment scope per key (${v.key} is adopted for ${seen.get(v.key)}); the first up leaves this one alone`,
                );
                continue;
            }
            seen.set(v.key, v.environment_scope);
            const spec: Record<string, unknown> = {};
            const hidden = v.hidden === true || v.value === null;
            if (isCredentialName(v.key) || v.masked || hidden || carriesCredential(v.value ?? "")) {
                const configKey = `${key}-${v.key}`;
                if (configKey.length > 64) {
                    notes.push(`${at}: not adopted: config key ${configKey.slice(0, 20)}… would exceed 64 characters`);
                    continue;
                }
                spec.secret = configKey;
                secrets.push({ configKey, value: hidden ? undefined : (v.value ?? undefined), at });
                if (hidden) notes.push(`${at}: hidden in GitLab, its value cannot be read: set nexora:${configKey} yourself before the first up`);
            } else spec.value = v.value;
            spec.masked = v.masked;
            spec.protected = v.protected;
            if (v.environment_scope !== "*") spec.environmentScope = v.environment_scope;
            if (v.variable_type !== "env_var") spec.variableType = v.variable_type;
            if (v.raw) spec.raw = true;
            if (v.description) spec.description = v.description;
            spec.import = `${where}:${v.key}:${v.environment_scope}`;
            variables[v.key] = spec;
        }
        if (Object.keys(variables).length > 0) entry.variables = variables;

        const branches: Record<string, string> = {};
        for (const name of PROTECTED_BRANCHES) {
            const b = (snapshot.branches[p.id] ?? []).find((x) => x.name === name);
            if (!b) continue;
            const push = roleLevel(b.push_access_levels);
            const merge = roleLevel(b.merge_access_levels);
            if (push === BRANCH_ACCESS[name].push && merge === BRANCH_ACCESS[name].merge && !b.allow_force_push) branches[name] = `${where}:${name}`;
            else
                notes.push(
                    `${where} branch ${name}: protected as push ${push ?? "(mixed)"}, merge ${merge ?? "(mixed)"}${b.allow_force_push ? ", force push" : ""}; the program declares push ${BRANCH_ACCESS[name].push}, merge ${BRANCH_ACCESS[name].merge}: not imported. Unprotect it in GitLab (Settings > Repository) before the first up, which protects it as declared`,
                );
        }
        if (Object.keys(branches).length > 0) imports.branches = branches;
        const tag = (snapshot.tags[p.id] ?? []).find((t) => t.name === PROTECTED_TAG);
        if (tag) {
            const create = roleLevel(tag.create_access_levels);
            if (create === TAG_CREATE_ACCESS) imports.tags = { [PROTECTED_TAG]: `${where}:${PROTECTED_TAG}` };
            else
                notes.push(
                    `${where} tags ${PROTECTED_TAG}: created by ${create ?? "(mixed)"}; the program declares ${TAG_CREATE_ACCESS}: the first up takes the protection over and sets it`,
                );
        }
        entry.import = imports;

        // Hook tokens and deploy-token values cannot be read back: rotated once (the program makes its own).
        for (const h of snapshot.hooks[p.id] ?? []) {
            if (hookUrl !== "" && h.url === hookUrl)
                notes.push(
                    `${where} hook ${h.id} to the ops bot: not imported (GitLab never returns its token); the first up adds a hook with nexora:gitlabHookToken: delete hook ${h.id} after it`,
                );
        }
        for (const t of snapshot.deployTokens[p.id] ?? []) {
            if (!t.revoked && !t.expired && (t.scopes ?? []).includes("read_registry"))
                notes.push(
                    `${where} deploy token ${t.id} (${t.name}): not imported (its value cannot be read back); if its app pulls with @project:, the first up makes a new one: revoke ${t.id} after it`,
                );
        }
        products[key] = entry;
    }
    return { groups, products, secrets, notes };
}
