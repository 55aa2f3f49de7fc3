// npm run review -- up    --app <app> --mr <n> --image <ref> [--database] [--seed-from-host] [--json] [--host-stack dev]
//                   down  --app <app> --mr <n> [--json] [--host-stack dev]
//                   list  [--json] [--host-stack dev]
//                   sweep --older-than <duration> [--json] [--host-stack dev]
//
// Review environments: one stack per merge request of a business app (`review-<app>-mr<n>`),
// run through the Pulumi Automation API with an inline program (components/review) on the host
// stack's Docker host, routed by the host's Caddy and tunnel. Every input is checked, against
// the host stack's validated config, before any stack is touched.
//
// Exit codes: 0 done, 1 failed, 2 bad arguments or config (nothing created), 3 refused by a
// limit of the host's config (reviewMaxConcurrent, reviewMemoryMiB; nothing created).
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { APP_KEY } from "../../components/config/apps";
import { CONFIG_NAMESPACE, ConfigError, parseSettings, type AppSettings, type PlatformSettings } from "../../components/config";
import {
    parseDuration,
    parseMrNumber,
    reviewHostname,
    reviewImageProblem,
    reviewNameCollisions,
    reviewStackName,
    type ReviewId,
} from "../../components/review/names";
import { ReviewEnvironment, type ReviewHost } from "../../components/review/review";
import { routeOf, routeUrl } from "../../components/edge/routes";
import { isStackName, lastHostAddress, nullProtoMap } from "../../components/validators";
import { automationBackend, PROJECT, type ReviewBackend, type ReviewSummary } from "./backend";

export const USAGE = `usage: npm run review -- <command> [options]

  up    --app APP --mr N --image REF [--database]   create or update the review of merge request N of APP
  down  --app APP --mr N                            destroy it and remove its stack
  list                                              what runs: app, MR, image, age, URL
  sweep --older-than DURATION                       destroy reviews older than DURATION (90m, 36h, 7d, 2w)

  --json              one JSON document on stdout
  --host-stack NAME   the stack hosting reviews (default: $NEXORA_REVIEW_HOST_STACK, else dev)
  --database          refuse unless APP has a database (its review gets its own, empty)
  --seed-from-host    copy the host app's database into the review's (real data: see
                      docs/review-environments.md); copied inside the host's MySQL container

  Needs the pulumi CLI on PATH and the backend's environment (PULUMI_BACKEND_URL or a login,
  PULUMI_CONFIG_PASSPHRASE). Exit codes: 0 done, 1 failed, 2 bad input (nothing created),
  3 refused by the host's limits (reviewMaxConcurrent, reviewMemoryMiB).`;

export interface ReviewIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
    readonly env: Readonly<Record<string, string | undefined>>;
    /** The clock, for ages. @default Date.now */
    readonly now?: () => number;
}

const ROOT = path.resolve(__dirname, "..", "..");

const OPTIONS = {
    app: { type: "string" },
    mr: { type: "string" },
    image: { type: "string" },
    database: { type: "boolean" },
    "seed-from-host": { type: "boolean" },
    json: { type: "boolean" },
    "host-stack": { type: "string" },
    "older-than": { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

/** Bad input: exit 2. */
class InputError extends Error {}
/** Refused by a limit of the host's config: exit 3. */
class LimitError extends Error {}

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

interface Host {
    readonly stack: string;
    readonly settings: PlatformSettings;
    readonly secretValues: Readonly<Record<string, string>>;
    /** The host's `cloudflare:apiToken` (a secret of its config, parseSettings checks), when set. */
    readonly cloudflareApiToken?: string;
}

/** The host stack's output holding the GitLab API token reviews of SSO apps use (components/program.ts). */
export const REVIEW_GITLAB_TOKEN_OUTPUT = "reviewGitlabToken";

/** One review as `list` shows it. */
interface ReviewRow {
    readonly stack: string;
    readonly app: string;
    readonly mr: number;
    readonly image: string;
    readonly url: string;
    readonly createdAt: string;
    readonly ageSeconds: number;
    /** Why its state could not be read (another up or down was writing it); such a row is never swept. */
    readonly unreadable?: string;
}

const COMMANDS = ["up", "down", "list", "sweep"] as const;
type Command = (typeof COMMANDS)[number];
/** Which options each command takes; any other is an error, so a typo never passes silently. */
const ALLOWED: Record<Command, readonly (keyof typeof OPTIONS)[]> = {
    up: ["app", "mr", "image", "database", "seed-from-host", "json", "host-stack"],
    down: ["app", "mr", "json", "host-stack"],
    list: ["json", "host-stack"],
    sweep: ["older-than", "json", "host-stack"],
};

/**
 * The tool: returns the exit code. `backend` is the Automation API unless a test gives its own;
 * every check runs before the backend is asked to change anything.
 */
export async function main(argv: readonly string[], io: ReviewIo, backend?: ReviewBackend): Promise<number> {
    let parsed: { command: Command; values: Values };
    try {
        parsed = parseCommand(argv);
    } catch (err) {
        io.stderr(`${(err as Error).message}\n\n${USAGE}\n`);
        return 2;
    }
    if (parsed.values.help) {
        io.stdout(`${USAGE}\n`);
        return 0;
    }
    const be =
        backend ??
        automationBackend({
            projectDir: io.env.NEXORA_REVIEW_PROJECT_DIR ?? ROOT,
            policyPack: path.join(ROOT, "policies"),
            log: (line) => io.stderr(line),
        });
    try {
        switch (parsed.command) {
            case "up":
                return await up(parsed.values, io, be);
            case "down":
                return await down(parsed.values, io, be);
            case "list":
                return await list(parsed.values, io, be);
            case "sweep":
                return await sweep(parsed.values, io, be);
        }
    } catch (err) {
        if (err instanceof InputError) {
            io.stderr(`review: ${err.message}\n`);
            return 2;
        }
        if (err instanceof LimitError) {
            io.stderr(`review: refused: ${err.message}\n`);
            return 3;
        }
        io.stderr(`review: failed: ${(err as Error).message}\n`);
        return 1;
    }
}

function parseCommand(argv: readonly string[]): { command: Command; values: Values } {
    const [command, ...rest] = argv;
    if (command === "--help" || command === "-h") return { command: "list", values: { help: true } };
    if (!(COMMANDS as readonly string[]).includes(command ?? "")) {
        throw new InputError(`unknown command ${JSON.stringify(command ?? "")}: expected one of ${COMMANDS.join(", ")}`);
    }
    let values: Values;
    try {
        values = parseArgs({ args: [...rest], options: OPTIONS, strict: true, allowPositionals: false }).values as Values;
    } catch (err) {
        throw new InputError((err as Error).message);
    }
    for (const key of Object.keys(values) as (keyof typeof OPTIONS)[]) {
        if (key !== "help" && !ALLOWED[command as Command].includes(key)) throw new InputError(`--${key} is not an option of ${command}`);
    }
    return { command: command as Command, values };
}

/** --app and --mr, checked: the review's identity. */
function reviewIdOf(values: Values, hostStack: string): ReviewId {
    if (values.app === undefined) throw new InputError("--app is required: the app's key under nexora:apps of the host stack");
    if (!APP_KEY.test(values.app)) throw new InputError(`--app ${JSON.stringify(values.app)} is not an app key (2-32 lowercase letters, digits and hyphens)`);
    if (values.mr === undefined) throw new InputError("--mr is required: the merge request's number (its IID, e.g. $CI_MERGE_REQUEST_IID)");
    const mr = parseMrNumber(values.mr);
    if (mr === undefined) throw new InputError(`--mr ${JSON.stringify(values.mr)} is not a merge request number (1 to 9999999, no sign or leading zero)`);
    return { hostStack, app: values.app, mr };
}

function hostStackOf(values: Values, io: ReviewIo): string {
    const stack = values["host-stack"] ?? io.env.NEXORA_REVIEW_HOST_STACK ?? "dev";
    if (!isStackName(stack)) throw new InputError(`--host-stack ${JSON.stringify(stack)} is not a stack name (lowercase letters, digits and hyphens)`);
    return stack;
}

/** The host stack's config, validated by the program's own parser: a review runs what the host's config allows, nothing more. */
async function readHost(stack: string, be: ReviewBackend): Promise<Host> {
    let config: Awaited<ReturnType<ReviewBackend["hostConfig"]>>;
    try {
        config = await be.hostConfig(stack);
    } catch (err) {
        throw new InputError(`host stack ${stack}: cannot read its config (${firstLine((err as Error).message)})`);
    }
    const prefix = `${CONFIG_NAMESPACE}:`;
    const entries: [string, string][] = [];
    const otherKeys: string[] = [];
    for (const [key, value] of Object.entries(config.values)) {
        if (key.startsWith(prefix)) entries.push([key.slice(prefix.length), value]);
        else otherKeys.push(key);
    }
    try {
        const { settings, secretValues } = parseSettings(nullProtoMap(entries), {
            project: PROJECT,
            stack,
            isSecret: (k) => config.secretKeys.has(k),
            otherKeys,
        });
        if (!settings.reviews.enabled) {
            throw new InputError(
                `host stack ${stack} has ${CONFIG_NAMESPACE}:reviewsEnabled false: set it true and run pulumi up on ${stack} once (docs/review-environments.md)`,
            );
        }
        const cloudflareApiToken = config.secretKeys.has(CLOUDFLARE_TOKEN_KEY) ? config.values[CLOUDFLARE_TOKEN_KEY] : undefined;
        return { stack, settings, secretValues, cloudflareApiToken };
    } catch (err) {
        if (err instanceof ConfigError) throw new InputError(`host stack ${stack}: ${err.message}`);
        throw err;
    }
}

function appOf(host: Host, key: string): AppSettings {
    const app = host.settings.apps.find((a) => a.key === key);
    if (!app) {
        const known = host.settings.apps.map((a) => a.key).join(", ") || "none";
        throw new InputError(`--app ${JSON.stringify(key)} is not an app of host stack ${host.stack} (its nexora:apps: ${known})`);
    }
    return app;
}

const CLOUDFLARE_TOKEN_KEY = "cloudflare:apiToken";

/** What the review of `appKey` needs of the host: its Docker host, edge, DNS and GitLab. */
function hostOf(settings: PlatformSettings, appKey: string): ReviewHost {
    const gitlab = settings.features.gitlab ? routeOf(settings.routes, "gitlab") : undefined;
    return {
        stack: settings.stack,
        dockerHost: settings.dockerHost,
        tls: settings.tls,
        httpPort: settings.routes.httpPort,
        httpsPort: settings.routes.httpsPort,
        tunnel: settings.tunnel.enabled,
        mysql: settings.apps.some((a) => a.database),
        dns: settings.dns.enabled
            ? {
                  zone: settings.dns.zone,
                  relayAddress: settings.dns.relayAddress,
                  // As the host's own route to the app.
                  proxied: routeOf(settings.routes, appKey).proxied,
              }
            : undefined,
        gitlab: gitlab ? { url: routeUrl(settings.routes, gitlab), hostname: gitlab.hostname, caddyAddress: lastHostAddress(settings.edgeSubnet) } : undefined,
    };
}

/**
 * The host's GitLab API token for a review of an app with `sso`: the host stack's secret output
 * (its configured nexora:gitlabApiToken or the token it minted). Without it the review is refused:
 * a review without single sign-on would not run the app the merge request changes.
 */
async function gitlabTokenFor(app: AppSettings, host: Host, be: ReviewBackend): Promise<string | undefined> {
    if (!app.sso) return undefined;
    const why = `app ${app.key} has sso, so its review needs an OAuth application of host stack ${host.stack}'s GitLab`;
    if (!host.settings.features.gitlab) throw new InputError(`${why}, and ${host.stack} has ${CONFIG_NAMESPACE}:gitlabEnabled false`);
    let outputs: Awaited<ReturnType<ReviewBackend["hostOutputs"]>>;
    try {
        outputs = await be.hostOutputs(host.stack);
    } catch (err) {
        throw new InputError(`${why}: cannot read ${host.stack}'s outputs (${firstLine((err as Error).message)})`);
    }
    const token = Object.hasOwn(outputs, REVIEW_GITLAB_TOKEN_OUTPUT) ? outputs[REVIEW_GITLAB_TOKEN_OUTPUT] : undefined;
    if (token === undefined || typeof token.value !== "string" || token.value === "") {
        throw new InputError(
            `${why}: ${host.stack} exports no ${REVIEW_GITLAB_TOKEN_OUTPUT} yet (run pulumi up on ${host.stack} once; docs/review-environments.md)`,
        );
    }
    if (!token.secret) throw new InputError(`${why}: ${host.stack}'s output ${REVIEW_GITLAB_TOKEN_OUTPUT} is not a secret; refusing to use it`);
    return token.value;
}

async function up(values: Values, io: ReviewIo, be: ReviewBackend): Promise<number> {
    const hostStack = hostStackOf(values, io);
    const id = reviewIdOf(values, hostStack);
    if (values.image === undefined) throw new InputError("--image is required: the image the merge request built, pinned by tag or digest");
    const imageProblem = reviewImageProblem(values.image);
    if (imageProblem) throw new InputError(`--image ${imageProblem}`);

    const host = await readHost(hostStack, be);
    const app = appOf(host, id.app);
    for (const flag of ["database", "seed-from-host"] as const) {
        if (values[flag] && !app.database) {
            throw new InputError(`--${flag}: app ${app.key} of host stack ${hostStack} has no database (nexora:apps.${app.key}.database is not true)`);
        }
    }
    const collisions = reviewNameCollisions(host.settings.apps.map((a) => a.key));
    if (collisions.length > 0) {
        throw new InputError(
            `host stack ${hostStack} has apps named like reviews (${collisions.join(", ")}): rename them, their Docker and MySQL names would meet a review's`,
        );
    }
    const named = reviewHostname(host.settings, id.mr, app.subdomain);
    if ("problem" in named) throw new InputError(`--mr/--app: ${named.problem}`);
    const limits = host.settings.reviews;
    if (app.memoryMiB !== undefined && app.memoryMiB > limits.memoryMiB) {
        throw new LimitError(
            `app ${app.key} asks for ${app.memoryMiB} MiB, more than a review gets on ${hostStack} (${CONFIG_NAMESPACE}:reviewMemoryMiB = ${limits.memoryMiB})`,
        );
    }
    const gitlabApiToken = await gitlabTokenFor(app, host, be);
    const stackName = reviewStackName(id);
    // Counted and created under one lock: two ups started at once see each other's stack.
    const release = await be.lock();
    let existing: ReviewSummary | undefined;
    try {
        const reviews = await be.listReviews();
        // Every review stack of this host counts, a half-made one too (no outputs yet): it may hold resources until it is taken down.
        const running = reviews.filter((r) => r.stack !== stackName && (r.outputs.hostStack === hostStack || r.outputs.hostStack === undefined));
        if (running.length >= limits.maxConcurrent) {
            throw new LimitError(
                `${running.length} reviews already run on ${hostStack} (${running.map((r) => r.stack).join(", ")}), ` +
                    `the most ${CONFIG_NAMESPACE}:reviewMaxConcurrent allows (${limits.maxConcurrent}): take one down first (npm run review -- down ...)`,
            );
        }
        existing = reviews.find((r) => r.stack === stackName);
        if (!existing) await be.reserve(stackName);
    } finally {
        await release();
    }
    const createdAt = typeof existing?.outputs.createdAt === "string" ? existing.outputs.createdAt : new Date((io.now ?? Date.now)()).toISOString();

    const reviewApp: AppSettings = { ...app, image: values.image };
    const program = reviewProgram({
        id,
        host: hostOf(host.settings, app.key),
        app: reviewApp,
        hostname: named.hostname,
        memoryMiB: limits.memoryMiB,
        secretValues: host.secretValues,
        cloudflareApiToken: host.cloudflareApiToken,
        gitlabApiToken,
        seedFromHost: values["seed-from-host"] ?? false,
        createdAt,
    });
    const result = await be.up(stackName, program, (line) => io.stderr(line));
    const url = String(result.outputs.url);
    if (values.json) io.stdout(`${JSON.stringify({ stack: stackName, app: app.key, mr: id.mr, image: values.image, url, createdAt }, null, 2)}\n`);
    else io.stdout(`${url}\n`);
    return 0;
}

/** The inline program of one review stack: the component and the outputs `list` reads (no secret among them). */
export function reviewProgram(args: {
    id: ReviewId;
    host: ReviewHost;
    app: AppSettings;
    hostname: string;
    memoryMiB: number;
    secretValues: Readonly<Record<string, string>>;
    /** The host's Cloudflare API token, when its config has one. */
    cloudflareApiToken?: string;
    /** The host's GitLab API token, for an app with `sso`. */
    gitlabApiToken?: string;
    /** Copy the host app's database into the review's (--seed-from-host). @default false */
    seedFromHost?: boolean;
    createdAt: string;
}): () => Promise<Record<string, unknown>> {
    return async () => {
        // Only the values the app's secretEnv names, and only as secrets: state keeps them encrypted.
        const secretValues = Object.fromEntries(Object.values(args.app.secretEnv).map((key) => [key, pulumi.secret(args.secretValues[key]!)] as const));
        const review = new ReviewEnvironment("review", {
            id: args.id,
            host: args.host,
            app: args.app,
            hostname: args.hostname,
            memoryMiB: args.memoryMiB,
            secretValues,
            // Secrets: the state keeps them encrypted, no file of the review's holds them.
            cloudflareApiToken: args.cloudflareApiToken === undefined ? undefined : pulumi.secret(args.cloudflareApiToken),
            gitlabApiToken: args.gitlabApiToken === undefined ? undefined : pulumi.secret(args.gitlabApiToken),
            seedFromHost: args.seedFromHost ?? false,
        });
        return {
            url: review.url,
            hostname: args.hostname,
            app: args.app.key,
            mr: args.id.mr,
            image: args.app.image,
            hostStack: args.host.stack,
            container: review.containerName,
            createdAt: args.createdAt,
        };
    };
}

async function down(values: Values, io: ReviewIo, be: ReviewBackend): Promise<number> {
    const id = reviewIdOf(values, hostStackOf(values, io));
    const stackName = reviewStackName(id);
    const removed = await be.destroy(stackName, (line) => io.stderr(line));
    if (!removed) throw new InputError(`no review ${stackName} (npm run review -- list shows what runs)`);
    if (values.json) io.stdout(`${JSON.stringify({ stack: stackName, removed: true })}\n`);
    else io.stdout(`removed ${stackName}\n`);
    return 0;
}

function rowsOf(reviews: readonly ReviewSummary[], hostStack: string, now: number): ReviewRow[] {
    return reviews
        .filter((r) => r.outputs.hostStack === hostStack || r.outputs.hostStack === undefined)
        .map((r) => {
            // A stack without outputs yet (reserved by an up running now, or one whose first up
            // failed) is as old as the backend's last write of it, so a sweep never takes a review
            // that an up is still creating.
            const createdAt = typeof r.outputs.createdAt === "string" ? r.outputs.createdAt : (r.lastUpdate ?? "");
            const created = Date.parse(createdAt);
            return {
                stack: r.stack,
                app: String(r.outputs.app ?? ""),
                mr: Number(r.outputs.mr ?? 0),
                image: String(r.outputs.image ?? ""),
                url: String(r.outputs.url ?? ""),
                createdAt,
                // Without either time the age is unknown, and a sweep takes it.
                ageSeconds: Number.isNaN(created) ? Number.MAX_SAFE_INTEGER : Math.max(0, Math.round((now - created) / 1000)),
                ...(r.unreadable === undefined ? {} : { unreadable: r.unreadable }),
            };
        })
        .sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
}

function age(seconds: number): string {
    if (seconds === Number.MAX_SAFE_INTEGER) return "unknown";
    if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
    if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
    return `${Math.floor(seconds / 86400)}d`;
}

async function list(values: Values, io: ReviewIo, be: ReviewBackend): Promise<number> {
    const hostStack = hostStackOf(values, io);
    const rows = rowsOf(await be.listReviews(), hostStack, (io.now ?? Date.now)());
    if (values.json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0) io.stdout(`no reviews on ${hostStack}\n`);
    else
        for (const r of rows)
            io.stdout(
                r.unreadable === undefined
                    ? `${r.stack}\t${age(r.ageSeconds)}\t${r.image}\t${r.url}\n`
                    : `${r.stack}\tbusy\t(state unreadable: ${r.unreadable})\n`,
            );
    return 0;
}

async function sweep(values: Values, io: ReviewIo, be: ReviewBackend): Promise<number> {
    const hostStack = hostStackOf(values, io);
    if (values["older-than"] === undefined) throw new InputError("--older-than is required, e.g. 7d");
    const limit = parseDuration(values["older-than"]);
    if (limit === undefined)
        throw new InputError(`--older-than ${JSON.stringify(values["older-than"])} is not a duration (a number and m, h, d or w: 90m, 36h, 7d, 2w)`);
    const rows = rowsOf(await be.listReviews(), hostStack, (io.now ?? Date.now)());
    // A stack whose state cannot be read is being written by an up or down right now: its age is unknown, so it stays.
    for (const r of rows.filter((row) => row.unreadable !== undefined))
        io.stderr(`review: sweep: ${r.stack} left: its state cannot be read now (${r.unreadable}); sweep again later\n`);
    const stale = rows.filter((r) => r.unreadable === undefined && r.ageSeconds > limit);
    const removed: string[] = [];
    const failed: string[] = [];
    for (const r of stale) {
        try {
            await be.destroy(r.stack, (line) => io.stderr(line));
            removed.push(r.stack);
        } catch (err) {
            io.stderr(`review: sweep: ${r.stack} failed: ${firstLine((err as Error).message)}\n`);
            failed.push(r.stack);
        }
    }
    if (values.json) io.stdout(`${JSON.stringify({ removed, failed })}\n`);
    else
        io.stdout(
            removed.length === 0 && failed.length === 0
                ? "nothing to sweep\n"
                : `removed ${removed.join(", ") || "none"}${failed.length ? `; failed ${failed.join(", ")}` : ""}\n`,
        );
    return failed.length > 0 ? 1 : 0;
}

function firstLine(text: string): string {
    return text.split("\n").find((l) => l.trim() !== "") ?? text;
}

if (require.main === module) {
    main(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env }).then(
        (code) => process.exit(code),
        (err: unknown) => {
            process.stderr.write(`review: failed: ${(err as Error).message}\n`);
            process.exit(1);
        },
    );
}
