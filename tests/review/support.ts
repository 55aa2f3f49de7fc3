// A review host's config as the Automation API returns it, and a backend that runs the review
// program under the Pulumi mocks instead of the engine, recording what the tool asked of it.
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import type { ReviewBackend, ReviewSummary } from "../../tools/review/backend";
import { main, type ReviewIo } from "../../tools/review/cli";
import type { OfflineResource } from "../../policies/offline";
import { type MockRecorder, unwrapSecrets } from "../support/mocks";

/** A strong secret of the host's config (an app's secretEnv value). */
export const LEDGER_API_KEY = "Zq4uV9mR2tLx8bN6wK3pJ7sY5cH1dF0g";
export const FRP_TOKEN = "Hk2Lm9Qp4Rs7Tv1Wx6Yz3Ab8Cd5Ef0Gh";

export const HOST_APPS = {
    ledger: {
        image: "registry.example.com/erp/ledger:2.0.0",
        port: 8000,
        healthPath: "/api/health",
        database: true,
        generatedSecrets: ["SECRET_KEY"],
        secretEnv: { LEDGER_API_KEY: "ledgerApiKey" },
        env: { APP_NAME: "ledger" },
    },
    brochure: { image: "registry.example.com/web/brochure:1.0.0", port: 8080 },
};

/** The dev host: tunnel on, internal TLS, reviews on. Keys as `pulumi config --json` gives them. */
export function hostConfig(overrides: Record<string, string> = {}, apps: Record<string, unknown> = HOST_APPS): Record<string, string> {
    return {
        "nexora:environment": "dev",
        "nexora:hostnamePattern": "dev-{service}.{domain}",
        "nexora:dockerHost": "unix:///var/run/docker.sock",
        "nexora:tls": "internal",
        "nexora:edgeSubnet": "172.30.30.0/24",
        "nexora:dataSubnet": "172.30.31.0/24",
        "nexora:tunnelEnabled": "true",
        "nexora:frpServerAddr": "10.203.0.2",
        "nexora:frpToken": FRP_TOKEN,
        "nexora:gitlabEnabled": "false",
        "nexora:outlineEnabled": "false",
        "nexora:portainerEnabled": "false",
        "nexora:uptimeKumaEnabled": "false",
        "nexora:reviewsEnabled": "true",
        "nexora:ledgerApiKey": LEDGER_API_KEY,
        "nexora:apps": JSON.stringify(apps),
        ...overrides,
    };
}

export const HOST_SECRET_KEYS = new Set(["nexora:frpToken", "nexora:ledgerApiKey"]);

export interface FakeBackend extends ReviewBackend {
    /** Every call that reads or changes stacks, in order: "hostConfig dev", "up review-ledger-mr12", ... */
    readonly calls: string[];
}

/** A backend over fixed host config and review stacks; `up` runs the program (under whatever mocks the test installed). */
export function fakeBackend(
    values: Record<string, string> = hostConfig(),
    reviews: ReviewSummary[] = [],
    secretKeys: ReadonlySet<string> = HOST_SECRET_KEYS,
    outputs: Record<string, { value: unknown; secret: boolean }> = {},
): FakeBackend {
    const calls: string[] = [];
    return {
        calls,
        async hostConfig(stack) {
            calls.push(`hostConfig ${stack}`);
            return { values, secretKeys };
        },
        async hostOutputs(stack) {
            calls.push(`hostOutputs ${stack}`);
            return outputs;
        },
        async lock() {
            calls.push("lock");
            return async () => {
                calls.push("unlock");
            };
        },
        async reserve(stack) {
            calls.push(`reserve ${stack}`);
        },
        async listReviews() {
            calls.push("listReviews");
            return reviews;
        },
        async reviewOutputs(stack) {
            return reviews.find((r) => r.stack === stack)?.outputs;
        },
        async up(stack: string, program: PulumiFn) {
            calls.push(`up ${stack}`);
            const raw = (await program()) as Record<string, unknown>;
            const outputs: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(raw)) outputs[k] = await new Promise((resolve) => (pulumi.output(v) as pulumi.Output<unknown>).apply(resolve));
            return { outputs, summary: {} };
        },
        async destroy(stack) {
            calls.push(`destroy ${stack}`);
            return reviews.some((r) => r.stack === stack);
        },
    };
}

/** Runs the tool in process; returns its exit code and what it printed. */
export async function runReview(
    argv: string[],
    backend: ReviewBackend,
    now = Date.parse("2026-12-07T12:00:00Z"),
): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const io: ReviewIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, now: () => now };
    const code = await main(argv, io, backend);
    return { code, stdout, stderr };
}

/** The recorded graph as the offline pack runner takes it: inputs with secrets unwrapped (the pack judges values). */
export function offlineResources(mocks: MockRecorder): OfflineResource[] {
    return mocks.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        props: unwrapSecrets(r.rawInputs) as Record<string, unknown>,
        protect: r.options.protect ?? false,
        parent: r.options.parent || undefined,
        dependencies: [...r.options.dependencies],
    }));
}
