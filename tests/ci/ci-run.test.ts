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

    it("puts the Node that .ci/node.sh brings first on PATH before any npm command, so the suite and the e2e run on it", () => {
        const nodeStep = indexOf(/^node_bin=\$\(bash \.ci\/node\.sh\)$/);
        const pathStep = indexOf(/^export PATH="\$node_bin:\$PATH"$/);
        expect(nodeStep).toBeGreaterThanOrEqual(0);
        expect(pathStep).toBe(nodeStep + 1);
        for (const command of [/^npm ci\b/, /^npm test\b/, /^npm run e2e\b/]) expect(indexOf(command), String(command)).toBeGreaterThan(pathStep);
    });

    it("pins in .ci/node.sh a Node version that satisfies the engines of package.json and of the pinned @pulumi/pulumi", () => {
        const script = readFileSync(path.join(__dirname, "../../.ci/node.sh"), "utf8");
        const version = /version=\$\{NEXORA_NODE_VERSION:-(\d+)\.(\d+)\.(\d+)\}/.exec(script);
        expect(version).not.toBeNull();
        const major = Number(version![1]);
        const floor = (range: string) => Number(/^>=\s*(\d+)/.exec(range)![1]);
        const pkg = JSON.parse(readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { engines: { node: string } };
        const sdk = JSON.parse(readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as { engines: { node: string } };
        expect(floor(pkg.engines.node)).toBe(floor(sdk.engines.node));
        expect(major).toBeGreaterThanOrEqual(floor(sdk.engines.node));
        // An LTS line: even majors.
        expect(major % 2).toBe(0);
    });

    it("runs the README's commands", () => {
        for (const command of [/^npm run lint$/, /^npm test\b/, /^npm run policy$/, /^npm run e2e\b/])
            expect(indexOf(command), String(command)).toBeGreaterThanOrEqual(0);
    });
});
