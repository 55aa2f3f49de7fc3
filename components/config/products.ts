// GitLab content from `nexora:gitlabGroups` and `nexora:products`: groups, one project per product, its CI/CD variables, import IDs and rename alias, each field checked.
import { carriesCredential, isCredentialName } from "../credentials";
import { isConfigKeyName, nullProtoMap, ownEntries } from "../validators";
import { APP_KEY } from "./apps";
import { Checker, describe, keyPart } from "./checker";
import { CONFIG_NAMESPACE } from "./types";

export type GitlabVisibility = "private" | "internal" | "public";
export const GITLAB_VISIBILITIES: readonly GitlabVisibility[] = ["private", "internal", "public"];

/**
 * One path segment of a group or project, stricter than GitLab's own rule (letters, digits, "_",
 * "-", "." without consecutive special characters): lowercase only, so a segment maps to one
 * resource name; "--" can then join segments in a resource name without ambiguity.
 */
export const PATH_SEGMENT = /^[a-z0-9](?:[._-]?[a-z0-9])*$/;
const PATH_SEGMENT_MAX = 100;
/** GitLab's rule for a CI/CD variable key (API: "can contain only letters, digits and '_'"), at most 255 characters. */
export const VARIABLE_KEY = /^[A-Za-z0-9_]{1,255}$/;
/** Environment scope: `*`, an environment name, or a wildcard such as `review/*`. */
const ENVIRONMENT_SCOPE = /^(\*|[A-Za-z0-9_./*-]{1,255})$/;
const BRANCH_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;

export interface GitlabGroupSettings {
    /** Full path, the key under `nexora:gitlabGroups` (`nexora`, `nexora/apps`). */
    readonly path: string;
    /** Display name. @default the last path segment */
    readonly name: string;
    /** @default "" */
    readonly description: string;
    /** @default "private" */
    readonly visibility: GitlabVisibility;
    /** Full path of the parent group (declared too), for a subgroup. */
    readonly parent?: string;
    /** Import ID of an existing group: its numeric id, written by `npm run adopt-gitlab`. */
    readonly importId?: string;
}

export interface ProductVariableSettings {
    readonly key: string;
    /** Plain value from the stack file; exclusive with `secret`. */
    readonly value?: string;
    /** Name of the secret config key (under `nexora:`) holding the value. */
    readonly secret?: string;
    /** @default true for a credential-named key, else false */
    readonly masked: boolean;
    /** @default true for a credential-named key, else false */
    readonly protected: boolean;
    /** @default "*" */
    readonly environmentScope: string;
    /** `env_var`, or `file` (the job gets a path to a file holding the value). @default "env_var" */
    readonly variableType: "env_var" | "file";
    /** Do not expand `$VAR` references in the value. @default false */
    readonly raw: boolean;
    /** @default "" */
    readonly description: string;
    /** Import ID `group/project:KEY:scope` of the existing variable. */
    readonly importId?: string;
}

/** One product: its GitLab project and what hangs off it. */
export interface ProductSettings {
    /** Key under `nexora:products`; names its resources. */
    readonly key: string;
    /** Full path of its group (a key of `nexora:gitlabGroups`). */
    readonly group: string;
    /** Project path inside the group. @default the key */
    readonly path: string;
    /** @default the path */
    readonly name: string;
    readonly description: string;
    /** @default "private" */
    readonly visibility: GitlabVisibility;
    /** Explicit consent to a public project in prod (policy gitlab-project-require-public-flag). @default false */
    readonly allowPublic: boolean;
    /** @default "main" */
    readonly defaultBranch: string;
    /** Review environments (the project's environments feature). @default false */
    readonly reviewEnvironments: boolean;
    /** Key of its business app under `nexora:apps`, if any. */
    readonly app?: string;
    readonly variables: readonly ProductVariableSettings[];
    /** Product key this entry was renamed from: its resources keep their URNs through aliases. */
    readonly renamedFrom?: string;
    /** Import IDs of the existing project and protections, written by `npm run adopt-gitlab`. */
    readonly importIds: {
        readonly project?: string;
        readonly branches: Readonly<Record<string, string>>;
        readonly tags: Readonly<Record<string, string>>;
    };
}

/** Branches every product project protects, and the tag pattern the prod pipeline relies on. */
export const PROTECTED_BRANCHES = ["main", "develop"] as const;
export const PROTECTED_TAG = "v*";
export type AccessLevel = "no one" | "developer" | "maintainer" | "admin";
/**
 * Who may push and merge on each protected branch: main takes maintainers' merges (and their
 * first push of an empty project); develop is the developers' integration branch.
 */
export const BRANCH_ACCESS: Readonly<Record<(typeof PROTECTED_BRANCHES)[number], { readonly push: AccessLevel; readonly merge: AccessLevel }>> = {
    main: { push: "maintainer", merge: "maintainer" },
    develop: { push: "developer", merge: "developer" },
};
/** Release tags start the prod pipeline: only maintainers create them. */
export const TAG_CREATE_ACCESS: AccessLevel = "maintainer";

const GROUP_FIELDS = ["name", "description", "visibility", "import"];
const PRODUCT_FIELDS = [
    "group",
    "path",
    "name",
    "description",
    "visibility",
    "allowPublic",
    "defaultBranch",
    "reviewEnvironments",
    "app",
    "sso",
    "variables",
    "renamedFrom",
    "import",
];
const VARIABLE_FIELDS = ["value", "secret", "masked", "protected", "environmentScope", "variableType", "raw", "description", "import"];
const IMPORT_FIELDS = ["project", "branches", "tags"];

function isPath(value: string): boolean {
    return value.split("/").every((s) => s.length <= PATH_SEGMENT_MAX && PATH_SEGMENT.test(s)) && !/\.(git|atom)$/.test(value);
}

function readVisibility(c: Checker, key: string, raw: unknown): GitlabVisibility {
    if (raw === undefined) return "private";
    if (typeof raw === "string" && (GITLAB_VISIBILITIES as readonly string[]).includes(raw)) return raw as GitlabVisibility;
    c.fail(key, `one of ${GITLAB_VISIBILITIES.join(", ")}, got ${describe(raw)}`);
    return "private";
}

function readBool(c: Checker, key: string, raw: unknown, fallback: boolean): boolean {
    if (raw === undefined) return fallback;
    if (typeof raw === "boolean") return raw;
    c.fail(key, `true or false, got ${describe(raw)}`);
    return fallback;
}

function readImportId(c: Checker, key: string, raw: unknown): string | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw === "string" && /^[A-Za-z0-9][A-Za-z0-9._/:*-]{0,500}$/.test(raw)) return raw;
    c.fail(key, `an import ID (numeric id or GitLab path, with ":"-separated parts), got ${describe(raw)}`);
    return undefined;
}

/**
 * A group is imported by its numeric id, not its path: the program hands the group's resource id
 * to its projects' namespaceId and its subgroups' parentId as a number.
 */
function readGroupImportId(c: Checker, key: string, raw: unknown): string | undefined {
    if (raw === undefined) return undefined;
    const value = typeof raw === "number" ? String(raw) : raw;
    if (typeof value === "string" && /^[1-9]\d{0,18}$/.test(value)) return value;
    c.fail(key, `the group's numeric id (npm run adopt-gitlab writes it; the program passes it to projects as a number), got ${describe(raw)}`);
    return undefined;
}

function mapping(c: Checker, key: string, raw: unknown, what: string): Record<string, unknown> | undefined {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        c.fail(key, `${what}, got ${describe(raw)}`);
        return undefined;
    }
    return nullProtoMap(ownEntries(raw));
}

/** `nexora:gitlabGroups`: full path → settings. Parents must be declared too. */
export function readGitlabGroups(c: Checker, raw: Record<string, unknown>): GitlabGroupSettings[] {
    const out: GitlabGroupSettings[] = [];
    for (const [i, [path, spec]] of Object.entries(raw).entries()) {
        // A valid path is plain text ("/" included): shown as it is.
        const at = `gitlabGroups.${isPath(path) ? path : keyPart(path, i)}`;
        if (!isPath(path)) {
            c.fail(at, "a group path: lowercase segments of letters and digits joined by single '.', '_' or '-', '/' between a parent and its subgroup");
            continue;
        }
        const g = spec === null || spec === undefined ? nullProtoMap<unknown>([]) : mapping(c, at, spec, "a mapping (name, visibility, import) or nothing");
        if (!g) continue;
        for (const [j, field] of Object.keys(g).entries())
            if (!GROUP_FIELDS.includes(field)) c.fail(`${at}.${keyPart(field, j)}`, `a known group field (${GROUP_FIELDS.join(", ")})`);
        const name = g.name ?? path.split("/").pop()!;
        if (typeof name !== "string" || name.trim() === "" || name.length > 255 || /[\u0000-\u001f\u007f]/.test(name))
            c.fail(`${at}.name`, `a display name of 1-255 characters, got ${describe(name)}`);
        const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : undefined;
        if (parent !== undefined && !Object.hasOwn(raw, parent))
            c.fail(at, `its parent group ${describe(parent)} declared under ${CONFIG_NAMESPACE}:gitlabGroups too`);
        const description = g.description ?? "";
        if (typeof description !== "string" || description.length > 2000) c.fail(`${at}.description`, "a text of at most 2000 characters");
        out.push({
            path,
            name: typeof name === "string" ? name : path,
            description: typeof description === "string" ? description : "",
            visibility: readVisibility(c, `${at}.visibility`, g.visibility),
            parent,
            importId: readGroupImportId(c, `${at}.import`, g.import),
        });
    }
    // Parents first: a subgroup's resource needs its parent's id.
    return out.sort((a, b) => a.path.split("/").length - b.path.split("/").length || a.path.localeCompare(b.path));
}

/** What readProduct needs from the rest of the config. */
export interface ProductContext {
    readonly groups: ReadonlySet<string>;
    readonly appKeys: ReadonlySet<string>;
    /** Whether a `nexora:` key is stored as a secret; undefined when the runtime cannot tell. */
    readonly isSecret: (key: string) => boolean | undefined;
    readonly raw: Readonly<Record<string, string>>;
    /** Keys the platform itself declares (a variable's secret must not be one). */
    readonly platformKeys: ReadonlySet<string>;
}

export function readProduct(c: Checker, key: string, index: number, raw: unknown, ctx: ProductContext): ProductSettings | undefined {
    const at = `products.${keyPart(key, index)}`;
    if (!APP_KEY.test(key)) {
        c.fail(at, "a product name of 2-32 characters: lowercase letters, digits and hyphens, starting with a letter");
        return undefined;
    }
    const p = mapping(c, at, raw, "a mapping with at least group");
    if (!p) return undefined;
    for (const [i, field] of Object.keys(p).entries())
        if (!PRODUCT_FIELDS.includes(field)) c.fail(`${at}.${keyPart(field, i)}`, `a known product field (${PRODUCT_FIELDS.join(", ")})`);

    let group = "";
    if (p.group === undefined)
        c.fail(`${at}.group`, `the group the project lives in (a key of ${CONFIG_NAMESPACE}:gitlabGroups); a product without a group has no place in GitLab`);
    else if (typeof p.group !== "string" || !ctx.groups.has(p.group))
        c.fail(
            `${at}.group`,
            `a group declared under ${CONFIG_NAMESPACE}:gitlabGroups (${[...ctx.groups].sort().join(", ") || "none declared"}), got ${describe(p.group)}`,
        );
    else group = p.group;

    const path = p.path ?? key;
    if (typeof path !== "string" || path.includes("/") || !isPath(path))
        c.fail(`${at}.path`, `a project path: lowercase letters and digits joined by single '.', '_' or '-', got ${describe(path)}`);
    const name = p.name ?? path;
    if (typeof name !== "string" || name.trim() === "" || name.length > 255 || /[\u0000-\u001f\u007f]/.test(name))
        c.fail(`${at}.name`, `a display name of 1-255 characters, got ${describe(name)}`);
    const description = p.description ?? "";
    if (typeof description !== "string" || description.length > 2000 || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(description))
        c.fail(`${at}.description`, "a text of at most 2000 characters");
    const defaultBranch = p.defaultBranch ?? "main";
    if (typeof defaultBranch !== "string" || !BRANCH_NAME.test(defaultBranch) || defaultBranch.includes(".."))
        c.fail(`${at}.defaultBranch`, `a branch name, got ${describe(defaultBranch)}`);

    let app: string | undefined;
    if (p.app !== undefined) {
        if (typeof p.app !== "string" || !ctx.appKeys.has(p.app))
            c.fail(`${at}.app`, `the key of an app under ${CONFIG_NAMESPACE}:apps, got ${describe(p.app)}`);
        else app = p.app;
    }
    // A product's SSO is its app's: one switch, under apps.<key>.sso, so it is never set twice.
    if (p.sso !== undefined) c.fail(`${at}.sso`, `no sso here: set ${CONFIG_NAMESPACE}:apps.<app>.sso on the product's app (product.app)`);

    const variables: ProductVariableSettings[] = [];
    const varsRaw =
        p.variables === undefined
            ? nullProtoMap<unknown>([])
            : mapping(c, `${at}.variables`, p.variables, "a mapping of KEY: { value | secret, masked, protected, environmentScope }");
    for (const [i, [vkey, spec]] of Object.entries(varsRaw ?? {}).entries()) {
        const vat = `${at}.variables.${keyPart(vkey, i)}`;
        if (!VARIABLE_KEY.test(vkey)) {
            c.fail(vat, "a variable key GitLab accepts: letters, digits and '_' only, 1-255 characters");
            continue;
        }
        const v = typeof spec === "string" ? nullProtoMap<unknown>([["value", spec]]) : mapping(c, vat, spec, "a mapping with value or secret");
        if (!v) continue;
        for (const [j, field] of Object.keys(v).entries())
            if (!VARIABLE_FIELDS.includes(field)) c.fail(`${vat}.${keyPart(field, j)}`, `a known variable field (${VARIABLE_FIELDS.join(", ")})`);
        const credential = isCredentialName(vkey);
        let value: string | undefined;
        let secret: string | undefined;
        if ((v.value === undefined) === (v.secret === undefined)) c.fail(vat, "exactly one of value (plain) or secret (a secret config key)");
        else if (v.value !== undefined) {
            if (typeof v.value !== "string") c.fail(`${vat}.value`, `a string, got ${describe(v.value)}`);
            else if (credential)
                c.fail(
                    `${vat}.value`,
                    `no plaintext: ${vkey} names a credential; store it with pulumi config set --secret <key> and reference it as secret: <key>`,
                );
            else if (carriesCredential(v.value))
                c.fail(
                    `${vat}.value`,
                    "a value without a credential in it (a password in a URL, a password=/token= parameter or a token-shaped string was found; not shown): use secret: <key>",
                );
            else value = v.value;
        } else if (typeof v.secret !== "string" || !isConfigKeyName(v.secret) || ctx.platformKeys.has(v.secret)) {
            c.fail(
                `${vat}.secret`,
                `the name of a secret config key of this product under ${CONFIG_NAMESPACE}: (not a platform key), got ${describe(v.secret)}`,
            );
        } else if (ctx.isSecret(v.secret) === false) {
            c.fail(`${vat}.secret`, `${CONFIG_NAMESPACE}:${v.secret} to be stored as a secret (pulumi config set --secret ${v.secret} ...), not in plaintext`);
        } else secret = v.secret;
        const environmentScope = v.environmentScope ?? "*";
        if (typeof environmentScope !== "string" || !ENVIRONMENT_SCOPE.test(environmentScope))
            c.fail(`${vat}.environmentScope`, `"*" or an environment name or wildcard, got ${describe(environmentScope)}`);
        const variableType = v.variableType ?? "env_var";
        if (variableType !== "env_var" && variableType !== "file") c.fail(`${vat}.variableType`, `env_var or file, got ${describe(variableType)}`);
        const vdescription = v.description ?? "";
        if (typeof vdescription !== "string" || vdescription.length > 255) c.fail(`${vat}.description`, "a text of at most 255 characters");
        variables.push({
            key: vkey,
            value,
            secret,
            variableType: variableType === "file" ? "file" : "env_var",
            raw: readBool(c, `${vat}.raw`, v.raw, false),
            description: typeof vdescription === "string" ? vdescription : "",
            masked: readBool(c, `${vat}.masked`, v.masked, credential),
            protected: readBool(c, `${vat}.protected`, v.protected, credential),
            environmentScope: typeof environmentScope === "string" ? environmentScope : "*",
            importId: readImportId(c, `${vat}.import`, v.import),
        });
    }

    let renamedFrom: string | undefined;
    if (p.renamedFrom !== undefined) {
        if (typeof p.renamedFrom !== "string" || !APP_KEY.test(p.renamedFrom) || p.renamedFrom === key)
            c.fail(`${at}.renamedFrom`, `the product's previous key, got ${describe(p.renamedFrom)}`);
        else renamedFrom = p.renamedFrom;
    }

    const importIds = { project: undefined as string | undefined, branches: nullProtoMap<string>([]), tags: nullProtoMap<string>([]) };
    if (p.import !== undefined) {
        const imp = mapping(c, `${at}.import`, p.import, "a mapping (project, branches, tags)");
        for (const [i, field] of Object.keys(imp ?? {}).entries())
            if (!IMPORT_FIELDS.includes(field)) c.fail(`${at}.import.${keyPart(field, i)}`, `a known import field (${IMPORT_FIELDS.join(", ")})`);
        importIds.project = readImportId(c, `${at}.import.project`, imp?.project);
        for (const [kind, allowed] of [
            ["branches", PROTECTED_BRANCHES as readonly string[]],
            ["tags", [PROTECTED_TAG] as readonly string[]],
        ] as const) {
            if (imp?.[kind] === undefined) continue;
            const m = mapping(c, `${at}.import.${kind}`, imp[kind], `a mapping of ${allowed.join(", ")} to import IDs`);
            for (const [i, [name, id]] of Object.entries(m ?? {}).entries()) {
                if (!allowed.includes(name))
                    c.fail(`${at}.import.${kind}.${keyPart(name, i)}`, `one of ${allowed.join(", ")} (the protections the program declares)`);
                else {
                    const imported = readImportId(c, `${at}.import.${kind}.${name}`, id);
                    if (imported) importIds[kind][name] = imported;
                }
            }
        }
    }

    return {
        key,
        group,
        path: typeof path === "string" ? path : key,
        name: typeof name === "string" ? name : key,
        description: typeof description === "string" ? description : "",
        visibility: readVisibility(c, `${at}.visibility`, p.visibility),
        allowPublic: readBool(c, `${at}.allowPublic`, p.allowPublic, false),
        defaultBranch: typeof defaultBranch === "string" ? defaultBranch : "main",
        reviewEnvironments: readBool(c, `${at}.reviewEnvironments`, p.reviewEnvironments, false),
        app,
        variables,
        renamedFrom,
        importIds,
    };
}

/** Cross-product rules: one project per path, one product per app, one current key per rename. */
export function checkProducts(c: Checker, products: readonly ProductSettings[]): void {
    for (const [i, p] of products.entries()) {
        const earlier = products.slice(0, i);
        const dup = earlier.find((q) => q.group === p.group && q.path === p.path);
        if (dup) c.fail(`products.${p.key}.path`, `a project path not used by another product (${p.group}/${p.path} is also products.${dup.key})`);
        const sameApp = p.app !== undefined ? earlier.find((q) => q.app === p.app) : undefined;
        if (sameApp) c.fail(`products.${p.key}.app`, `an app no other product claims (apps.${p.app} is also products.${sameApp.key}'s)`);
        if (p.renamedFrom !== undefined && products.some((q) => q.key === p.renamedFrom))
            c.fail(`products.${p.key}.renamedFrom`, `a key no current product uses (products.${p.renamedFrom} exists)`);
    }
}

/** Secret config keys product variables reference (read from the raw config; malformed entries are readProduct's to report). */
export function productSecretKeys(products: unknown): { key: string; reportAt: string }[] {
    const out: { key: string; reportAt: string }[] = [];
    if (products === null || typeof products !== "object" || Array.isArray(products)) return out;
    for (const [product, spec] of ownEntries(products)) {
        if (!APP_KEY.test(product) || spec === null || typeof spec !== "object") continue;
        const vars = (spec as { variables?: unknown }).variables;
        if (vars === null || typeof vars !== "object" || Array.isArray(vars)) continue;
        for (const [vkey, v] of ownEntries(vars)) {
            const secret = v !== null && typeof v === "object" ? (v as { secret?: unknown }).secret : undefined;
            if (VARIABLE_KEY.test(vkey) && typeof secret === "string" && isConfigKeyName(secret))
                out.push({ key: secret, reportAt: `products.${product}.variables.${vkey}.secret` });
        }
    }
    return out;
}
