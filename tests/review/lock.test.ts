// Two `up`s started at once against reviewMaxConcurrent: the limit check and the stack's creation
// run under one lock (proper-lockfile on the review work directory), so exactly one passes.
import { mkdtempSync, mkdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ReviewBackend, ReviewSummary } from "../../tools/review/backend";
import { acquireReviewLock, REVIEW_LOCK, reviewLockDir, ReviewLockTimeout } from "../../tools/review/lock";
import { hostConfig, HOST_SECRET_KEYS, runReview } from "./support";

let dir: string;
beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "nexora-review-lock-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A backend over one shared list of stacks, as a file backend is: listing and creating a stack take
 * time (the pulumi CLI's), so two `up`s interleave unless something orders them.
 */
function sharedBackend(lock: () => Promise<() => Promise<void>>): ReviewBackend & { readonly stacks: Set<string>; reserved: string[] } {
    const stacks = new Set<string>();
    const reserved: string[] = [];
    return {
        stacks,
        reserved,
        hostConfig: async () => ({ values: hostConfig({ "nexora:reviewMaxConcurrent": "1" }), secretKeys: HOST_SECRET_KEYS }),
        hostOutputs: async () => ({}),
        lock,
        async listReviews(): Promise<ReviewSummary[]> {
            const seen = [...stacks];
            await pause(40);
            return seen.map((stack) => ({ stack, outputs: {}, resourceCount: 0 }));
        },
        async reserve(stack) {
            await pause(40);
            stacks.add(stack);
            reserved.push(stack);
        },
        reviewOutputs: async () => undefined,
        // The deployment itself is not what is raced: the stack exists (and counts) from reserve on.
        up: async (stack) => ({ outputs: { url: `https://${stack}.example` }, summary: {} }),
        destroy: async () => false,
    };
}

const upMr = (backend: ReviewBackend, mr: number) =>
    runReview(["up", "--app", "brochure", "--mr", String(mr), "--image", `registry.example.com/web/brochure:mr-${mr}`], backend);

describe("two concurrent ups against reviewMaxConcurrent 1", () => {
    it("pass exactly one: the other is refused with the limit's message (exit 3) and creates no stack", async () => {
        const backend = sharedBackend(() => acquireReviewLock(dir));
        const results = await Promise.all([upMr(backend, 1), upMr(backend, 2)]);
        expect(results.map((r) => r.code).sort()).toEqual([0, 3]);
        const refused = results.find((r) => r.code === 3)!;
        const passed = results.find((r) => r.code === 0)!;
        expect(refused.stderr).toMatch(/refused: 1 reviews already run on dev \(review-brochure-mr[12]\), the most nexora:reviewMaxConcurrent allows \(1\)/);
        expect(refused.stdout).toBe("");
        expect(backend.reserved).toHaveLength(1);
        expect(passed.stdout).toBe(`https://${backend.reserved[0]}.example\n`);
        // Released: a third up is refused by the limit, not by a held lock.
        const third = await upMr(backend, 3);
        expect(third.code, third.stderr).toBe(3);
    });

    it("both pass without the lock: the race the lock closes is real in this backend", async () => {
        const backend = sharedBackend(async () => async () => {});
        const results = await Promise.all([upMr(backend, 1), upMr(backend, 2)]);
        expect(results.map((r) => r.code)).toEqual([0, 0]);
        expect(backend.stacks.size).toBe(2);
    });
});

describe("acquireReviewLock", () => {
    it("makes a second holder wait for the first's release", async () => {
        const order: string[] = [];
        const first = await acquireReviewLock(dir);
        const second = acquireReviewLock(dir).then((release) => {
            order.push("second");
            return release;
        });
        await pause(300);
        order.push("first releases");
        await first();
        await (
            await second
        )();
        expect(order).toEqual(["first releases", "second"]);
    });

    it("gives up after its wait with a message naming the lock", async () => {
        const held = await acquireReviewLock(dir);
        await expect(acquireReviewLock(dir, { waitMs: 1000 })).rejects.toThrow(ReviewLockTimeout);
        await expect(acquireReviewLock(dir, { waitMs: 1000 })).rejects.toThrow(path.join(dir, REVIEW_LOCK));
        await held();
    });

    it("takes over a lock its holder left behind (not refreshed for longer than the stale time)", async () => {
        mkdirSync(path.join(dir, REVIEW_LOCK));
        const old = new Date(Date.now() - 60_000);
        utimesSync(path.join(dir, REVIEW_LOCK), old, old);
        const release = await acquireReviewLock(dir, { waitMs: 1000 });
        await release();
    });
});

describe("reviewLockDir", () => {
    it("is the state directory of a file:// backend, shared by every checkout using it", () => {
        expect(reviewLockDir("file:///srv/pulumi-state", "/repo/.nexora-reviews")).toBe("/srv/pulumi-state");
        expect(reviewLockDir("file://~/state", "/repo/.nexora-reviews", "/home/ci")).toBe("/home/ci/state");
        expect(reviewLockDir("file://~", "/repo/.nexora-reviews", "/home/ci")).toBe("/home/ci");
        expect(reviewLockDir("file://state", "/repo/.nexora-reviews")).toBe(path.resolve("state"));
    });

    it("is the checkout's review directory for any other backend", () => {
        for (const url of [undefined, "s3://bucket/nexora", "https://api.pulumi.com", "file://"]) {
            expect(reviewLockDir(url, "/repo/.nexora-reviews")).toBe("/repo/.nexora-reviews");
        }
    });
});
