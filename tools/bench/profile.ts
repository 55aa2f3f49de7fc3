/**
 * Where a V8 CPU profile's time went, by function (self and inclusive time) and by file, so a
 * slow plan can be read without DevTools.
 */
import * as path from "node:path";

interface ProfileNode {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
}
export interface CpuProfile {
    readonly nodes: readonly ProfileNode[];
    readonly samples: readonly number[];
    readonly timeDeltas: readonly number[];
}

const ROOT = path.resolve(__dirname, "..", "..");

function where(frame: ProfileNode["callFrame"]): string {
    const file = frame.url.replace(/^file:\/\//, "");
    const rel = file.startsWith(ROOT) ? path.relative(ROOT, file) : file;
    return rel === "" ? "(native)" : rel;
}

function label(frame: ProfileNode["callFrame"]): string {
    return `${frame.functionName || "(anonymous)"}  ${where(frame)}:${frame.lineNumber + 1}`;
}

/** Self and inclusive milliseconds per function label, self milliseconds per file. */
export function summarizeProfile(profile: CpuProfile): {
    totalMs: number;
    self: Map<string, number>;
    inclusive: Map<string, number>;
    files: Map<string, number>;
} {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parentOf = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
    const selfById = new Map<number, number>();
    profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));

    const self = new Map<string, number>();
    const inclusive = new Map<string, number>();
    const files = new Map<string, number>();
    let totalMs = 0;
    for (const [id, ms] of selfById) {
        totalMs += ms;
        const node = byId.get(id)!;
        self.set(label(node.callFrame), (self.get(label(node.callFrame)) ?? 0) + ms);
        files.set(where(node.callFrame), (files.get(where(node.callFrame)) ?? 0) + ms);
        // A recursive function appears several times on one stack: count it once per sample.
        const seen = new Set<string>();
        for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
            const l = label(byId.get(cur)!.callFrame);
            if (seen.has(l)) continue;
            seen.add(l);
            inclusive.set(l, (inclusive.get(l) ?? 0) + ms);
        }
    }
    return { totalMs, self, inclusive, files };
}

export function top(map: Map<string, number>, n: number, totalMs: number): string {
    return [...map]
        .sort(([, a], [, b]) => b - a)
        .slice(0, n)
        .map(([k, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${k}`)
        .join("\n");
}

/** The profile's top entries as text. */
export function renderProfile(profile: CpuProfile, n: number): string {
    const s = summarizeProfile(profile);
    return [
        `total ${s.totalMs.toFixed(0)} ms sampled`,
        "",
        "self time by file:",
        top(s.files, n, s.totalMs),
        "",
        "self time by function:",
        top(s.self, n, s.totalMs),
        "",
        "inclusive time by function:",
        top(s.inclusive, n, s.totalMs),
        "",
    ].join("\n");
}
