// `npm run policy`: the policy pack against every stack, offline. Each stack is evaluated in
// its own process: Pulumi's runtime state (mocks, config) is process-global. Each process
// prints the plan's `--json` document, the contract this reads (never the human inventory).
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { environments } from "../../components/config";
import { parsePlanDocument, PlanParseError } from "../mr-preview/offline-diff";

/**
 * One stack's lines for the report and its exit code, from the plan CLI's exit code, `--json`
 * stdout and stderr. A clean exit without a readable document is a failure (exit 3), not a pass.
 */
export function stackReport(stack: string, code: number, stdout: string, stderr: string, ms: number): { text: string; code: number } {
    let violations;
    try {
        violations = parsePlanDocument(stdout, `plan ${stack} --json`).violations;
    } catch (err) {
        if (!(err instanceof PlanParseError)) throw err;
        // No document: a config error or a crash, which the plan explains on stderr.
        const why = stderr.trim() || (code === 0 ? err.message : "no output");
        return { text: `${stack}: ${why} (${ms} ms, exit ${code})\n`, code: code === 0 ? 3 : code };
    }
    const mandatory = violations.filter((v) => v.level === "mandatory").length;
    const lines = [`${stack}: Policy pack: ${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s) (${ms} ms, exit ${code})`];
    for (const v of violations) lines.push(`  [${v.level}] ${v.policy}  ${v.urn}`, `      ${v.message}`);
    return { text: `${lines.join("\n")}\n`, code };
}

function run(): number {
    const root = path.resolve(__dirname, "..", "..");
    const tsx = path.join(root, "node_modules", ".bin", "tsx");
    let worst = 0;
    for (const stack of environments) {
        const started = Date.now();
        const result = spawnSync(tsx, [path.join(__dirname, "cli.ts"), stack, "--json"], { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        const report = stackReport(stack, result.status ?? 3, result.stdout ?? "", result.stderr ?? "", Date.now() - started);
        process.stdout.write(report.text);
        worst = Math.max(worst, report.code);
    }
    return worst;
}

if (require.main === module) process.exit(run());
