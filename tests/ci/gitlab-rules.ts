// Just enough of GitLab CI's semantics to test .gitlab-ci.yml by parsing it: `extends`
// (hashes merged deep, everything else replaced) and `rules:if` expressions ($VAR,
// strings, /regex/, ==, !=, =~, !~, &&, ||, parentheses; an undefined variable is null).
import { readFileSync } from "node:fs";
import * as path from "node:path";
import YAML from "yaml";

export type Env = Readonly<Record<string, string | undefined>>;
type Json = Record<string, unknown>;

export const CI_FILE = path.join(__dirname, "../../.gitlab-ci.yml");

export function loadCi(): Json {
    return YAML.parse(readFileSync(CI_FILE, "utf8")) as Json;
}

function isObject(value: unknown): value is Json {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function deepMerge(base: Json, over: Json): Json {
    const out: Json = { ...base };
    for (const [key, value] of Object.entries(over)) out[key] = isObject(value) && isObject(out[key]) ? deepMerge(out[key] as Json, value) : value;
    return out;
}

/** A job with its `extends` chain applied, as GitLab resolves it. */
export function resolveJob(ci: Json, name: string, seen: string[] = []): Json {
    const job = ci[name];
    if (!isObject(job)) throw new Error(`no job ${name}`);
    if (seen.includes(name)) throw new Error(`extends cycle through ${name}`);
    const parents = job.extends === undefined ? [] : Array.isArray(job.extends) ? (job.extends as string[]) : [job.extends as string];
    let merged: Json = {};
    for (const parent of parents) merged = deepMerge(merged, resolveJob(ci, parent, [...seen, name]));
    const own: Json = { ...job };
    delete own.extends;
    return deepMerge(merged, own);
}

const RESERVED = new Set(["workflow", "stages", "variables", "default", "include", "image", "services", "cache", "before_script", "after_script"]);

export function jobNames(ci: Json): string[] {
    return Object.keys(ci).filter((key) => !key.startsWith(".") && !RESERVED.has(key));
}

type Token = { kind: "var" | "str" | "regex" | "null" | "op" | "paren"; value: string };

function tokenize(expr: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    const take = (kind: Token["kind"], value: string, length: number) => {
        tokens.push({ kind, value });
        i += length;
    };
    while (i < expr.length) {
        const rest = expr.slice(i);
        const previous = tokens[tokens.length - 1];
        let m: RegExpExecArray | null;
        if ((m = /^\s+/.exec(rest))) i += m[0].length;
        else if ((m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(rest))) take("var", m[1], m[0].length);
        else if ((m = /^"([^"]*)"|^'([^']*)'/.exec(rest))) take("str", m[1] ?? m[2], m[0].length);
        else if ((m = /^null\b/.exec(rest))) take("null", "null", 4);
        else if ((m = /^(==|!=|=~|!~|&&|\|\|)/.exec(rest))) take("op", m[1], m[0].length);
        else if (rest[0] === "(" || rest[0] === ")") take("paren", rest[0], 1);
        else if (previous?.kind === "op" && (previous.value === "=~" || previous.value === "!~") && (m = /^\/((?:\\.|[^/\\])*)\/([a-z]*)/.exec(rest))) {
            take("regex", m[0], m[0].length);
        } else throw new Error(`cannot read ${JSON.stringify(rest)} in ${JSON.stringify(expr)}`);
    }
    return tokens;
}

/** Evaluates one `rules:if` expression against pipeline variables. */
export function evaluateIf(expr: string, env: Env): boolean {
    const tokens = tokenize(expr);
    let pos = 0;
    const operand = (): string | null | RegExp => {
        const token = tokens[pos++];
        if (token.kind === "var") return env[token.value] ?? null;
        if (token.kind === "str") return token.value;
        if (token.kind === "null") return null;
        if (token.kind === "regex") {
            const m = /^\/(.*)\/([a-z]*)$/.exec(token.value) as RegExpExecArray;
            return new RegExp(m[1], m[2]);
        }
        throw new Error(`unexpected ${token.value} in ${expr}`);
    };
    const comparison = (): boolean => {
        if (tokens[pos]?.value === "(") {
            pos += 1;
            const inner = or();
            if (tokens[pos++]?.value !== ")") throw new Error(`missing ) in ${expr}`);
            return inner;
        }
        const left = operand();
        const op = tokens[pos];
        if (op?.kind === "op" && ["==", "!=", "=~", "!~"].includes(op.value)) {
            pos += 1;
            const right = operand();
            if (op.value === "==") return left === right;
            if (op.value === "!=") return left !== right;
            const matches = typeof left === "string" && right instanceof RegExp && right.test(left);
            return op.value === "=~" ? matches : !matches;
        }
        return typeof left === "string" && left !== "";
    };
    const and = (): boolean => {
        let value = comparison();
        while (tokens[pos]?.value === "&&") {
            pos += 1;
            const right = comparison();
            value = value && right;
        }
        return value;
    };
    const or = (): boolean => {
        let value = and();
        while (tokens[pos]?.value === "||") {
            pos += 1;
            const right = and();
            value = value || right;
        }
        return value;
    };
    const result = or();
    if (pos !== tokens.length) throw new Error(`trailing tokens in ${expr}`);
    return result;
}

export interface RuleOutcome {
    readonly when: string;
    readonly allowFailure?: boolean;
    /** `rules:variables` of the matching rule. */
    readonly variables?: Readonly<Record<string, string>>;
}

/** The first matching rule's outcome, undefined when the job (or pipeline) is left out. */
export function applyRules(rules: unknown, env: Env): RuleOutcome | undefined {
    if (rules === undefined) return { when: "on_success" };
    for (const rule of rules as Json[]) {
        if (rule.if !== undefined && !evaluateIf(rule.if as string, env)) continue;
        const when = (rule.when as string | undefined) ?? "on_success";
        if (when === "never") return undefined;
        return { when, allowFailure: rule.allow_failure as boolean | undefined, variables: rule.variables as Record<string, string> | undefined };
    }
    return undefined;
}

/** The jobs a pipeline with these variables would have, with how each runs; undefined if no pipeline. */
export function pipelineFor(ci: Json, env: Env): Map<string, RuleOutcome> | undefined {
    if (!applyRules((ci.workflow as Json | undefined)?.rules, env)) return undefined;
    const jobs = new Map<string, RuleOutcome>();
    for (const name of jobNames(ci)) {
        const outcome = applyRules(resolveJob(ci, name).rules, env);
        if (outcome) jobs.set(name, outcome);
    }
    return jobs;
}
