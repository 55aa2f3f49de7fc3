// Property paths, value lookup and the text diff of two values, shared by the preview
// note and the offline diff.
import { UNKNOWN_VALUE } from "./parse";

export type PathSegment = string | number;

/**
 * Splits a Pulumi property path: `a.b[0]`, `labels["com.docker/x"]`, `envs[3]`.
 * Quoted segments carry keys that contain dots or brackets.
 */
export function parsePropertyPath(path: string): PathSegment[] {
    const segments: PathSegment[] = [];
    let i = 0;
    while (i < path.length) {
        const ch = path[i];
        if (ch === ".") {
            i += 1;
        } else if (ch === "[") {
            const close = path.indexOf("]", i);
            const inner = path.slice(i + 1, close === -1 ? path.length : close);
            if (/^\d+$/.test(inner)) segments.push(Number(inner));
            else if (inner === "*") segments.push("*");
            else {
                try {
                    segments.push(JSON.parse(inner) as string);
                } catch {
                    segments.push(inner.replace(/^"|"$/g, ""));
                }
            }
            i = close === -1 ? path.length : close + 1;
        } else {
            let end = i;
            while (end < path.length && path[end] !== "." && path[end] !== "[") end += 1;
            segments.push(path.slice(i, end));
            i = end;
        }
    }
    return segments;
}

export function formatPath(segments: readonly PathSegment[]): string {
    return segments
        .map((seg, index) => {
            if (typeof seg === "number") return `[${seg}]`;
            if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(seg)) return index === 0 ? seg : `.${seg}`;
            return `[${JSON.stringify(seg)}]`;
        })
        .join("");
}

const MISSING = Symbol("missing");
export type Lookup = unknown | typeof MISSING;

export function getAtPath(root: unknown, segments: readonly PathSegment[]): Lookup {
    let current: unknown = root;
    for (const seg of segments) {
        if (typeof seg === "number" && Array.isArray(current) && seg < current.length) current = current[seg];
        else if (typeof seg === "string" && current !== null && typeof current === "object" && !Array.isArray(current) && seg in current) {
            current = (current as Record<string, unknown>)[seg];
        } else return MISSING;
    }
    return current;
}

export function isMissing(value: Lookup): value is typeof MISSING {
    return value === MISSING;
}

/** The last named segment of a path: the key a value sits under, for masking. */
export function lastKey(segments: readonly PathSegment[]): string | undefined {
    for (let i = segments.length - 1; i >= 0; i -= 1) {
        const seg = segments[i];
        if (typeof seg === "string") return seg;
    }
    return undefined;
}

/** One value as diff lines: strings as themselves (multi-line kept), the rest as JSON. */
export function valueLines(value: Lookup): string[] {
    if (isMissing(value)) return [];
    if (value === UNKNOWN_VALUE) return ["(known after apply)"];
    if (typeof value === "string") return value.split("\n");
    const json = JSON.stringify(value, (_key, v: unknown) => (v === UNKNOWN_VALUE ? "(known after apply)" : v), 2);
    return (json ?? String(value)).split("\n");
}

export interface DiffOp {
    readonly tag: " " | "-" | "+";
    readonly line: string;
}

/** Aligns two line lists by their longest common subsequence. */
export function diffOps(before: readonly string[], after: readonly string[]): DiffOp[] {
    const n = before.length;
    const m = after.length;
    // Past this size the table costs more than it helps: one side out, the other in.
    if (n * m > 4_000_000) return [...before.map((line) => ({ tag: "-" as const, line })), ...after.map((line) => ({ tag: "+" as const, line }))];
    const table: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i -= 1) {
        for (let j = m - 1; j >= 0; j -= 1) {
            table[i][j] = before[i] === after[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
        }
    }
    const ops: DiffOp[] = [];
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && before[i] === after[j]) {
            ops.push({ tag: " ", line: before[i] });
            i += 1;
            j += 1;
        } else if (i < n && (j >= m || table[i + 1][j] >= table[i][j + 1])) {
            // Removals before additions, so a changed line reads "- old" then "+ new".
            ops.push({ tag: "-", line: before[i] });
            i += 1;
        } else {
            ops.push({ tag: "+", line: after[j] });
            j += 1;
        }
    }
    return ops;
}

/**
 * A unified diff of two line lists, with `context` unchanged lines around each change.
 * Caddyfiles and gitlab.rb snippets are multi-line strings: reviewers need the changed
 * lines, not two copies of the file.
 */
export function lineDiff(before: readonly string[], after: readonly string[], context = 2): string[] {
    const ops = diffOps(before, after);
    const changedAt = ops.map((op, index) => (op.tag !== " " ? index : -1)).filter((index) => index >= 0);
    const near = (index: number) => changedAt.some((c) => Math.abs(c - index) <= context);
    const out: string[] = [];
    let skipped = false;
    ops.forEach((op, index) => {
        if (op.tag !== " " || near(index)) {
            out.push(`${op.tag} ${op.line}`);
            skipped = false;
        } else if (!skipped) {
            out.push("  …");
            skipped = true;
        }
    });
    return out;
}
