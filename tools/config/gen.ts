// `npm run gen:config [-- --check]`: rewrites Pulumi.yaml's config section and docs/configuration.md's
// config table from the key declarations in components/config/keys.ts. With --check it writes
// nothing and exits 1 naming each file that is stale (the suite runs the same check).
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { GENERATE_COMMAND, GENERATED_FILES } from "./generate";

const ROOT = path.resolve(__dirname, "..", "..");
const USAGE = `usage: ${GENERATE_COMMAND} [-- --check]
  rewrites Pulumi.yaml's config section and docs/configuration.md's config table from components/config/keys.ts
  --check   write nothing; exit 1 naming each stale file`;

function run(argv: string[]): number {
    let check: boolean;
    try {
        const { values } = parseArgs({ args: argv, options: { check: { type: "boolean", default: false }, help: { type: "boolean", default: false } } });
        if (values.help) {
            process.stdout.write(`${USAGE}\n`);
            return 0;
        }
        check = values.check;
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
        return 2;
    }
    const stale: string[] = [];
    for (const [file, generate] of Object.entries(GENERATED_FILES)) {
        const full = path.join(ROOT, file);
        const current = readFileSync(full, "utf8");
        const next = generate(current);
        if (next === current) continue;
        stale.push(file);
        if (!check) writeFileSync(full, next);
    }
    if (check) {
        for (const file of stale) process.stderr.write(`${file} is stale: run \`${GENERATE_COMMAND}\` and commit the result\n`);
        return stale.length > 0 ? 1 : 0;
    }
    process.stdout.write(stale.length > 0 ? `rewrote ${stale.join(", ")}\n` : "up to date\n");
    return 0;
}

process.exit(run(process.argv.slice(2)));
