import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { countsByType, identityOf, inputsDigestOf, parseChildReport, type ChildReport, type ReplayFile } from "../../tools/bench/protocol";
import { SYNTHETIC_IMAGE, syntheticAppKey, syntheticAppsConfig } from "../../tools/bench/synthetic";
import { ROOT, settingsOf, stackFileConfig } from "../support/stacks";

const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const work = mkdtempSync(path.join(tmpdir(), "nexora-bench-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs one bench script the way `npm run bench` does: its own process, through the repo's tsx. */
function bench(script: string, ...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(TSX, [path.join(ROOT, "tools", "bench", script), ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
            err ? reject(new Error(`${script} failed: ${stderr}`)) : resolve(stdout),
        );
    });
}

describe("bench baseline", () => {
    it("replays the dev plan's custom resources: same count per type, same names, same inputs, no components", async () => {
        const replayFile = path.join(work, "dev.replay.json");
        // The plan run and the prep are independent: run them side by side to stay within a few seconds.
        const [planOut] = await Promise.all([bench("plan-case.ts", "dev"), bench("prep.ts", "dev", "--out", replayFile)]);
        const plan: ChildReport = parseChildReport(planOut);
        const replay = JSON.parse(readFileSync(replayFile, "utf8")) as ReplayFile;
        const baseline = parseChildReport(await bench("baseline-case.ts", replayFile));

        expect(plan.customResources).toBeGreaterThan(20);
        expect(countsByType(replay.resources)).toEqual(plan.countsByType);
        expect(baseline.countsByType).toEqual(plan.countsByType);
        expect(baseline.identity).toBe(plan.identity);
        expect(identityOf(replay.resources)).toBe(plan.identity);
        expect(baseline.inputs).toBe(plan.inputs);
        expect(inputsDigestOf(replay.resources)).toBe(plan.inputs);
        expect(replay.components).toBe(plan.components);
        expect(plan.components).toBeGreaterThan(0);
        expect(baseline.components).toBe(0);
        for (const report of [plan, baseline]) {
            expect(report.wallMs).toBeGreaterThan(0);
            expect(report.maxRssKiB).toBeGreaterThan(0);
        }
    });
});

describe("synthetic app catalog", () => {
    it("replaces the stack's apps with valid ones: database for all, SSO every 3rd, a generated secret every 2nd", () => {
        const config = syntheticAppsConfig(stackFileConfig("prod"), 300);
        const apps = settingsOf("prod", config).apps;
        expect(apps).toHaveLength(300);
        expect(apps.map((a) => a.key)).toEqual(Array.from({ length: 300 }, (_, i) => syntheticAppKey(i + 1)));
        expect(apps.every((a) => a.image === SYNTHETIC_IMAGE && a.port === 8080 && a.database)).toBe(true);
        expect(apps.filter((a) => a.sso).map((a) => a.key)).toEqual(apps.filter((_, i) => (i + 1) % 3 === 0).map((a) => a.key));
        expect(apps.filter((a) => a.generatedSecrets.length === 1).map((a) => a.key)).toEqual(apps.filter((_, i) => (i + 1) % 2 === 0).map((a) => a.key));
        expect(apps.map((a) => a.key)).not.toContain("pyerp");
    });
});
