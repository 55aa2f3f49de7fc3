// Reading raw config strings: the issue collector and the per-type readers, whose messages never echo a hostile or secret value.
import { closest, distance } from "fastest-levenshtein";
import { carriesCredential } from "../credentials";
import { isEnvName, isPort, nullProtoMap, ownEntries } from "../validators";
import { CONFIG_NAMESPACE, type ConfigIssue } from "./types";

/** Accumulates issues so one run reports every bad key. */
export class Checker {
    readonly issues: ConfigIssue[] = [];
    fail(key: string, expected: string, didYouMean?: string): void {
        this.issues.push({ key: `${CONFIG_NAMESPACE}:${key}`, expected, ...(didYouMean === undefined ? {} : { didYouMean }) });
    }
}

/**
 * A value for an error message: echoed only when it is short and plain. Anything carrying a
 * credential, shell or config syntax is described, not shown, so an error never repeats a
 * secret or a payload into CI logs.
 */
export function describe(value: unknown): string {
    if (typeof value === "string") {
        if (carriesCredential(value)) return `a value that carries a credential (not shown, ${value.length} characters)`;
        if (value.length <= 80 && /^[A-Za-z0-9._:/@+=,-]*$/.test(value.replace(/\{(service|domain)\}/g, ""))) return JSON.stringify(value);
        return `a string of ${value.length} characters with characters not allowed here (not shown)`;
    }
    if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
    return Array.isArray(value) ? `a list of ${value.length}` : "a mapping";
}

/** A name from the stack file as part of a message key: shown when plain, else by position. */
export function keyPart(name: string, index: number): string {
    return /^[A-Za-z0-9 _.-]{1,64}$/.test(name) ? name : `<name #${index + 1}, not shown>`;
}

/**
 * The known name a misspelt one most likely meant: the nearest by edit distance (ignoring case),
 * when it is close enough to be a typo (at most a third of the name's length, at least 2 edits
 * allowed). undefined when nothing is that close.
 */
export function nearestName(name: string, known: Iterable<string>): string | undefined {
    const candidates = [...known];
    if (candidates.length === 0 || name === "") return undefined;
    const lower = name.toLowerCase();
    const best = closest(
        lower,
        candidates.map((k) => k.toLowerCase()),
    );
    const found = candidates.find((k) => k.toLowerCase() === best)!;
    return distance(lower, best) <= Math.max(2, Math.floor(name.length / 3)) ? found : undefined;
}

/** The suggestion for a misspelt name, made only when the name itself may be shown (see keyPart). */
export function didYouMean(name: string, index: number, known: Iterable<string>, prefix = ""): string | undefined {
    if (keyPart(name, index) !== name) return undefined;
    const near = nearestName(name, known);
    return near === undefined ? undefined : `${prefix}${near}`;
}

export function readBoolean(c: Checker, key: string, raw: string): boolean {
    if (raw === "true") return true;
    if (raw === "false") return false;
    c.fail(key, `true or false, got ${describe(raw)}`);
    return false;
}

export function readPort(c: Checker, key: string, raw: unknown, allowZero: boolean): number {
    const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (isPort(n) || (allowZero && n === 0)) return n;
    c.fail(key, `${allowZero ? "0 (off) or " : ""}a port number 1-65535, got ${describe(raw)}`);
    return 0;
}

export function readEnum<T extends string>(c: Checker, key: string, raw: string | undefined, allowed: readonly T[]): T {
    if (raw !== undefined && (allowed as readonly string[]).includes(raw)) return raw as T;
    c.fail(key, `one of ${allowed.join(", ")}, got ${describe(raw)}`);
    return allowed[0]!;
}

export function readJsonObject(c: Checker, key: string, raw: string | undefined): Record<string, unknown> {
    if (raw === undefined || raw === "") return nullProtoMap([]);
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        c.fail(key, "an object (YAML mapping)");
        return nullProtoMap([]);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        c.fail(key, `an object (YAML mapping), got ${describe(parsed)}`);
        return nullProtoMap([]);
    }
    // Null prototype: keys like "constructor" or "toString" are entries, never inherited members.
    return nullProtoMap(ownEntries(parsed));
}
export function readStringMap(c: Checker, key: string, raw: unknown, valueCheck: (name: string, v: string) => string | undefined): Record<string, string> {
    const out = nullProtoMap<string>([]);
    if (raw === undefined) return out;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        c.fail(key, `a mapping of NAME: value, got ${describe(raw)}`);
        return out;
    }
    for (const [i, [name, value]] of ownEntries(raw).entries()) {
        const at = `${key}.${keyPart(name, i)}`;
        if (!isEnvName(name) || name === "__proto__") {
            c.fail(at, "an environment variable name ([A-Za-z_][A-Za-z0-9_]*, at most 128 characters, not __proto__)");
            continue;
        }
        const v = typeof value === "number" || typeof value === "boolean" ? String(value) : value;
        if (typeof v !== "string") {
            c.fail(at, `a string, got ${describe(value)}`);
            continue;
        }
        const problem = valueCheck(name, v);
        if (problem) c.fail(at, problem);
        else out[name] = v;
    }
    return out;
}
