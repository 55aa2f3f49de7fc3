// `npm run bench [-- --runs N] [--apps N] [--json] [--cpu-prof DIR]`: wall time and peak memory of `plan` for
// prod and for a synthetic app catalog, next to a baseline that registers the same custom resources directly.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { readStackFile } from "../plan/evaluate";
import { renderProfile, type CpuProfile } from "./profile";
import { countsByType, identityOf, inputsDigestOf, parseChildReport, type ChildReport, type ReplayFile, type TypeCounts } from "./protocol";
import { syntheticAppsConfig } from "./synthetic";

const ROOT = path.resolve(__dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const HERE = path.join(ROOT, "tools", "bench");
const USAGE = "usage: npm run bench -- [--runs N] [--apps N] [--json] [--cpu-prof DIR]";

/** The targets docs/testing.md states ("Performance of `plan`"). */
const TARGETS = { prodRatio: 1.5, appsWallSeconds: 15 } as const;

interface BenchCase {
    readonly id: "prod" | "apps";
    readonly label: string;
    readonly stack: string;
    /** JSON config mapping for evaluateStack; undefined = the stack file. */
    readonly configFile?: string;
}

/** Summary of one kind (plan or baseline) of one case over all runs. */
interface Measured {
    readonly customResources: number;
    readonly components: number;
    readonly medianWallSeconds: number;
    /** Spawn to exit as the parent saw it: adds tsx's launcher process. */
    readonly medianProcessSeconds: number;
    readonly maxPeakRssMiB: number;
    /** Median milliseconds spent in each phase. */
    readonly phasesMs: Readonly<Record<string, number>>;
    readonly runs: readonly { wallSeconds: number; processSeconds: number; peakRssMiB: number }[];
}

interface CaseResult {
    readonly case: string;
    readonly label: string;
    readonly plan: Measured;
    readonly baseline: Measured;
    readonly ratio: number;
    /** Summary of one extra, CPU-profiled plan run (with --cpu-prof). */
    readonly profile?: { readonly file: string; readonly summary: string };
}

interface Verdict {
    readonly target: string;
    readonly value: string;
    readonly pass: boolean;
}

function median(values: readonly number[]): number {
    const s = [...values].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round = (n: number, digits: number): number => Number(n.toFixed(digits));

/**
 * Runs one child through the repo's tsx, sequentially (a concurrent run would skew both). With
 * node flags it runs `node FLAGS --import tsx`, the same loader without tsx's launcher process.
 */
function runChild(script: string, args: readonly string[], nodeFlags?: readonly string[]): Promise<{ stdout: string; processSeconds: number }> {
    const started = process.hrtime.bigint();
    const [command, commandArgs] = nodeFlags ? [process.execPath, [...nodeFlags, "--import", "tsx"]] : [TSX, []];
    return new Promise((resolve, reject) => {
        execFile(command, [...commandArgs, path.join(HERE, script), ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            const processSeconds = Number(process.hrtime.bigint() - started) / 1e9;
            if (err) reject(new Error(`${script} ${args.join(" ")} failed (${err.code ?? err.signal}):\n${stderr}`));
            else resolve({ stdout, processSeconds });
        });
    });
}

async function measure(script: string, args: readonly string[]): Promise<{ report: ChildReport; processSeconds: number }> {
    const { stdout, processSeconds } = await runChild(script, args);
    return { report: parseChildReport(stdout), processSeconds };
}

function summarize(samples: readonly { report: ChildReport; processSeconds: number }[]): Measured {
    const first = samples[0]!.report;
    const phaseNames = Object.keys(first.phases);
    const phasesMs = Object.fromEntries(
        phaseNames.map((name, i) => [
            name,
            round(median(samples.map((s) => s.report.phases[name]! - (i === 0 ? 0 : s.report.phases[phaseNames[i - 1]!]!))), 0),
        ]),
    );
    const runs = samples.map((s) => ({
        wallSeconds: round(s.report.wallMs / 1000, 3),
        processSeconds: round(s.processSeconds, 3),
        peakRssMiB: round(s.report.maxRssKiB / 1024, 1),
    }));
    return {
        customResources: first.customResources,
        components: first.components,
        medianWallSeconds: round(median(runs.map((r) => r.wallSeconds)), 3),
        medianProcessSeconds: round(median(runs.map((r) => r.processSeconds)), 3),
        maxPeakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
        phasesMs,
        runs,
    };
}

/** What every run of a case must register: the prep evaluation's custom resources. */
interface Expected {
    readonly counts: TypeCounts;
    readonly identity: string;
    readonly inputs: string;
    readonly components: number;
}

function expectedOf(replay: ReplayFile): Expected {
    return {
        counts: countsByType(replay.resources),
        identity: identityOf(replay.resources),
        inputs: inputsDigestOf(replay.resources),
        components: replay.components,
    };
}

/** Fails the bench when a run registered other custom resources than the prep evaluation: per type, by type+name, by inputs. */
function checkSameResources(label: string, expected: Expected, reports: readonly ChildReport[]): void {
    for (const r of reports) {
        const types = [...new Set([...Object.keys(expected.counts), ...Object.keys(r.countsByType)])].sort();
        const diff = types
            .filter((t) => (expected.counts[t] ?? 0) !== (r.countsByType[t] ?? 0))
            .map((t) => `  ${t}: plan ${expected.counts[t] ?? 0}, ${r.kind} run ${r.countsByType[t] ?? 0}`);
        if (diff.length > 0) throw new Error(`${label}: a ${r.kind} run did not register the same custom resources per type:\n${diff.join("\n")}`);
        if (r.identity !== expected.identity) throw new Error(`${label}: a ${r.kind} run registered the same counts per type but other names`);
        if (r.inputs !== expected.inputs) throw new Error(`${label}: a ${r.kind} run registered the same resources with other inputs`);
        const components = r.kind === "plan" ? expected.components : 0;
        if (r.components !== components) throw new Error(`${label}: a ${r.kind} run registered ${r.components} component resources, expected ${components}`);
    }
}

/** One extra plan run under the V8 profiler; the main thread's profile is the one that loaded plan-case.ts (tsx's loader thread writes another). */
async function profilePlan(c: BenchCase, configArgs: readonly string[], dir: string): Promise<{ file: string; summary: string }> {
    const caseDir = path.resolve(dir, c.id);
    rmSync(caseDir, { recursive: true, force: true });
    mkdirSync(caseDir, { recursive: true });
    await runChild("plan-case.ts", [c.stack, ...configArgs], ["--cpu-prof", `--cpu-prof-dir=${caseDir}`]);
    for (const name of readdirSync(caseDir).filter((f) => f.endsWith(".cpuprofile"))) {
        const file = path.join(caseDir, name);
        const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
        if (profile.nodes.some((n) => n.callFrame.url.endsWith("plan-case.ts"))) return { file, summary: renderProfile(profile, 12) };
    }
    throw new Error(`${c.label}: no CPU profile of the plan's main thread in ${caseDir}`);
}

async function runCase(c: BenchCase, runs: number, work: string, log: (line: string) => void, profileDir?: string): Promise<CaseResult> {
    const replayFile = path.join(work, `${c.id}.replay.json`);
    const configArgs = c.configFile ? ["--config", c.configFile] : [];
    log(`${c.label}: evaluating once for the baseline's resource list`);
    await runChild("prep.ts", [c.stack, "--out", replayFile, ...configArgs]);
    const expected = expectedOf(JSON.parse(readFileSync(replayFile, "utf8")) as ReplayFile);

    // The prep run warmed tsx's transform cache for the plan's modules; one discarded baseline run does the same for its own.
    await runChild("baseline-case.ts", [replayFile]);
    const plans: { report: ChildReport; processSeconds: number }[] = [];
    const baselines: { report: ChildReport; processSeconds: number }[] = [];
    for (let i = 1; i <= runs; i++) {
        // Interleaved so a burst of load elsewhere on the machine hits both sides alike.
        plans.push(await measure("plan-case.ts", [c.stack, ...configArgs]));
        baselines.push(await measure("baseline-case.ts", [replayFile]));
        log(`${c.label}: run ${i}/${runs}: plan ${plans.at(-1)!.report.wallMs.toFixed(0)} ms, baseline ${baselines.at(-1)!.report.wallMs.toFixed(0)} ms`);
    }
    checkSameResources(
        c.label,
        expected,
        [...plans, ...baselines].map((s) => s.report),
    );

    const plan = summarize(plans);
    const baseline = summarize(baselines);
    if (profileDir) log(`${c.label}: profiling one more plan run`);
    const profile = profileDir ? await profilePlan(c, configArgs, profileDir) : undefined;
    return { case: c.id, label: c.label, plan, baseline, ratio: round(plan.medianWallSeconds / baseline.medianWallSeconds, 2), profile };
}

function verdicts(results: readonly CaseResult[]): Verdict[] {
    const out: Verdict[] = [];
    const prod = results.find((r) => r.case === "prod");
    if (prod)
        out.push({
            target: `prod plan ≤ ${TARGETS.prodRatio}× its baseline's wall time`,
            value: `${prod.ratio.toFixed(2)}×`,
            pass: prod.ratio <= TARGETS.prodRatio,
        });
    const apps = results.find((r) => r.case === "apps");
    if (apps)
        out.push({
            target: `${apps.label} plan < ${TARGETS.appsWallSeconds} s`,
            value: `${apps.plan.medianWallSeconds.toFixed(2)} s`,
            pass: apps.plan.medianWallSeconds < TARGETS.appsWallSeconds,
        });
    return out;
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    return rows
        .map((r) =>
            r
                .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
}

function renderReport(results: readonly CaseResult[], machine: Record<string, string | number>, runs: number): string {
    const rows: string[][] = [["case", "custom resources", "components", "wall s (median)", "process s (median)", "peak RSS MiB (max)", "plan/baseline"]];
    for (const r of results) {
        for (const [kind, m] of [
            ["plan", r.plan],
            ["baseline", r.baseline],
        ] as const) {
            rows.push([
                `${r.label} ${kind}`,
                String(m.customResources),
                String(m.components),
                m.medianWallSeconds.toFixed(2),
                m.medianProcessSeconds.toFixed(2),
                m.maxPeakRssMiB.toFixed(1),
                kind === "plan" ? `${r.ratio.toFixed(2)}×` : "",
            ]);
        }
    }
    const phaseRows: string[][] = [["case", "phases, median ms (each from the end of the previous; boot = process start to the bench entry)"]];
    for (const r of results) {
        for (const [kind, m] of [
            ["plan", r.plan],
            ["baseline", r.baseline],
        ] as const) {
            phaseRows.push([
                `${r.label} ${kind}`,
                Object.entries(m.phasesMs)
                    .map(([k, v]) => `${k} ${v}`)
                    .join("  "),
            ]);
        }
    }
    const v = verdicts(results);
    const busy = Number(machine["load average at start"]) >= Number(machine.cores);
    return [
        `Plan benchmark: ${runs} run(s) per case, each in its own process through tsx; machine: ${Object.entries(machine)
            .map(([k, val]) => `${k} ${val}`)
            .join(", ")}`,
        // Other work on the machine stretches every run; say so rather than let a reader trust the figures.
        ...(busy
            ? [
                  `warning: the load average was already ${machine["load average at start"]} on ${machine.cores} cores: figures are inflated and noisy; rerun on a quiet machine`,
              ]
            : []),
        "",
        table(rows, new Set([1, 2, 3, 4, 5, 6])),
        "",
        table(phaseRows, new Set()),
        "",
        "Baseline: the plan's custom resources and providers (same type, name, inputs with secrets, provider, dependencies, options) registered",
        "with new pulumi.CustomResource/ProviderResource under the same mocks; component resources are left out by design. Every run was",
        "checked to register the same custom resources as the plan: the same count per type, the same type+name set, the same inputs.",
        "",
        ...v.map((x) => `${x.pass ? "PASS" : "FAIL"}  ${x.target}: ${x.value}`),
        "",
        ...results.flatMap((r) => (r.profile ? [`CPU profile of one ${r.label} plan run (${r.profile.file}):`, r.profile.summary] : [])),
    ].join("\n");
}

async function run(argv: string[]): Promise<number> {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                runs: { type: "string", default: "3" },
                apps: { type: "string", default: "300" },
                json: { type: "boolean", default: false },
                "cpu-prof": { type: "string" },
                help: { type: "boolean", default: false },
            },
        }));
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
        return 2;
    }
    if (values.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    const runs = Number(values.runs);
    const apps = Number(values.apps);
    if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(apps) || apps < 1) {
        process.stderr.write(`--runs and --apps take a positive integer\n${USAGE}\n`);
        return 2;
    }

    const work = mkdtempSync(path.join(os.tmpdir(), "nexora-bench-"));
    try {
        const appsConfig = path.join(work, "apps.config.json");
        writeFileSync(appsConfig, JSON.stringify(syntheticAppsConfig(readStackFile(path.join(ROOT, "Pulumi.prod.yaml")), apps)));
        const cases: BenchCase[] = [
            { id: "prod", label: "prod", stack: "prod" },
            { id: "apps", label: `${apps}-app`, stack: "prod", configFile: appsConfig },
        ];
        const machine = { cores: os.availableParallelism(), node: process.version, "load average at start": round(os.loadavg()[0]!, 2) };
        // Progress goes to stderr so `--json` output stays one document.
        const log = (line: string) => process.stderr.write(`${line}\n`);
        const results: CaseResult[] = [];
        for (const c of cases) results.push(await runCase(c, runs, work, log, values["cpu-prof"]));

        const v = verdicts(results);
        process.stdout.write(
            values.json ? `${JSON.stringify({ machine, runs, targets: TARGETS, results, verdicts: v }, null, 2)}\n` : renderReport(results, machine, runs),
        );
        return v.every((x) => x.pass) ? 0 : 1;
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
        process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(3);
    },
);
