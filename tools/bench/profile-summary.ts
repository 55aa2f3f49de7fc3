// `tsx tools/bench/profile-summary.ts FILE.cpuprofile [--top N]`: prints where a V8 CPU profile's time went.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { renderProfile, type CpuProfile } from "./profile";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "25" } } });
if (positionals.length !== 1) {
    process.stderr.write("usage: tsx tools/bench/profile-summary.ts FILE.cpuprofile [--top N]\n");
    process.exit(2);
}
process.stdout.write(renderProfile(JSON.parse(readFileSync(positionals[0]!, "utf8")) as CpuProfile, Number(values.top)));
