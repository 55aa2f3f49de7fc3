// `npm run policy`: the policy pack against every stack, offline. Each stack is evaluated in
// its own process: Pulumi's runtime state (mocks, config) is process-global.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { environments } from "../../components/config";

const root = path.resolve(__dirname, "..", "..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");
let worst = 0;
for (const stack of environments) {
    const started = Date.now();
    const result = spawnSync(tsx, [path.join(__dirname, "cli.ts"), stack], { cwd: root, encoding: "utf8" });
    const code = result.status ?? 3;
    const summary = (result.stdout.match(/^Policy pack: .*$/m) ?? [result.stderr.trim().split("\n")[0] ?? "no output"])[0];
    process.stdout.write(`${stack}: ${summary} (${Date.now() - started} ms, exit ${code})\n`);
    if (code !== 0) process.stdout.write(result.stdout.split("\nPolicy pack:")[1] ?? result.stderr);
    worst = Math.max(worst, code);
}
process.exit(worst);
