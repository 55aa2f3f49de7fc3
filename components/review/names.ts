// Review environments: the pure rules for their inputs and the names derived from them.
import { createHash } from "node:crypto";
import { hostnameFor } from "../catalog";
import { parseImageRef } from "../images";
import { mysqlIdentifier } from "../mysql/mysql";
import { dockerName } from "../naming";
import { hostnameProblem } from "../validators";

/** A merge request's IID: GitLab numbers them from 1; seven digits is far beyond any project. */
const MR_NUMBER = /^[1-9][0-9]{0,6}$/;

/** The MR number from its command-line text, or undefined when it is not one. */
export function parseMrNumber(text: string): number | undefined {
    return MR_NUMBER.test(text) ? Number(text) : undefined;
}

/**
 * Why an image reference cannot run a review, or undefined when it can: the grammar of
 * parseImageRef (the one the stack config's images follow) and a pinned tag or digest, as the
 * policy pack requires (a review of "latest" would not say what it runs).
 */
export function reviewImageProblem(ref: string): string | undefined {
    const parsed = parseImageRef(ref);
    if (!parsed) return `${JSON.stringify(ref)} is not an image reference like registry.example.com/group/app:1.2.3`;
    if (!parsed.tag && !parsed.digest) return `${JSON.stringify(ref)} has no tag or digest (that means latest): pin one, e.g. the commit's tag`;
    if (parsed.tag === "latest" && !parsed.digest) return `${JSON.stringify(ref)} is "latest": pin a tag or digest`;
    return undefined;
}

/** Durations for `sweep --older-than`: a count and a unit, e.g. 90m, 36h, 7d, 2w. */
const DURATION = /^([1-9][0-9]{0,5})(m|h|d|w)$/;
const UNIT_SECONDS = { m: 60, h: 3600, d: 86400, w: 604800 } as const;

/** Seconds of a duration like "7d", or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
    const m = DURATION.exec(text);
    return m ? Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS] : undefined;
}

/** What identifies one review environment: the app (a key of the host's nexora:apps), the MR, the host stack. */
export interface ReviewId {
    readonly hostStack: string;
    readonly app: string;
    readonly mr: number;
}

/** The review's Pulumi stack: `review-<app>-mr<n>`. */
export function reviewStackName(id: Pick<ReviewId, "app" | "mr">): string {
    return `review-${id.app}-mr${id.mr}`;
}

/** A review stack's name taken apart, or undefined for any other stack. */
export function parseReviewStackName(name: string): { app: string; mr: number } | undefined {
    const m = /^review-([a-z][a-z0-9-]{0,30}[a-z0-9])-mr([1-9][0-9]{0,6})$/.exec(name);
    return m ? { app: m[1]!, mr: Number(m[2]) } : undefined;
}

/**
 * The `stack` part of the review's Docker names and its `nexora.stack` label: `<host>-mr<n>`, so
 * the container is `nexora-<host>-mr<n>-<app>` and no listing of the host stack's own label counts it.
 */
export function reviewDockerStack(id: Pick<ReviewId, "hostStack" | "mr">): string {
    return `${id.hostStack}-mr${id.mr}`;
}

/** The review's two networks: its own web network (its app and the host's Caddy) and data network (its app and the host's MySQL). */
export function reviewNetworkNames(id: ReviewId): { web: string; data: string } {
    const stack = reviewDockerStack(id);
    return { web: dockerName(stack, id.app, "web"), data: dockerName(stack, id.app, "data") };
}

/** Subdomain of the review under the host's hostname pattern: `mr<n>-<app's subdomain>`. */
export function reviewSubdomain(mr: number, appSubdomain: string): string {
    return `mr${mr}-${appSubdomain}`;
}

/** The review's public hostname, or the reason there is none (a label over 63 characters). */
export function reviewHostname(
    host: { readonly hostnamePattern: string; readonly baseDomain: string },
    mr: number,
    appSubdomain: string,
): { hostname: string } | { problem: string } {
    const hostname = hostnameFor(host, reviewSubdomain(mr, appSubdomain));
    const problem = hostnameProblem(hostname);
    return problem === undefined ? { hostname } : { problem: `review hostname ${JSON.stringify(hostname)}: ${problem}` };
}

/** MySQL caps account names at 32 characters. */
const MYSQL_USER_MAX = 32;

/**
 * The review's database and user on the host's MySQL: `mr<n>_<app>`. The host's own apps' are
 * `<app>` (an app key never starts with "mr<digits>-" on a review host: assertNoReviewCollision),
 * so the names never meet. Too long for MySQL, the name keeps a prefix and a hash of the whole.
 */
export function reviewDatabaseName(app: string, mr: number): string {
    const base = `mr${mr}_${mysqlIdentifier(app)}`;
    if (base.length <= MYSQL_USER_MAX) return base;
    return `${base.slice(0, MYSQL_USER_MAX - 7)}_${createHash("sha256").update(base).digest("hex").slice(0, 6)}`;
}

/** Host app keys that would share names with reviews (`mr<n>-…` containers, `mr<n>_…` databases). */
export function reviewNameCollisions(hostAppKeys: readonly string[]): string[] {
    return hostAppKeys.filter((k) => /^mr[0-9]+-/.test(k));
}
