// The review tool's lock: `up` counts the running reviews against reviewMaxConcurrent and creates
// its stack while holding it, so two `up`s started at once cannot both pass the limit. A
// directory lock (mkdir is atomic on local and network file systems) from proper-lockfile,
// which also refreshes it while held and takes over a lock whose holder died.
import { mkdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as lockfile from "proper-lockfile";

/** The lock's name inside its directory (reviewLockDir). */
export const REVIEW_LOCK = "nexora-review-limits.lock";

/**
 * Where `up`'s lock lives: beside the state when the backend is a local directory
 * (PULUMI_BACKEND_URL=file://…), so every `up` on that state shares it whichever checkout it runs
 * from; else the review work directory of this checkout.
 */
export function reviewLockDir(backendUrl: string | undefined, reviewDir: string, home = os.homedir()): string {
    if (backendUrl === undefined || !backendUrl.startsWith("file://")) return reviewDir;
    // Pulumi's forms: file:///abs/path, file://~/path (the home directory), file://rel/path (the current directory).
    const dir = backendUrl.slice("file://".length).split("?")[0]!;
    if (dir === "") return reviewDir;
    if (dir === "~" || dir.startsWith("~/")) return path.join(home, dir.slice(1));
    return path.resolve(dir);
}

/** A holder that stops refreshing the lock for this long is taken to have died. */
const STALE_MS = 20_000;

export interface ReviewLockOptions {
    /** How long to wait for another `up` to release it before giving up. @default 180_000 */
    readonly waitMs?: number;
}

/** Thrown when another `up` held the lock for longer than the wait. */
export class ReviewLockTimeout extends Error {}

/**
 * Takes the lock in `dir` (created if missing), waiting for another holder; returns its release.
 * A lock lost while held (its directory removed or taken over) fails the holder's next release.
 */
export async function acquireReviewLock(dir: string, options: ReviewLockOptions = {}): Promise<() => Promise<void>> {
    mkdirSync(dir, { recursive: true });
    const waitMs = options.waitMs ?? 180_000;
    try {
        return await lockfile.lock(dir, {
            lockfilePath: path.join(dir, REVIEW_LOCK),
            stale: STALE_MS,
            realpath: false,
            // Short waits first: the limit check and the stack's creation take seconds.
            retries: { retries: Math.max(1, Math.ceil(waitMs / 1000)), minTimeout: 50, maxTimeout: 1000, factor: 1.5, randomize: true },
        });
    } catch (err) {
        if ((err as { code?: string }).code === "ELOCKED") {
            throw new ReviewLockTimeout(
                `another npm run review -- up held ${path.join(dir, REVIEW_LOCK)} for over ${Math.round(waitMs / 1000)} s (it checks the limits); try again`,
            );
        }
        throw err;
    }
}
