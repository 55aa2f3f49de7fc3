// `npm run plan -- <stack> [--json] [--out DIR] [--config FILE]`: evaluate a stack offline.
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../../components/config";
import { evaluateStack, PlanInputError } from "./evaluate";
import { renderInventory } from "./inventory";
import { checkPlan, planJson } from "./report";

const USAGE = "usage: npm run plan -- <stack> [--json] [--out DIR] [--config FILE]";

/** Where the CLI writes: the process's streams when run as `npm run plan`, a buffer in tests. */
export interface PlanCliIo {
    stdout(text: string): void;
    stderr(text: string): void;
}

const processIo: PlanCliIo = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };

/** The CLI without the process around it: returns the exit code (0 ok, 1 policy violation, 2 bad config or arguments). */
export async function main(argv: readonly string[], io: PlanCliIo = processIo): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            allowPositionals: true,
            options: {
                json: { type: "boolean", default: false },
                out: { type: "string" },
                config: { type: "string" },
                help: { type: "boolean", default: false },
            },
        });
    } catch (err) {
        io.stderr(`${(err as Error).message}\n${USAGE}\n`);
        return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
        io.stdout(`${USAGE}\n`);
        return 0;
    }
    if (positionals.length !== 1) {
        io.stderr(`expected exactly one stack name, got ${positionals.length}\n${USAGE}\n`);
        return 2;
    }
    const stack = positionals[0]!;
    let plan;
    try {
        plan = await evaluateStack({ stack, configFile: values.config ? path.resolve(values.config) : undefined });
    } catch (err) {
        if (err instanceof ConfigError || err instanceof PlanInputError) {
            // A PlanInputError names its file (and line) itself.
            io.stderr(err instanceof PlanInputError ? `${err.message}\n` : `${values.config ?? `Pulumi.${stack}.yaml`}: ${err.message}\n`);
            return 2;
        }
        throw err;
    }
    const violations = checkPlan(plan);
    if (values.out) {
        mkdirSync(values.out, { recursive: true });
        for (const [name, text] of Object.entries(plan.artifacts)) writeFileSync(path.join(values.out, name), text);
    }
    io.stdout(
        values.json
            ? `${JSON.stringify(planJson(plan, violations), null, 2)}\n`
            : renderInventory(stack, plan.resources, violations, plan.placeholders, { values: plan.outputs, secret: plan.secretOutputs }),
    );
    return violations.some((v) => v.level === "mandatory") ? 1 : 0;
}

/** Exits once stdout and stderr are flushed: a plain process.exit cuts a piped document at 64 KiB. */
function exitAfterFlush(code: number): void {
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

/** A crash of the program (not of the config) is exit 3, whichever way it surfaces: thrown, rejected or never awaited. */
function crashed(err: unknown): void {
    if (err instanceof ConfigError) {
        // A config check that only fails inside an apply is still a config error.
        process.stderr.write(`${err.message}\n`);
        exitAfterFlush(2);
        return;
    }
    const detail =
        process.env.NEXORA_PLAN_TRACES === "1" && err instanceof Error ? (err.stack ?? err.message) : err instanceof Error ? err.message : String(err);
    process.stderr.write(`plan failed (a bug in the program, not in the config; rerun with NEXORA_PLAN_TRACES=1 for the stack trace): ${detail}\n`);
    exitAfterFlush(3);
}
if (require.main === module) {
    process.on("unhandledRejection", crashed);
    process.on("uncaughtException", crashed);
    main(process.argv.slice(2)).then(exitAfterFlush, crashed);
}
