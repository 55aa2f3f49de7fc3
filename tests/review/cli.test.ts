// npm run review: bad input and limits refused before any stack is touched; list, sweep and down over the backend.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { APP_KEY } from "../../components/config/apps";
import { parseMrNumber, reviewImageProblem } from "../../components/review/names";
import type { ReviewSummary } from "../../tools/review/backend";
import { type MockRecorder, setupMocks } from "../support/mocks";
import { fakeBackend, hostConfig, HOST_APPS, runReview } from "./support";

const IMAGE = "registry.example.com/erp/ledger:mr-12-3f2a9c1";
const NOW = Date.parse("2026-12-07T12:00:00Z");

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "review-ledger-mr12" });
});

function review(app: string, mr: number, createdAt: string, hostStack = "dev"): ReviewSummary {
    return {
        stack: `review-${app}-mr${mr}`,
        resourceCount: 14,
        outputs: { app, mr, image: `registry.example.com/erp/${app}:mr-${mr}`, url: `https://dev-mr${mr}-${app}.nexora.restry.cn`, createdAt, hostStack },
    };
}

/** Runs the tool and checks it changed nothing: no up, no destroy, no resource registered. */
async function refused(argv: string[], config = hostConfig(), reviews: ReviewSummary[] = []): Promise<{ code: number; stderr: string }> {
    const backend = fakeBackend(config, reviews);
    const r = await runReview(argv, backend, NOW);
    await mocks.settled();
    expect(
        backend.calls.filter((c) => c.startsWith("up") || c.startsWith("destroy")),
        r.stderr,
    ).toEqual([]);
    expect(mocks.resources).toEqual([]);
    expect(r.stdout).toBe("");
    return r;
}

describe("bad input: exit 2 naming what is wrong, nothing created", () => {
    it.each([
        [["up", "--app", "ledger", "--mr", "12"], /--image is required/],
        [["up", "--app", "ledger", "--image", IMAGE], /--mr is required/],
        [["up", "--mr", "12", "--image", IMAGE], /--app is required/],
        [["up", "--app", "ledger", "--mr", "0", "--image", IMAGE], /--mr "0" is not a merge request number/],
        [["up", "--app", "ledger", "--mr", "12; rm -rf /", "--image", IMAGE], /--mr .* is not a merge request number/],
        [["up", "--app", "ledger", "--mr", "12", "--image", "ledger"], /--image "ledger" has no tag or digest/],
        [["up", "--app", "ledger", "--mr", "12", "--image", "ledger:latest"], /--image .*latest/],
        [["up", "--app", "ledger", "--mr", "12", "--image", "ledger:1$(id)"], /--image .* is not an image reference/],
        [["up", "--app", "Ledger;x", "--mr", "12", "--image", IMAGE], /--app .* is not an app key/],
        [
            ["up", "--app", "payroll", "--mr", "12", "--image", IMAGE],
            /--app "payroll" is not an app of host stack dev \(its nexora:apps: (ledger, brochure|brochure, ledger)\)/,
        ],
        [["up", "--app", "brochure", "--mr", "12", "--image", IMAGE, "--database"], /--database: app brochure of host stack dev has no database/],
        [["up", "--app", "ledger", "--mr", "12", "--image", IMAGE, "--host-stack", "Dev;x"], /--host-stack .* is not a stack name/],
        [["up", "--app", "ledger", "--mr", "12", "--image", IMAGE, "--older-than", "7d"], /--older-than is not an option of up/],
        [["up", "--app", "ledger", "--mr", "12", "--image", IMAGE, "--imgae", "x"], /Unknown option '--imgae'/],
        [["deploy"], /unknown command "deploy"/],
        [["sweep"], /--older-than is required/],
        [["sweep", "--older-than", "7 days"], /--older-than "7 days" is not a duration/],
        [["down", "--app", "ledger"], /--mr is required/],
    ])("%j", async (argv, message) => {
        const r = await refused(argv);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(message);
    });

    it("refuses a host stack whose config does not host reviews, naming the key", async () => {
        const r = await refused(["up", "--app", "ledger", "--mr", "12", "--image", IMAGE], hostConfig({ "nexora:reviewsEnabled": "false" }));
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/host stack dev has nexora:reviewsEnabled false/);
    });

    it("refuses a host config the program refuses (hostile app key), with the program's message", async () => {
        const r = await refused(
            ["up", "--app", "ledger", "--mr", "12", "--image", IMAGE],
            hostConfig({}, { ...HOST_APPS, "x$(id)": { image: "a/b:1", port: 80 } }),
        );
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/host stack dev: invalid stack config/);
        expect(r.stderr).toMatch(/nexora:apps\./);
    });

    it("refuses hosting reviews outside dev (config check)", async () => {
        const r = await refused(
            ["up", "--app", "ledger", "--mr", "12", "--image", IMAGE, "--host-stack", "staging"],
            hostConfig({ "nexora:environment": "staging" }),
        );
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/nexora:reviewsEnabled: expected false outside the dev environment/);
    });

    it("refuses a host whose apps are named like reviews", async () => {
        const r = await refused(
            ["up", "--app", "ledger", "--mr", "12", "--image", IMAGE],
            hostConfig({}, { ...HOST_APPS, "mr12-ledger": { image: "a/b:1", port: 80 } }),
        );
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/apps named like reviews \(mr12-ledger\)/);
    });

    it("refuses a review whose hostname would not be one", async () => {
        const long = "l".repeat(52);
        const r = await refused(
            ["up", "--app", long, "--mr", "1234567", "--image", IMAGE],
            hostConfig({}, { [long.slice(0, 32)]: { image: "a/b:1", port: 80 } }),
        );
        expect(r.code).toBe(2);
        const r2 = await refused(
            ["up", "--app", "ledger", "--mr", "1234567", "--image", IMAGE],
            hostConfig({}, { ledger: { ...HOST_APPS.ledger, subdomain: "l".repeat(54) } }),
        );
        expect(r2.code).toBe(2);
        expect(r2.stderr).toMatch(/review hostname .* more than 63/);
        expect(r.stderr).toMatch(/--app/);
    });
});

describe("hostile values in any flag", () => {
    it("reach a stack only when they pass the flag's grammar; everything else exits 2 before the backend changes anything", async () => {
        const hostile = fc.oneof(
            fc.string({ maxLength: 40 }),
            fc.constantFrom("$(id)", "`id`", "a;b", "a b", "a\nb", "../x", "--json", "-1", "ledger:1$(touch /tmp/x)", "ledger\u0000:1"),
        );
        await fc.assert(
            fc.asyncProperty(fc.constantFrom("app", "mr", "image"), hostile, async (flag, value) => {
                const args = { app: "ledger", mr: "12", image: IMAGE, [flag]: value };
                const backend = fakeBackend();
                // Stands in for the engine: records the call and creates nothing.
                backend.up = async (stack) => {
                    backend.calls.push(`up ${stack}`);
                    return { outputs: { url: "https://x" }, summary: {} };
                };
                const r = await runReview(["up", "--app", args.app, "--mr", args.mr, "--image", args.image], backend, NOW);
                const valid = APP_KEY.test(args.app) && parseMrNumber(args.mr) !== undefined && reviewImageProblem(args.image) === undefined;
                const known = args.app === "ledger" || args.app === "brochure";
                if (valid && known) return r.code === 0 && backend.calls.includes(`up review-${args.app}-mr${Number(args.mr)}`);
                return r.code === 2 && !backend.calls.some((c) => c.startsWith("up") || c.startsWith("destroy"));
            }),
            { numRuns: 200 },
        );
    });
});

describe("limits from the host's config: exit 3, nothing created", () => {
    it("refuses a review beyond reviewMaxConcurrent, naming the running ones and the key", async () => {
        const running = [review("ledger", 1, "2026-12-07T10:00:00Z"), review("ledger", 2, "2026-12-07T11:00:00Z")];
        const r = await refused(["up", "--app", "ledger", "--mr", "12", "--image", IMAGE], hostConfig({ "nexora:reviewMaxConcurrent": "2" }), running);
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/2 reviews already run on dev \(review-ledger-mr1, review-ledger-mr2\), the most nexora:reviewMaxConcurrent allows \(2\)/);
    });

    it("counts a review whose state cannot be read (another up is writing it) as running", async () => {
        const busy: ReviewSummary = { stack: "review-ledger-mr2", outputs: {}, resourceCount: 0, unreadable: "error: failed to load checkpoint: EOF" };
        const running = [review("ledger", 1, "2026-12-07T10:00:00Z"), busy];
        const r = await refused(["up", "--app", "ledger", "--mr", "12", "--image", IMAGE], hostConfig({ "nexora:reviewMaxConcurrent": "2" }), running);
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/2 reviews already run on dev \(review-ledger-mr1, review-ledger-mr2\)/);
    });

    it("counts neither the review being updated nor another host's reviews", async () => {
        const backend = fakeBackend(hostConfig({ "nexora:reviewMaxConcurrent": "1" }), [
            review("ledger", 12, "2026-12-07T10:00:00Z"),
            review("ledger", 3, "2026-12-07T10:00:00Z", "dev-other"),
        ]);
        const r = await runReview(["up", "--app", "ledger", "--mr", "12", "--image", IMAGE], backend, NOW);
        await mocks.settled();
        expect(r.code, r.stderr).toBe(0);
        expect(backend.calls).toContain("up review-ledger-mr12");
    });

    it("refuses an app that asks for more memory than a review gets", async () => {
        const apps = { ...HOST_APPS, ledger: { ...HOST_APPS.ledger, memoryMiB: 2048 } };
        const r = await refused(["up", "--app", "ledger", "--mr", "12", "--image", IMAGE], hostConfig({ "nexora:reviewMemoryMiB": "1024" }, apps));
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/asks for 2048 MiB, more than a review gets on dev \(nexora:reviewMemoryMiB = 1024\)/);
    });

    it("refuses limit values that are not numbers in range, naming the key (exit 2)", async () => {
        for (const [key, value] of [
            ["nexora:reviewMaxConcurrent", "0"],
            ["nexora:reviewMaxConcurrent", "many"],
            ["nexora:reviewMemoryMiB", "8"],
            ["nexora:reviewMemoryMiB", "1e3"],
        ] as const) {
            const r = await refused(["up", "--app", "ledger", "--mr", "12", "--image", IMAGE], hostConfig({ [key]: value }));
            expect(r.code, `${key}=${value}`).toBe(2);
            expect(r.stderr).toContain(`${key}: expected an integer from`);
        }
    });
});

describe("up, down, list and sweep", () => {
    it("up prints the URL, --json the whole record", async () => {
        const r = await runReview(["up", "--app", "ledger", "--mr", "12", "--image", IMAGE], fakeBackend(), NOW);
        await mocks.settled();
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe("https://dev-mr12-ledger.nexora.restry.cn\n");
    });

    it("up keeps the first creation time on an update", async () => {
        const r = await runReview(
            ["up", "--app", "ledger", "--mr", "12", "--image", IMAGE, "--json"],
            fakeBackend(hostConfig(), [review("ledger", 12, "2026-12-01T08:00:00.000Z")]),
            NOW,
        );
        await mocks.settled();
        expect(JSON.parse(r.stdout).createdAt).toBe("2026-12-01T08:00:00.000Z");
    });

    it("down destroys the review's stack, and says so when there is none (exit 2)", async () => {
        const backend = fakeBackend(hostConfig(), [review("ledger", 12, "2026-12-07T10:00:00Z")]);
        const r = await runReview(["down", "--app", "ledger", "--mr", "12"], backend, NOW);
        expect(r.code).toBe(0);
        expect(backend.calls).toEqual(["destroy review-ledger-mr12"]);
        const none = await runReview(["down", "--app", "ledger", "--mr", "13"], backend, NOW);
        expect(none.code).toBe(2);
        expect(none.stderr).toMatch(/no review review-ledger-mr13/);
    });

    it("list shows each review of the host with its age and image", async () => {
        const reviews = [
            review("ledger", 12, "2026-12-07T09:00:00Z"),
            review("brochure", 3, "2026-12-04T12:00:00Z"),
            review("ledger", 9, "2026-12-07T09:00:00Z", "dev-other"),
        ];
        const r = await runReview(["list"], fakeBackend(hostConfig(), reviews), NOW);
        expect(r.stdout).toBe(
            "review-brochure-mr3\t3d\tregistry.example.com/erp/brochure:mr-3\thttps://dev-mr3-brochure.nexora.restry.cn\n" +
                "review-ledger-mr12\t3h\tregistry.example.com/erp/ledger:mr-12\thttps://dev-mr12-ledger.nexora.restry.cn\n",
        );
        const json = JSON.parse((await runReview(["list", "--json"], fakeBackend(hostConfig(), reviews), NOW)).stdout) as {
            stack: string;
            ageSeconds: number;
        }[];
        expect(json.map((x) => [x.stack, x.ageSeconds])).toEqual([
            ["review-brochure-mr3", 259200],
            ["review-ledger-mr12", 10800],
        ]);
    });

    it("sweep destroys exactly the reviews older than the duration", async () => {
        const reviews = [
            review("ledger", 12, "2026-12-07T09:00:00Z"),
            review("brochure", 3, "2026-12-04T12:00:00Z"),
            review("ledger", 1, "2026-11-01T00:00:00Z"),
        ];
        const backend = fakeBackend(hostConfig(), reviews);
        const r = await runReview(["sweep", "--older-than", "2d", "--json"], backend, NOW);
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual({ removed: ["review-brochure-mr3", "review-ledger-mr1"], failed: [] });
        expect(backend.calls.filter((c) => c.startsWith("destroy"))).toEqual(["destroy review-brochure-mr3", "destroy review-ledger-mr1"]);
    });

    it("sweep ages a review without outputs by the backend's last write: one an up is creating now stays, a failed one from last month goes", async () => {
        const creating: ReviewSummary = { stack: "review-ledger-mr8", outputs: {}, resourceCount: 0, lastUpdate: "2026-12-07T11:59:50Z" };
        const failed: ReviewSummary = { stack: "review-ledger-mr5", outputs: {}, resourceCount: 3, lastUpdate: "2026-11-02T08:00:00Z" };
        const backend = fakeBackend(hostConfig(), [creating, failed]);
        const r = await runReview(["sweep", "--older-than", "1m", "--json"], backend, NOW);
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual({ removed: ["review-ledger-mr5"], failed: [] });
        expect(backend.calls.filter((c) => c.startsWith("destroy"))).toEqual(["destroy review-ledger-mr5"]);
    });

    it("sweep leaves a review whose state cannot be read, and list shows it as busy", async () => {
        const busy: ReviewSummary = { stack: "review-ledger-mr7", outputs: {}, resourceCount: 18, unreadable: "error: failed to load checkpoint: EOF" };
        const reviews = [review("ledger", 1, "2026-11-01T00:00:00Z"), busy];
        const backend = fakeBackend(hostConfig(), reviews);
        const r = await runReview(["sweep", "--older-than", "2d", "--json"], backend, NOW);
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual({ removed: ["review-ledger-mr1"], failed: [] });
        expect(r.stderr).toMatch(/review-ledger-mr7 left: its state cannot be read now \(error: failed to load checkpoint: EOF\)/);
        expect(backend.calls.filter((c) => c.startsWith("destroy"))).toEqual(["destroy review-ledger-mr1"]);
        const listed = await runReview(["list"], fakeBackend(hostConfig(), reviews), NOW);
        expect(listed.stdout).toContain("review-ledger-mr7\tbusy\t(state unreadable: error: failed to load checkpoint: EOF)\n");
    });
});
