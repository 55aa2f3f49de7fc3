// .ci/run follows the README's setup as a user does: the policy pack's own dependencies are
// installed before the tests run, so a test that only passes without them cannot hide.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const commands = readFileSync(path.join(__dirname, "../../.ci/run"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));

const indexOf = (pattern: RegExp): number => commands.findIndex((line) => pattern.test(line));

describe(".ci/run", () => {
    it("installs the policy pack's dependencies with npm ci in policies/ before the tests and the policy run", () => {
        const packInstall = indexOf(/^\(cd policies && npm ci\b[^)]*\)$/);
        expect(packInstall).toBeGreaterThan(indexOf(/^npm ci\b/));
        expect(packInstall).toBeLessThan(indexOf(/^npm test\b/));
        expect(packInstall).toBeLessThan(indexOf(/^npm run policy$/));
    });

    it("runs the README's commands", () => {
        for (const command of [/^npm run lint$/, /^npm test\b/, /^npm run policy$/, /^npm run e2e\b/])
            expect(indexOf(command), String(command)).toBeGreaterThanOrEqual(0);
    });
});
