// The review tool's handle on Pulumi: the Automation API against the project's backend (the
// environment's PULUMI_BACKEND_URL / login, PULUMI_CONFIG_PASSPHRASE), the `pulumi` CLI on PATH.
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type PulumiFn } from "@pulumi/pulumi/automation";
import { parseReviewStackName } from "../../components/review/names";
import { acquireReviewLock, reviewLockDir } from "./lock";

export const PROJECT = "nexora";

/** What `list` and `sweep` know of a review stack: its name and its outputs (no secret among them). */
export interface ReviewSummary {
    readonly stack: string;
    readonly outputs: Readonly<Record<string, unknown>>;
    readonly resourceCount: number;
    /**
     * When the backend last wrote the stack (ISO 8601): its creation for a stack that `up` has only
     * reserved so far. The age of a review whose outputs do not say when it was made.
     */
    readonly lastUpdate?: string;
    /**
     * Set when the stack's state could not be read (another `up` or `down` was writing it): its
     * outputs are then unknown. `up` counts such a stack against the limits; `sweep` leaves it.
     */
    readonly unreadable?: string;
}

/** How often a read of another review's state is tried, and the pause before the first retry (doubling after each). */
export const STATE_READ_ATTEMPTS = 5;
export const STATE_READ_PAUSE_MS = 250;

/**
 * Reads another process's stack state, trying again while it is being written. The file backend
 * rewrites a checkpoint's sidecar attributes file in place (gocloud.dev fileblob's setAttrs:
 * os.Create, then encode), so a reader that meets it half-written fails with "failed to load
 * checkpoint: EOF" (and a stack listing with "EOF"); a review `up` reads every other review's
 * state while those may be updating. Only such an error is tried again (a missing stack or a wrong
 * passphrase fails at once); each retry is reported through `onRetry`.
 */
export async function readWithRetry<T>(
    what: string,
    read: () => Promise<T>,
    options: { attempts?: number; pauseMs?: number; onRetry?: (line: string) => void } = {},
): Promise<T> {
    const attempts = options.attempts ?? STATE_READ_ATTEMPTS;
    let pause = options.pauseMs ?? STATE_READ_PAUSE_MS;
    for (let attempt = 1; ; attempt++) {
        try {
            return await read();
        } catch (err) {
            if (attempt >= attempts || !isHalfWrittenState(err)) throw err;
            options.onRetry?.(`review: ${what} unreadable (${stateProblem(err)}), reading again in ${pause} ms\n`);
            await new Promise((resolve) => setTimeout(resolve, pause));
            pause *= 2;
        }
    }
}

/** A read that met a file being written: the engine's JSON decoding stopped at its end. */
export function isHalfWrittenState(err: unknown): boolean {
    return /\bEOF\b|unexpected end of JSON input/.test(stateProblem(err));
}

/** The engine's own error line of a failed CLI call (the Automation API wraps it in its command line and output). */
export function stateProblem(err: unknown): string {
    const lines = (err instanceof Error ? err.message : String(err)).split("\n").map((l) => l.trim());
    return lines.find((l) => l.startsWith("error:")) ?? lines.find((l) => l !== "") ?? "unknown error";
}

export interface UpResult {
    readonly outputs: Readonly<Record<string, unknown>>;
    readonly summary: Readonly<Record<string, number>>;
}

export interface ReviewBackend {
    /** The host stack's config, secrets decrypted (they never leave this process but as secret inputs). */
    hostConfig(hostStack: string): Promise<{ values: Record<string, string>; secretKeys: ReadonlySet<string> }>;
    /** The host stack's outputs, secrets decrypted and flagged (they never leave this process but as secret inputs). */
    hostOutputs(hostStack: string): Promise<Record<string, { value: unknown; secret: boolean }>>;
    /**
     * Takes the lock under which `up` checks the limits and creates its stack (waiting for another
     * holder); returns its release.
     */
    lock(): Promise<() => Promise<void>>;
    /** Creates the review stack (no resources yet) unless it exists: from then on it counts against the limits. */
    reserve(stack: string): Promise<void>;
    /** Every review stack of the project. */
    listReviews(): Promise<ReviewSummary[]>;
    /** The outputs of one review stack, or undefined when it does not exist. */
    reviewOutputs(stack: string): Promise<Readonly<Record<string, unknown>> | undefined>;
    /** Creates or updates a review stack with an inline program, under the policy pack. */
    up(stack: string, program: PulumiFn, log: (line: string) => void): Promise<UpResult>;
    /** Destroys a review stack's resources and removes the stack; false when there is no such stack. */
    destroy(stack: string, log: (line: string) => void): Promise<boolean>;
}

/** Where review stacks' files live: beside the host's, in a directory of their own (the project's Pulumi.yaml requires the host's keys). */
export const REVIEW_WORKDIR = ".nexora-reviews";

/**
 * The Automation API backend. The host's config is read in the project directory (its
 * Pulumi.<stack>.yaml); review stacks run in REVIEW_WORKDIR under it, a project of the same name
 * with no declared config keys, their stack files (the passphrase's salt) kept there.
 */
export function automationBackend(options: { projectDir: string; policyPack: string; log?: (line: string) => void }): ReviewBackend {
    const reviewDir = path.join(options.projectDir, REVIEW_WORKDIR);
    const reviewOpts = () => {
        mkdirSync(reviewDir, { recursive: true });
        return {
            workDir: reviewDir,
            projectSettings: { name: PROJECT, runtime: "nodejs" as const, description: "Nexora review environments (npm run review)" },
        };
    };
    const workspace = () => LocalWorkspace.create({ workDir: options.projectDir });
    const reviewWorkspace = () => LocalWorkspace.create(reviewOpts());
    const select = async (stack: string, program: PulumiFn) => LocalWorkspace.selectStack({ stackName: stack, projectName: PROJECT, program }, reviewOpts());
    // Listing stacks reads every checkpoint (the file backend's ListStacks), so it meets the same half-written files.
    const listStacks = async () => readWithRetry("the review stacks' list", async () => (await reviewWorkspace()).listStacks(), { onRetry: options.log });
    const outputsOf = async (stack: string) =>
        readWithRetry(`the state of ${stack}`, async () => (await select(stack, async () => ({}))).outputs(), { onRetry: options.log });
    const exists = async (stack: string) => (await listStacks()).some((s) => s.name === stack || s.name.endsWith(`/${stack}`));
    const plainOutputs = (outputs: Record<string, { value: unknown; secret: boolean }>) =>
        Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
    return {
        // The host stack too may be mid-update (a `pulumi up` of dev) while a review reads it.
        async hostConfig(hostStack) {
            const config = await readWithRetry(`${hostStack}'s config`, async () => (await workspace()).getAllConfig(hostStack), { onRetry: options.log });
            const values: Record<string, string> = {};
            const secretKeys = new Set<string>();
            for (const [key, v] of Object.entries(config)) {
                values[key] = v.value;
                if (v.secret) secretKeys.add(key);
            }
            return { values, secretKeys };
        },
        async hostOutputs(hostStack) {
            const outputs = await readWithRetry(
                `${hostStack}'s outputs`,
                async () => (await LocalWorkspace.selectStack({ stackName: hostStack, workDir: options.projectDir })).outputs(),
                { onRetry: options.log },
            );
            return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v.value as unknown, secret: v.secret }]));
        },
        lock: () => acquireReviewLock(reviewLockDir(process.env.PULUMI_BACKEND_URL, reviewDir)),
        async reserve(name) {
            await LocalWorkspace.createOrSelectStack({ stackName: name, projectName: PROJECT, program: async () => ({}) }, reviewOpts());
        },
        async listReviews() {
            const out: ReviewSummary[] = [];
            for (const s of await listStacks()) {
                const name = s.name.split("/").pop()!;
                if (!parseReviewStackName(name)) continue;
                const known = { stack: name, resourceCount: s.resourceCount ?? 0, ...(s.lastUpdate ? { lastUpdate: s.lastUpdate } : {}) };
                try {
                    out.push({ ...known, outputs: plainOutputs(await outputsOf(name)) });
                } catch (err) {
                    out.push({ ...known, outputs: {}, unreadable: stateProblem(err) });
                }
            }
            return out;
        },
        async reviewOutputs(name) {
            if (!(await exists(name))) return undefined;
            return plainOutputs(await outputsOf(name));
        },
        async up(name, program, log) {
            const stack = await LocalWorkspace.createOrSelectStack({ stackName: name, projectName: PROJECT, program }, reviewOpts());
            const result = await stack.up({ policyPacks: [path.resolve(options.policyPack)], onOutput: (t) => log(t) });
            return { outputs: plainOutputs(result.outputs), summary: (result.summary.resourceChanges ?? {}) as Record<string, number> };
        },
        async destroy(name, log) {
            if (!(await exists(name))) return false;
            const stack = await select(name, async () => ({}));
            // remove: the stack and its config file go once its resources are gone.
            await stack.destroy({ onOutput: (t) => log(t), remove: true });
            return true;
        },
    };
}
