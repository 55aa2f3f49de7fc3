// `tsx tools/bench/prep.ts <stack> --out FILE [--config FILE.json]`: evaluates a stack once
// (unmeasured) and writes the custom resources it registered as a replay file for the baseline.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { evaluateStack, PROJECT } from "../plan/evaluate";
import type { RecordedResource } from "../plan/mock-engine";
import type { ReplayFile, ReplayResource } from "./protocol";

function replayOf(r: RecordedResource, index: ReadonlyMap<string, number>, providers: ReadonlyMap<string, number>): ReplayResource {
    const own = index.get(r.urn)!;
    const dependsOn: number[] = [];
    for (const urn of r.options.dependencies) {
        const i = index.get(urn);
        // The SDK sends custom resources only (components expand to their children); anything else is a bench bug.
        if (i === undefined) throw new Error(`${r.type} ${r.name} depends on ${urn}, which is not a registered custom resource`);
        if (i >= own) throw new Error(`${r.type} ${r.name} depends on ${urn}, registered after it`);
        dependsOn.push(i);
    }
    let provider: number | undefined;
    if (r.provider) {
        // A provider reference is "<urn>::<id>", and URNs contain "::" themselves: cut the id off the end.
        provider = providers.get(r.provider.slice(0, r.provider.lastIndexOf("::")));
        if (provider === undefined) throw new Error(`${r.type} ${r.name} uses provider ${r.provider}, which was not registered`);
    }
    const o = r.options;
    return {
        type: r.type,
        name: r.name,
        inputs: r.rawInputs as Record<string, unknown>,
        provider,
        dependsOn,
        version: o.version || undefined,
        protect: o.protect || undefined,
        retainOnDelete: o.retainOnDelete || undefined,
        deleteBeforeReplace: o.deleteBeforeReplace || undefined,
        additionalSecretOutputs: o.additionalSecretOutputs.length > 0 ? o.additionalSecretOutputs : undefined,
        ignoreChanges: o.ignoreChanges.length > 0 ? o.ignoreChanges : undefined,
        replaceOnChanges: o.replaceOnChanges.length > 0 ? o.replaceOnChanges : undefined,
    };
}

async function run(): Promise<void> {
    const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: "string" }, config: { type: "string" } } });
    const stack = positionals[0];
    if (positionals.length !== 1 || !stack || !values.out) throw new Error("usage: prep.ts <stack> --out FILE [--config FILE.json]");
    const config = values.config ? (JSON.parse(readFileSync(values.config, "utf8")) as Record<string, unknown>) : undefined;
    const plan = await evaluateStack({ stack, config });

    const registered = plan.recorder.resources.filter((r) => r.urn !== "");
    const custom = registered.filter((r) => r.custom);
    const index = new Map(custom.map((r, i) => [r.urn, i]));
    const providers = new Map(custom.flatMap((r, i) => (r.type.startsWith("pulumi:providers:") ? [[r.urn, i] as const] : [])));
    const file: ReplayFile = {
        project: PROJECT,
        stack,
        resources: custom.map((r) => replayOf(r, index, providers)),
        components: registered.length - custom.length,
    };
    writeFileSync(values.out, JSON.stringify(file));
    process.exit(0);
}

run().catch((err: unknown) => {
    process.stderr.write(`bench prep failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(3);
});
