// The operator guides do what they say. Every command line of the ```sh blocks of README.md and
// docs/*.md is either run (those that need no server: the offline plan, the policy run, a tool's
// --help, node over their output) or checked against what exists (those that need claw-bot, the
// state backend or a running stack): its npm script, every flag it passes (from the tool's own
// --help), the stack files, Docker names and resource URNs it names, the config keys it sets.
// The add-app block is pasted into every stack file as the guide says and planned; every relative
// link of those files resolves to a file, and an anchor to one of its headings.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { SECRET_KEYS } from "../../components/config";
import { CONFIG_KEYS } from "../../components/config/keys";
import { main as mrPreviewMain } from "../../tools/mr-preview/cli";
import { main as planMain } from "../../tools/plan/cli";
import { main as restoreMain } from "../../tools/restore/cli";
import { stackPlan } from "../support/plans";
import { commandLines, docFiles, fencedBlocks, headingAnchors, linkTargets, readDoc, ROOT, SHELL_LANGS, simpleCommands, type SimpleCommand } from "./markdown";

const LONG = 15 * 60 * 1000; // no wall-clock bound worth asserting: the machine may be loaded

const files = docFiles();
const shellBlocks = files.flatMap((f) => fencedBlocks(f, readDoc(f))).filter((b) => SHELL_LANGS.has(b.lang));
const scripts = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
const STACKS = ["dev", "staging", "prod"] as const;

interface NpmRun {
    readonly script: string;
    readonly npmFlags: string[];
    readonly args: string[];
}

/** `npm run [-s] <script> [-- args]` → its parts; undefined for any other command. */
function npmRun(cmd: SimpleCommand): NpmRun | undefined {
    const w = cmd.words;
    if (w[0] !== "npm" || (w[1] !== "run" && w[1] !== "run-script")) return undefined;
    const rest = w.slice(2);
    const at = rest.findIndex((x) => !x.startsWith("-"));
    const dashes = rest.indexOf("--");
    return { script: rest[at]!, npmFlags: rest.slice(0, at), args: dashes < 0 ? rest.slice(at + 1) : rest.slice(dashes + 1) };
}

const flagsOf = (args: readonly string[]) => args.filter((a) => a.startsWith("-")).map((a) => a.replace(/=.*$/, ""));

/** Every command line of the guides, with where it is. */
const lines = shellBlocks.flatMap((b) =>
    commandLines(b.body).map((text) => ({ where: `${b.file}:${b.line}`, block: b, text, commands: simpleCommands(text) })),
);

/** A line runs here when each of its commands is an offline one and nothing is substituted from elsewhere. */
function offline(line: (typeof lines)[number]): boolean {
    if (line.text.includes("$(")) return false;
    return line.commands.every((c) => {
        const run = npmRun(c);
        // `npm run policy` is the offline plan of all three stacks, which .ci/run runs as a step of its own
        // (tests/ci/ci-run.test.ts): not a third time here.
        if (run) return run.script === "plan" || (run.args.length === 1 && run.args[0] === "--help");
        return c.words[0] === "node";
    });
}

function sh(line: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(
            "bash",
            ["-o", "pipefail", "-c", line],
            { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: "false" } },
            (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
    });
}

interface Ran {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

async function collect(run: (io: { stdout: (t: string) => void; stderr: (t: string) => void }) => Promise<number>): Promise<Ran> {
    let stdout = "";
    let stderr = "";
    const code = await run({ stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
}

/**
 * The tools' main() functions, called in this process instead of starting `npm run` (a process
 * start and a TypeScript load per command: minutes on a loaded machine). Only for scripts that are
 * exactly `tsx <that file>`: a test checks package.json still says so.
 */
const IN_PROCESS: Record<string, { readonly entry: string; readonly run: (args: string[], env: Record<string, string | undefined>) => Promise<Ran> }> = {
    plan: { entry: "tsx tools/plan/cli.ts", run: (args) => collect((io) => planMain(args, io)) },
    restore: { entry: "tsx tools/restore/cli.ts", run: (args, env) => collect((io) => restoreMain(args, env, { ...io, confirm: async () => false })) },
    "mr-preview": { entry: "tsx tools/mr-preview/cli.ts", run: (args, env) => collect((io) => mrPreviewMain(args, env, io)) },
};

const helpCache = new Map<string, Promise<string>>();
/** What `npm run <script> -- --help` prints (empty when the tool has no help). */
function helpOf(script: string): Promise<string> {
    let help = helpCache.get(script);
    if (!help) {
        const inProcess = IN_PROCESS[script];
        help = (inProcess ? inProcess.run(["--help"], { PATH: process.env.PATH }) : sh(`npm run -s ${script} -- --help`, ROOT)).then((r) =>
            r.code === 0 ? r.stdout : "",
        );
        helpCache.set(script, help);
    }
    return help;
}

// Where runnable lines write their files (`> images.txt`): a scratch folder inside the checkout
// (out/ is ignored), so npm finds the project from it; removed afterwards.
mkdirSync(path.join(ROOT, "out"), { recursive: true });
const scratch = mkdtempSync(path.join(ROOT, "out", "guides-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the guides' shell blocks", () => {
    it("are found, in every guide the README links to", () => {
        expect(shellBlocks.length).toBeGreaterThan(15);
        for (const guide of ["docs/deploy.md", "docs/add-app.md", "docs/rotate-secrets.md", "docs/restore.md", "docs/merge-requests.md"])
            expect(
                shellBlocks.some((b) => b.file === guide),
                guide,
            ).toBe(true);
    });

    it("name only npm scripts that exist, with npm's own flags limited to -s", () => {
        for (const [script, { entry }] of Object.entries(IN_PROCESS)) expect(scripts[script], `the tests call ${script}'s main() for it`).toBe(entry);
        let checked = 0;
        for (const line of lines)
            for (const c of line.commands) {
                const run = npmRun(c);
                if (!run) continue;
                expect(Object.keys(scripts), `${line.where}: ${line.text}`).toContain(run.script);
                for (const f of run.npmFlags) expect(["-s", "--silent"], `${line.where}: ${line.text}`).toContain(f);
                checked++;
            }
        expect(checked).toBeGreaterThan(15);
    });

    it(
        "pass only flags the tool lists in its --help",
        async () => {
            for (const line of lines)
                for (const c of line.commands) {
                    const run = npmRun(c);
                    if (!run || flagsOf(run.args).length === 0) continue;
                    const help = await helpOf(run.script);
                    const known = new Set([...help.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0]));
                    expect(known.size, `${line.where}: npm run ${run.script} has no --help listing its flags`).toBeGreaterThan(0);
                    known.add("--help"); // it printed the help above
                    for (const flag of flagsOf(run.args)) expect([...known], `${line.where}: ${line.text}`).toContain(flag);
                }
        },
        LONG,
    );

    it("install only where a lockfile is (npm ci)", () => {
        for (const line of lines) {
            let dir = ROOT;
            for (const c of line.commands) {
                if (c.words[0] === "cd") dir = path.resolve(dir, c.words[1]!);
                if (c.words[0] === "npm" && c.words[1] === "ci" && !dir.includes("nexora-base"))
                    expect(existsSync(path.join(dir, "package-lock.json")), `${line.where}: ${line.text}`).toBe(true);
            }
        }
    });

    it(
        "run, when they need no server, and exit 0 (files they write are not empty)",
        async () => {
            const runnable = lines.filter(offline);
            expect(runnable.map((l) => l.text)).toEqual(
                expect.arrayContaining(["npm run plan -- dev", "npm run plan -- prod", "npm run plan -- staging", "npm run mr-preview -- --help"]),
            );
            expect(runnable.some((l) => l.text.includes("--json | node"))).toBe(true);
            const done = new Set<string>();
            for (const line of runnable) {
                const key = line.commands.map((c) => [...c.env, ...c.words, ">", ...c.redirects].join(" ")).join(" | ");
                if (done.has(key)) continue; // the same command in two guides runs once
                done.add(key);
                const run = line.commands.length === 1 && line.commands[0]!.redirects.length === 0 ? npmRun(line.commands[0]!) : undefined;
                // A lone `npm run <tool> -- …` runs the tool's main() in this process (tests/plan/cli.test.ts runs the
                // plan's entry point as a process); pipelines and redirections run in bash as written.
                const inProcess = run ? IN_PROCESS[run.script] : undefined;
                const r = inProcess ? await inProcess.run(run!.args, { PATH: process.env.PATH }) : await sh(line.text, scratch);
                expect(r.code, `${line.where}: ${line.text}\n${r.stderr}`).toBe(0);
                for (const file of line.commands.flatMap((c) => c.redirects))
                    expect(statSync(path.join(scratch, file)).size, `${line.where}: ${file} written by ${line.text}`).toBeGreaterThan(0);
            }
        },
        LONG,
    );

    it(
        "restore: every npm run restore line's stack, store and options are accepted; only the Docker host is missing",
        async () => {
            const restores = lines.flatMap((l) => l.commands.map((c) => ({ line: l, run: npmRun(c) }))).filter((x) => x.run?.script === "restore");
            expect(restores.length).toBeGreaterThan(3);
            for (const { line, run } of restores) {
                const env = {
                    PATH: process.env.PATH,
                    HOME: process.env.HOME,
                    NEXORA_RESTIC_PASSWORD: "guide-check",
                    NEXORA_DOCKER_CLI: path.join(scratch, "no-docker"),
                };
                const { code, stderr: err } = await IN_PROCESS.restore!.run(run!.args, env);
                if (run!.args.includes("--help")) {
                    expect(code, line.where).toBe(0);
                    continue;
                }
                // Exit 2 would be a bad stack, store or option; 1 after the host check is the docker CLI not being there.
                expect(code, `${line.where}: ${line.text}\n${err}`).toBe(1);
                expect(err, `${line.where}: ${line.text}`).toMatch(new RegExp(`checking nexora-${run!.args[0]}-backup on .*\\n.*Nothing was changed`));
            }
        },
        LONG,
    );
});

describe("what the server-side commands name", () => {
    const shellText = shellBlocks.map((b) => b.body).join("\n");

    it(
        "every resource URN exists in the plan of its stack",
        async () => {
            const urns = [...new Set([...shellText.matchAll(/urn:pulumi:[^\s'"]+/g)].map((m) => m[0]))];
            expect(urns.length).toBeGreaterThan(10);
            for (const urn of urns) {
                const stack = urn.split("::")[0]!.slice("urn:pulumi:".length);
                const plan = await stackPlan(stack);
                expect(
                    plan.resources.map((r) => r.urn),
                    urn,
                ).toContain(urn);
            }
        },
        LONG,
    );

    it(
        "every Docker container, volume and network name is one its stack declares",
        async () => {
            const names = [...new Set([...shellText.matchAll(/\bnexora-(dev|staging|prod)-[a-z0-9-]*[a-z0-9]/g)].map((m) => [m[1]!, m[0]] as const))];
            expect(names.length).toBeGreaterThan(5);
            for (const [stack, name] of names) {
                const plan = await stackPlan(stack);
                const declared = plan.resources
                    .filter((r) => /^docker:index\/(container|volume|network):/.test(r.type))
                    .map((r) => r.inputs.name)
                    .filter((n): n is string => typeof n === "string");
                // A released container's name carries its release id, another in every deployment:
                // the guide's must be the declared base name and an id of that shape.
                const release = /^(.*)-[0-9a-f]{8}$/.exec(name);
                const asDeclared = release && !declared.includes(name) ? declared.find((d) => new RegExp(`^${release[1]}-[0-9a-f]{8}$`).test(d)) : name;
                expect(declared, `${name} (stack ${stack})`).toContain(asDeclared);
            }
        },
        LONG,
    );

    it("every pulumi command names a stack file that exists and the policy pack's folder", () => {
        let checked = 0;
        for (const line of lines)
            for (const c of line.commands.filter((x) => x.words[0] === "pulumi")) {
                const at = c.words.indexOf("--stack");
                if (at > 0) expect(existsSync(path.join(ROOT, `Pulumi.${c.words[at + 1]}.yaml`)), `${line.where}: ${line.text}`).toBe(true);
                const pack = c.words.indexOf("--policy-pack");
                if (pack > 0) expect(existsSync(path.join(ROOT, c.words[pack + 1]!, "PulumiPolicy.yaml")), `${line.where}: ${line.text}`).toBe(true);
                const init = c.words.indexOf("init");
                if (c.words[1] === "stack" && init === 2) expect(STACKS as readonly string[], line.where).toContain(c.words[3]);
                checked++;
            }
        expect(checked).toBeGreaterThan(20);
    });

    it("every `pulumi config set` sets a key the program declares (or a secret an app maps, or a provider's)", () => {
        const declared = Object.keys(CONFIG_KEYS);
        // The secrets the guides' own entries map (apps' secretEnv values, products' variable secrets).
        const appSecrets = files
            .flatMap((f) => fencedBlocks(f, readDoc(f)))
            .filter((b) => b.lang === "yaml")
            .flatMap((b) => [
                ...[...b.body.matchAll(/secretEnv:\s*\{([^}]*)\}/g)].flatMap((m) => m[1]!.split(",").map((kv) => kv.split(":")[1]!.trim())),
                // A product variable's secret value names the config key that holds it.
                ...[...b.body.matchAll(/^\s+secret:\s*([A-Za-z][A-Za-z0-9]*)\s*$/gm)].map((m) => m[1]!),
            ]);
        const known = new Set([...declared, ...appSecrets]);
        let checked = 0;
        for (const line of lines)
            for (const c of line.commands.filter((x) => x.words[0] === "pulumi" && x.words[1] === "config" && x.words[2] === "set")) {
                const given = c.words.slice(3).find((w) => !w.startsWith("-"))!;
                // With --path the key is the config key's first segment (`nexora:apps.pyerp.image`).
                const key = c.words.includes("--path") ? given.split(".")[0]! : given;
                const [ns, name] = key.includes(":") ? key.split(":") : ["nexora", key];
                if (ns === "nexora") expect(known.has(name!), `${line.where}: ${key} is not a declared key`).toBe(true);
                else expect(["cloudflare"], `${line.where}: ${key}`).toContain(ns);
                if (SECRET_KEYS.includes(name as never) || appSecrets.includes(name!))
                    expect(c.words, `${line.where}: ${key} is a secret`).toContain("--secret");
                checked++;
            }
        expect(checked).toBeGreaterThan(3);
    });
});

describe("docs/add-app.md's entry", () => {
    const block = fencedBlocks("docs/add-app.md", readDoc("docs/add-app.md")).find((b) => b.lang === "yaml")!;
    const work = mkdtempSync(path.join(ROOT, "out", "add-app-"));
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it("is one app, not a second nexora:apps key", () => {
        expect(block.body).not.toMatch(/nexora:apps/);
        const parsed = parseYaml(block.body) as Record<string, unknown>;
        expect(Object.keys(parsed)).toHaveLength(1);
    });

    for (const stack of STACKS) {
        it(
            `pasted right under ${stack}'s nexora:apps line as shown, plans with the new app and no finding`,
            async () => {
                const stackFile = readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8").split("\n");
                const at = stackFile.findIndex((l) => /^\s*nexora:apps:\s*$/.test(l));
                expect(at, `Pulumi.${stack}.yaml has a nexora:apps key`).toBeGreaterThan(0);
                const pasted = [...stackFile.slice(0, at + 1), block.body, ...stackFile.slice(at + 1)].join("\n");
                const file = path.join(work, `Pulumi.${stack}.yaml`);
                writeFileSync(file, pasted);
                const key = Object.keys(parseYaml(block.body) as object)[0]!;
                const apps = (parseYaml(pasted) as { config: Record<string, Record<string, unknown>> }).config["nexora:apps"]!;
                expect(Object.keys(apps)).toContain(key);
                let out = "";
                let err = "";
                const code = await planMain([stack, "--json", "--config", file], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
                expect(code, err).toBe(0);
                const doc = JSON.parse(out) as { resources: { name: string }[]; violations: unknown[] };
                expect(doc.violations).toEqual([]);
                expect(doc.resources.map((r) => r.name)).toEqual(
                    expect.arrayContaining([`app-${key}-container`, `mysql-${key}-password`, `app-${key}-secret-key`]),
                );
            },
            LONG,
        );
    }
});

describe("links of README.md and docs/*.md", () => {
    for (const file of files) {
        it(`${file}: every relative link resolves to a file, and its anchor to a heading`, () => {
            for (const target of linkTargets(readDoc(file))) {
                if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
                const [rel, anchor] = target.split("#") as [string, string | undefined];
                const resolved = rel === "" ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), rel);
                expect(existsSync(resolved), `${file}: ${target}`).toBe(true);
                if (anchor !== undefined) {
                    expect(resolved.endsWith(".md"), `${file}: ${target}: an anchor into a Markdown file`).toBe(true);
                    expect([...headingAnchors(readFileSync(resolved, "utf8"))], `${file}: ${target}`).toContain(anchor);
                }
            }
        });
    }

    it("README.md links every guide and design note in docs/", () => {
        const linked = new Set(linkTargets(readDoc("README.md")).map((t) => t.split("#")[0]));
        for (const doc of files.filter((f) => f.startsWith("docs/"))) expect([...linked], doc).toContain(doc);
    });
});
