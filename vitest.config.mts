import { defineConfig } from "vitest/config";

// `npm test` runs both projects; `npx vitest run --project unit` is the fast inner loop.
const CORPUS = "tests/policies/password-corpus.test.ts";

export default defineConfig({
    test: {
        // Whole-stack evaluations under mocks take a few seconds each on 2 cores.
        testTimeout: 60_000,
        hookTimeout: 120_000,
        pool: "forks",
        // One worker per core, each importing the SDK and the program once for all its files
        // rather than once per file: measured 274 s with per-file isolation, 92 s without, same
        // tests passing. Files that need the Pulumi runtime set their own mocks (setupMocks,
        // evaluateStack) before registering anything, so none depends on another's leftovers.
        isolate: false,
        maxWorkers: 2,
        projects: [
            {
                extends: true,
                test: {
                    name: "unit",
                    include: ["tests/**/*.test.ts"],
                    // The e2e needs a real engine and daemon: `npm run e2e` (vitest.e2e.config.mts) runs it.
                    exclude: ["tests/e2e/**", "**/node_modules/**", CORPUS],
                },
            },
            // The 49,233-password corpus (about 1.5 s) and 1,000 generated passwords (about 4 s idle, 12 s loaded:
            // zxcvbn on every one), kept out of the fast loop; CI runs it with `npm test`.
            { extends: true, test: { name: "corpus", include: [CORPUS] } },
        ],
    },
});
