import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments } from "yaml";
import { CONFIG_NAMESPACE, parseSettings, type PlatformSettings, requiredSecretKeys } from "../../components/config";
import { hasOwn, nullProtoMap, ownEntries } from "../../components/validators";
import type { PlatformArtifacts } from "../../components/platform";
import { isSecretWrapped, MockRecorder, RecordedResource, setupMocks } from "./mock-engine";

/**
 * Evaluates the real program (components/program.ts `main`, exactly what `index.ts` runs)
 * for one stack under Pulumi mocks: no CLI, no Docker, no credentials. Secret config values
 * (encrypted in the stack file, or absent) are replaced by placeholders.
 */

export const PROJECT = "nexora";
const SECRET_MASK = "[secret]";

export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Parent URN, or null for the stack's root resources. */
    readonly parent: string | null;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly custom: boolean;
    /** Inputs with every secret value replaced by "[secret]". */
    readonly inputs: Record<string, unknown>;
    /** Inputs with secrets in plaintext (placeholders and mock values): for the policy pack only. */
    readonly plainInputs: Record<string, unknown>;
    /** Top-level input keys that were secrets. */
    readonly secretInputs: readonly string[];
    readonly dependencies: readonly string[];
}

export interface PlanResult {
    readonly stack: string;
    readonly resources: PlanResource[];
    /** Generated files by name (gitlab.rb, Caddyfile, frpc.toml), placeholders for secrets. */
    readonly artifacts: Readonly<Record<string, string>>;
    /** Config keys that got a placeholder, with why. */
    readonly placeholders: readonly string[];
    /** The stack outputs as `index.ts` exports them, resolved (secrets in plaintext: mock values). */
    readonly outputs: Readonly<Record<string, unknown>>;
    /** The names of the outputs that are secret (the engine shows them as [secret]). */
    readonly secretOutputs: readonly string[];
    /** The raw recorder, for tests that need the full registration requests. */
    readonly recorder: MockRecorder;
}

export interface EvaluateOptions {
    readonly stack: string;
    /** Stack config file. @default <rootDir>/Pulumi.<stack>.yaml */
    readonly configFile?: string;
    /** Config to use instead of a file: the `config:` mapping of a stack file. */
    readonly config?: Record<string, unknown>;
    /** @default the repository root */
    readonly rootDir?: string;
}

const ROOT = path.resolve(__dirname, "..", "..");

/** A stable, strong stand-in for a secret nobody here can decrypt. */
export function placeholderSecret(stack: string, key: string): string {
    return "plan-" + createHash("sha256").update(`${stack}:${key}`).digest("base64url").slice(0, 32);
}

/** Aliases one stack file may expand: far above any real file, far below a billion-laughs blow-up. */
const MAX_YAML_ALIASES = 50;

/**
 * Reads the `config:` mapping of a stack file. Syntax errors, duplicate keys, tab indentation,
 * several documents and alias bombs are a PlanInputError naming the file and line.
 */
export function readStackFile(file: string): Record<string, unknown> {
    if (!existsSync(file)) throw new PlanInputError(`stack config file not found: ${file}`);
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (err) {
        throw new PlanInputError(`${file}: cannot read the stack file (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    return parseStackText(text, file);
}

/** Parses a stack file's text; `file` is only for messages. */
export function parseStackText(text: string, file: string): Record<string, unknown> {
    const parsed = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
    const docs = Array.isArray(parsed) ? parsed : [];
    const at = (pos: { line: number; col: number } | undefined): string => (pos ? `${file}:${pos.line}:${pos.col}` : file);
    for (const doc of docs) {
        const err = doc.errors[0];
        if (err)
            throw new PlanInputError(`${at(err.linePos?.[0])}: YAML ${err.code}: ${err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`);
    }
    if (docs.length > 1) {
        const second = docs[1]!;
        const line = text.slice(0, second.range[0]).split("\n").length;
        throw new PlanInputError(`${file}:${line}: one YAML document expected, found ${docs.length} (a "---" separator?)`);
    }
    let doc: unknown;
    try {
        doc = docs[0]?.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? null;
    } catch (err) {
        throw new PlanInputError(`${file}: YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    if (doc === null) return nullProtoMap([]);
    if (typeof doc !== "object" || Array.isArray(doc)) throw new PlanInputError(`${file}:1: a mapping with a "config:" key expected at the top level`);
    const config = hasOwn(doc, "config") ? (doc as { config: unknown }).config : undefined;
    if (config === undefined || config === null) return nullProtoMap([]);
    if (typeof config !== "object" || Array.isArray(config)) throw new PlanInputError(`${file}: "config:" must be a mapping of key: value`);
    return nullProtoMap(ownEntries(config));
}

/** Bad input to the plan itself (missing file): exit code 2 like a config error. */
export class PlanInputError extends Error {}

/**
 * A stack's validated settings from its config mapping, as the program sees them (secrets as
 * placeholders), for the tools that act on a deployed stack (restore, adopt). Throws ConfigError.
 */
export function settingsOfConfig(stack: string, config: Record<string, unknown>): PlatformSettings {
    const { values } = toEngineConfig(stack, config);
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw = Object.fromEntries(
        Object.entries(values)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
    return parseSettings(raw, { project: "nexora", stack }).settings;
}

/** Turns a stack file's config mapping into the engine's flat string config plus placeholders. */
export function toEngineConfig(
    stack: string,
    config: Record<string, unknown>,
): { values: Record<string, string>; secretKeys: string[]; placeholders: string[] } {
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    const placeholders: string[] = [];
    for (const [key, value] of ownEntries(config)) {
        const fullKey = key.includes(":") ? key : `${CONFIG_NAMESPACE}:${key}`;
        if (value !== null && typeof value === "object" && !Array.isArray(value) && hasOwn(value, "secure")) {
            values[fullKey] = placeholderSecret(stack, fullKey);
            secretKeys.push(fullKey);
            placeholders.push(`${fullKey} (encrypted in the stack file)`);
        } else {
            values[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    // Secrets that are never committed (set per deployment) still need a value to evaluate:
    // the program's own rules say which (requiredSecretKeys), read from the same raw config.
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw = nullProtoMap(
        ownEntries(values)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), String(v)] as const),
    );
    const wanted = new Set(requiredSecretKeys(raw).map((r) => r.key));
    for (const key of wanted) {
        const fullKey = `${CONFIG_NAMESPACE}:${key}`;
        if (values[fullKey] !== undefined) continue;
        values[fullKey] = placeholderSecret(stack, fullKey);
        secretKeys.push(fullKey);
        placeholders.push(`${fullKey} (not set; a real deployment sets it with pulumi config set --secret ${key})`);
    }
    return { values, secretKeys, placeholders };
}

function maskSecrets(value: unknown): unknown {
    if (isSecretWrapped(value)) return SECRET_MASK;
    if (Array.isArray(value)) return value.map(maskSecrets);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v)]));
    return value;
}

/**
 * URNs as the real engine forms them: the type part chains every ancestor's type
 * (`Platform$Gitlab$Volume`), where the mock engine keeps only the parent's. Plans then line up
 * with real previews and state, and a moved resource shows as the URN change it is.
 */
export function engineUrns(resources: readonly RecordedResource[]): Map<string, string> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const out = new Map<string, string>();
    const chain = (r: RecordedResource): string => {
        const parent = r.options.parent ? byUrn.get(r.options.parent) : undefined;
        return parent ? `${chain(parent)}$${r.type}` : r.type;
    };
    for (const r of resources) {
        // urn:pulumi:<stack>::<project>::<type chain>::<name>
        const [head, project] = r.urn.split("::");
        const stack = head!.split(":")[2];
        out.set(r.urn, `urn:pulumi:${stack}::${project}::${chain(r)}::${r.name}`);
    }
    return out;
}

function toPlanResource(r: RecordedResource, urns: ReadonlyMap<string, string>): PlanResource {
    return {
        urn: urns.get(r.urn)!,
        type: r.type,
        name: r.name,
        parent: r.options.parent ? (urns.get(r.options.parent) ?? r.options.parent) : null,
        protect: r.options.protect ?? false,
        retainOnDelete: r.options.retainOnDelete ?? false,
        custom: r.custom,
        inputs: maskSecrets(r.rawInputs) as Record<string, unknown>,
        plainInputs: r.inputs as Record<string, unknown>,
        secretInputs: r.secretInputs,
        dependencies: r.options.dependencies.map((d) => urns.get(d) ?? d),
    };
}

function outputValue<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/**
 * Runs the program for `stack`. Throws the program's ConfigError for bad config (before any
 * resource is registered) and PlanInputError for a missing file.
 */
export async function evaluateStack(options: EvaluateOptions): Promise<PlanResult> {
    const rootDir = options.rootDir ?? ROOT;
    const config = options.config ?? readStackFile(options.configFile ?? path.join(rootDir, `Pulumi.${options.stack}.yaml`));
    const { values, secretKeys, placeholders } = toEngineConfig(options.stack, config);

    const recorder = setupMocks({
        project: PROJECT,
        stack: options.stack,
        call: (args) => {
            if (args.token === "cloudflare:index/getZone:getZone") {
                const name = (args.inputs as { filter?: { name?: string } }).filter?.name ?? "zone";
                const id = createHash("sha256").update(name).digest("hex").slice(0, 32);
                return { id, zoneId: id, name };
            }
            return args.inputs as Record<string, unknown>;
        },
    });
    pulumi.runtime.setAllConfig(values, secretKeys);

    // The SDK captures a stack trace for every output property it creates (tens of thousands
    // for a large catalog), and tsx source-maps each one: most of a plan's time and memory.
    // Config errors print their message only; set NEXORA_PLAN_TRACES=1 to debug a crash.
    const stackTraceLimit = Error.stackTraceLimit;
    const sourceMaps = process.sourceMapsEnabled;
    if (process.env.NEXORA_PLAN_TRACES !== "1") {
        Error.stackTraceLimit = 0;
        // The SDK still reads a whole stack trace per resource for its source position (it lifts
        // the limit itself), which the mock engine throws away; mapping each frame through tsx's
        // source maps cost about a third of a large catalog's evaluation. Off before the program
        // is imported, too: Node decodes the inline source map tsx appends to each of its
        // modules as it loads it (a tenth of the program's import), for traces nobody prints.
        process.setSourceMapsEnabled(false);
    }
    let artifacts: Record<string, string>;
    let outputs: Record<string, unknown>;
    const secretOutputs: string[] = [];
    try {
        // Loaded after the mocks so the SDK binds to the mock engine.
        const { main } = await import("../../components/program");
        const program = main();
        artifacts = await collectArtifacts(program.platform.artifacts);
        outputs = (await outputValue(pulumi.output(program.outputs))) as Record<string, unknown>;
        for (const [name, value] of Object.entries(program.outputs)) {
            // isSecret is on every Output at runtime, though the typings keep it internal.
            if (pulumi.Output.isInstance(value) && (await (value as unknown as { isSecret: Promise<boolean> }).isSecret)) secretOutputs.push(name);
        }
        await recorder.settled();
        if (recorder.duplicateUrns.length > 0) throw new Error(`duplicate resource URNs (the engine refuses them): ${recorder.duplicateUrns.join(", ")}`);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        process.setSourceMapsEnabled(sourceMaps);
    }
    const registered = recorder.resources.filter((r) => r.urn !== "");
    const urns = engineUrns(registered);
    return {
        stack: options.stack,
        resources: registered.map((r) => toPlanResource(r, urns)),
        artifacts,
        placeholders,
        outputs,
        secretOutputs,
        recorder,
    };
}

async function collectArtifacts(a: PlatformArtifacts): Promise<Record<string, string>> {
    const files: Record<string, string> = { Caddyfile: await outputValue(a.caddyfile) };
    if (a.gitlabRb) files["gitlab.rb"] = await outputValue(a.gitlabRb);
    if (a.frpcToml) files["frpc.toml"] = await outputValue(a.frpcToml);
    for (const [name, text] of Object.entries(a.monitoring ?? {})) files[name] = text;
    return files;
}
