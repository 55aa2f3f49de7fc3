import { defineConfig } from "vitest/config";

// The e2e on the real engine and daemon (`npm run e2e`, through tools/e2e/run.sh): one file,
// its steps in order, each waiting on real `pulumi` runs.
export default defineConfig({
    test: {
        include: ["tests/e2e/**/*.e2e.test.ts"],
        testTimeout: 30 * 60_000,
        hookTimeout: 30 * 60_000,
        pool: "forks",
        fileParallelism: false,
        sequence: { shuffle: false },
    },
});
