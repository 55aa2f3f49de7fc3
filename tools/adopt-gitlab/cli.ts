// npm run adopt-gitlab -- <stack> [--url URL] [--group PATH]... [--write] [--set-secrets] [--config FILE]
//
// Adopts an existing GitLab's groups and projects into a stack's config: lists them through the
// GitLab API (gitbeaker), with each project's CI/CD variables, protected branches and tags, hooks
// and deploy tokens, and writes `nexora:gitlabGroups` and `nexora:products` entries carrying import
// IDs, so the next `pulumi up` imports them (the `import` resource option) instead of creating them.
// The token comes from GITLAB_TOKEN (never a flag: flags land in shell history and CI logs).
// Variable values that are credentials go to secret config (`pulumi config set --secret`, with
// --set-secrets), never into the stack file. The merged config is validated before it is written.
//
// Exit codes: 0 adopted (or printed), 1 the GitLab API or pulumi failed, 2 bad arguments or config.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { Gitlab } from "@gitbeaker/rest";
import { isMap, parseDocument, stringify } from "yaml";
import { CONFIG_NAMESPACE, ConfigError, parseSettings } from "../../components/config";
import { isStackName } from "../../components/validators";
import { readStackFile, toEngineConfig } from "../plan/evaluate";
import {
    adopt,
    type Adoption,
    type ApiDeployToken,
    type ApiGroup,
    type ApiHook,
    type ApiProject,
    type ApiProtectedBranch,
    type ApiProtectedTag,
    type ApiVariable,
    type InstanceSnapshot,
} from "./adopt";

export const USAGE = `usage: npm run adopt-gitlab -- <stack> [--url URL] [--group PATH]... [--write] [--set-secrets] [--config FILE]

  <stack>          dev, staging, prod: the stack whose config gets the entries
  --url URL        GitLab's URL (default: GITLAB_URL); the token is read from GITLAB_TOKEN
  --group PATH     adopt this top-level group and its subgroups only (repeatable; default: every group the token sees)
  --write          merge the entries into the stack file (default: print them)
  --set-secrets    store credential variable values with pulumi config set --secret (value on stdin)
  --config FILE    the stack's config file (default: Pulumi.<stack>.yaml)`;

export interface AdoptIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
    readonly env: Readonly<Record<string, string | undefined>>;
    /** Runs `pulumi <args>` with `input` on stdin; resolves its exit code. */
    readonly pulumi?: (args: readonly string[], input: string) => Promise<number>;
}

const ROOT = path.resolve(__dirname, "..", "..");

const OPTIONS = {
    url: { type: "string" },
    group: { type: "string", multiple: true },
    write: { type: "boolean" },
    "set-secrets": { type: "boolean" },
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

/** Reads the instance: groups (filtered to `only` and their subgroups), their projects, and each project's settings. */
export async function readInstance(url: string, token: string, only: readonly string[]): Promise<InstanceSnapshot> {
    const api = new Gitlab({ host: url, token });
    const all = (await api.Groups.all({ allAvailable: true })) as unknown as ApiGroup[];
    const groups = all.filter((g) => only.length === 0 || only.some((o) => g.full_path === o || g.full_path.startsWith(`${o}/`)));
    const projects: ApiProject[] = [];
    for (const g of groups) projects.push(...((await api.Groups.allProjects(g.id)) as unknown as ApiProject[]).filter((p) => p.namespace.id === g.id));
    const per = async <T>(fetch: (id: number) => Promise<unknown>): Promise<Record<number, T[]>> => {
        const out: Record<number, T[]> = {};
        for (const p of projects) out[p.id] = (await fetch(p.id)) as T[];
        return out;
    };
    return {
        groups,
        projects,
        variables: await per<ApiVariable>((id) => api.ProjectVariables.all(id)),
        branches: await per<ApiProtectedBranch>((id) => api.ProtectedBranches.all(id)),
        tags: await per<ApiProtectedTag>((id) => api.ProtectedTags.all(id)),
        hooks: await per<ApiHook>((id) => api.ProjectHooks.all(id)),
        deployTokens: await per<ApiDeployToken>((id) => api.DeployTokens.all({ projectId: id })),
    };
}

/** The stack file with the adoption merged in: adopted fields replace, fields the operator added (app, renamedFrom...) stay. */
export function mergeIntoStackText(text: string, adoption: Adoption): string {
    const doc = parseDocument(text);
    if (!isMap(doc.get("config"))) doc.set("config", doc.createNode({}));
    for (const [key, entries] of [
        [`${CONFIG_NAMESPACE}:gitlabGroups`, adoption.groups],
        [`${CONFIG_NAMESPACE}:products`, adoption.products],
    ] as const) {
        if (Object.keys(entries).length === 0) continue;
        if (!isMap(doc.getIn(["config", key]))) doc.setIn(["config", key], doc.createNode({}));
        for (const [name, fields] of Object.entries(entries)) {
            if (!isMap(doc.getIn(["config", key, name]))) doc.setIn(["config", key, name], doc.createNode({}));
            for (const [field, value] of Object.entries(fields)) doc.setIn(["config", key, name, field], doc.createNode(value));
        }
    }
    return doc.toString();
}

function defaultPulumi(args: readonly string[], input: string): Promise<number> {
    return new Promise((resolve) => {
        const child = spawn("pulumi", [...args], { cwd: ROOT, stdio: ["pipe", "inherit", "inherit"] });
        child.on("error", () => resolve(127));
        child.on("close", (code) => resolve(code ?? 1));
        child.stdin.end(input);
    });
}

export async function main(argv: readonly string[], io: AdoptIo): Promise<number> {
    let values: { url?: string; group?: string[]; write?: boolean; "set-secrets"?: boolean; config?: string; help?: boolean };
    let positionals: string[];
    try {
        ({ values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true }));
    } catch (err) {
        io.stderr(`${(err as Error).message}\n${USAGE}\n`);
        return 2;
    }
    if (values.help) {
        io.stdout(`${USAGE}\n`);
        return 0;
    }
    const [stack, ...extra] = positionals;
    if (stack === undefined || extra.length > 0 || !isStackName(stack)) {
        io.stderr(`expected exactly one stack name (lowercase letters, digits, hyphens)\n${USAGE}\n`);
        return 2;
    }
    const url = values.url ?? io.env.GITLAB_URL ?? "";
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/.test(url)) {
        io.stderr(`--url (or GITLAB_URL): expected GitLab's base URL such as https://gitlab.nexora.restry.cn\n${USAGE}\n`);
        return 2;
    }
    const token = io.env.GITLAB_TOKEN ?? "";
    if (token.trim() === "") {
        io.stderr("GITLAB_TOKEN: expected an API token with read_api (set it in the environment, not as a flag)\n");
        return 2;
    }
    const file = values.config ?? path.join(ROOT, `Pulumi.${stack}.yaml`);
    if (!existsSync(file)) {
        io.stderr(`stack config file not found: ${file}\n`);
        return 2;
    }
    const config = readStackFile(file);
    const existingProducts = (config[`${CONFIG_NAMESPACE}:products`] ?? {}) as Record<string, { group?: unknown; path?: unknown }>;
    const existing = Object.fromEntries(Object.entries(existingProducts).map(([k, v]) => [k, { group: v?.group, path: v?.path ?? k }]));
    const hookUrl = String(config[`${CONFIG_NAMESPACE}:gitlabHookUrl`] ?? "");

    let snapshot: InstanceSnapshot;
    try {
        snapshot = await readInstance(url.replace(/\/$/, ""), token, values.group ?? []);
    } catch (err) {
        // gitbeaker's errors carry the request, never the token.
        io.stderr(`GitLab API at ${url} failed: ${(err as Error).message}\n`);
        return 1;
    }
    const adoption = adopt(snapshot, existing, hookUrl);
    const merged = mergeIntoStackText(readFileSync(file, "utf8"), adoption);

    // The merged file must be a valid config, secrets counted as set, before anything is written.
    const mergedConfig = parseDocument(merged).toJS() as { config?: Record<string, unknown> };
    const { values: engineValues } = toEngineConfig(stack, mergedConfig.config ?? {});
    const raw = Object.fromEntries(
        Object.entries(engineValues)
            .filter(([k]) => k.startsWith(`${CONFIG_NAMESPACE}:`))
            .map(([k, v]) => [k.slice(CONFIG_NAMESPACE.length + 1), v]),
    );
    for (const s of adoption.secrets) raw[s.configKey] ??= "adopted-secret-placeholder-0123456789";
    try {
        parseSettings(raw, { project: "nexora", stack });
    } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        io.stderr(`the adopted entries do not make a valid config; nothing written:\n${err.message}\n`);
        return 2;
    }

    io.stdout(stringify({ [`${CONFIG_NAMESPACE}:gitlabGroups`]: adoption.groups, [`${CONFIG_NAMESPACE}:products`]: adoption.products }));
    io.stdout(`\n${Object.keys(adoption.groups).length} groups, ${Object.keys(adoption.products).length} projects adopted.\n`);
    for (const note of adoption.notes) io.stdout(`- ${note}\n`);
    if (values.write) {
        writeFileSync(file, merged);
        io.stdout(`written to ${file}\n`);
    }
    if (adoption.secrets.length > 0) {
        if (values["set-secrets"]) {
            const run = io.pulumi ?? defaultPulumi;
            for (const s of adoption.secrets.filter((x) => x.value !== undefined)) {
                const code = await run(["config", "set", "--secret", "--stack", stack, `${CONFIG_NAMESPACE}:${s.configKey}`], s.value!);
                if (code !== 0) {
                    io.stderr(`pulumi config set --secret ${s.configKey} failed (exit ${code})\n`);
                    return 1;
                }
                io.stdout(`secret ${CONFIG_NAMESPACE}:${s.configKey} set (${s.at})\n`);
            }
        } else {
            io.stdout("secret config to set (values not shown; --set-secrets stores the ones GitLab returned):\n");
            for (const s of adoption.secrets) io.stdout(`  pulumi config set --secret --stack ${stack} ${s.configKey}   # ${s.at}\n`);
        }
    }
    return 0;
}

if (require.main === module) {
    void main(process.argv.slice(2), {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        env: process.env,
    }).then((code) => (process.exitCode = code));
}
