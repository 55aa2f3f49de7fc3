import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts"],
        // The e2e needs a real engine and daemon: `npm run e2e` (vitest.e2e.config.mts) runs it.
        exclude: ["tests/e2e/**", "**/node_modules/**"],
        // Whole-stack evaluations under mocks take a few seconds each on 2 cores.
        testTimeout: 60_000,
        hookTimeout: 120_000,
        pool: "forks",
    },
});
