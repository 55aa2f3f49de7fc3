// `tsx tools/bench/baseline-case.ts REPLAY.json`: one measured run of the baseline program,
// the plan's custom resources registered directly (no components, config or rendering).
import { readFileSync } from "node:fs";
import { countsByType, finish, identityOf, inputsDigestOf, mark, type ReplayFile } from "./protocol";

const PROVIDER_PREFIX = "pulumi:providers:";

async function run(): Promise<void> {
    const phases: Record<string, number> = {};
    mark(phases, "boot");
    const file = process.argv[2];
    if (process.argv.length !== 3 || !file) throw new Error("usage: baseline-case.ts REPLAY.json");
    // Imported here, not at the top, so "boot" is comparable with the plan case's.
    const [pulumi, { setupMocks }] = await Promise.all([import("@pulumi/pulumi"), import("../plan/mock-engine")]);
    mark(phases, "load");
    const replay = JSON.parse(readFileSync(file, "utf8")) as ReplayFile;

    // Secrets in the replay file are the engine's signature objects; hand them back as secret inputs.
    const decode = (value: unknown): unknown => {
        if (Array.isArray(value)) return value.map(decode);
        if (value === null || typeof value !== "object") return value;
        if (pulumi.runtime.isRpcSecret(value)) return pulumi.secret(decode(pulumi.runtime.unwrapRpcSecret(value)));
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
    };

    // Same mock engine, project and stack as the plan (the plan's only invoke answer is not needed: no invokes here).
    const recorder = setupMocks({ project: replay.project, stack: replay.stack });
    // Empty subclasses only because the SDK's classes are abstract in its typings; generated SDKs do the same.
    class ReplayedResource extends pulumi.CustomResource {}
    class ReplayedProvider extends pulumi.ProviderResource {}
    const made: InstanceType<typeof pulumi.CustomResource>[] = [];
    // Same runtime setting as the plan's evaluation (tools/plan/evaluate.ts): a fair comparison.
    if (process.env.NEXORA_PLAN_TRACES !== "1") {
        Error.stackTraceLimit = 0;
        process.setSourceMapsEnabled(false);
    }
    for (const r of replay.resources) {
        const opts = {
            provider: r.provider === undefined ? undefined : (made[r.provider] as ReplayedProvider),
            dependsOn: r.dependsOn.map((i) => made[i]!),
            version: r.version,
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            deleteBeforeReplace: r.deleteBeforeReplace,
            additionalSecretOutputs: r.additionalSecretOutputs ? [...r.additionalSecretOutputs] : undefined,
            ignoreChanges: r.ignoreChanges ? [...r.ignoreChanges] : undefined,
            replaceOnChanges: r.replaceOnChanges ? [...r.replaceOnChanges] : undefined,
        };
        const inputs = decode(r.inputs) as Record<string, unknown>;
        made.push(
            r.type.startsWith(PROVIDER_PREFIX)
                ? new ReplayedProvider(r.type.slice(PROVIDER_PREFIX.length), r.name, inputs, opts)
                : new ReplayedResource(r.type, r.name, inputs, opts),
        );
    }
    // The plan's evaluation ends the same way (evaluateStack awaits recorder.settled()).
    await recorder.settled();
    mark(phases, "register");

    finish(() => {
        const custom = recorder.resources.filter((r) => r.custom && r.urn !== "");
        return {
            kind: "baseline",
            stack: replay.stack,
            customResources: custom.length,
            components: recorder.resources.length - custom.length,
            countsByType: countsByType(custom),
            identity: identityOf(custom),
            inputs: inputsDigestOf(custom.map((r) => ({ type: r.type, name: r.name, inputs: r.rawInputs }))),
            phases,
        };
    });
}

run().catch((err: unknown) => {
    process.stderr.write(`bench baseline failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(3);
});
