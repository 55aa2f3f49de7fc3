import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts", "policies/**/*.test.ts"],
        // Whole-stack evaluations under mocks take a few seconds each on 2 cores.
        testTimeout: 60_000,
        hookTimeout: 120_000,
        pool: "forks",
    },
});
