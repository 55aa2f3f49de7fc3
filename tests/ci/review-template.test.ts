// The CI template app repositories include for review environments (tools/review/review.gitlab-ci.yml),
// tested like .gitlab-ci.yml: parsed, its extends resolved, its rules evaluated, its scripts run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { applyRules, type Env, resolveJob } from "./gitlab-rules";

const FILE = path.join(__dirname, "../../tools/review/review.gitlab-ci.yml");
const text = readFileSync(FILE, "utf8");
const ci = YAML.parse(text) as Record<string, unknown>;

interface Job {
    readonly stage?: string;
    readonly script: string[];
    readonly before_script: string[];
    readonly variables: Record<string, string>;
    readonly environment: Record<string, string>;
    readonly rules: unknown;
    readonly resource_group?: string;
    readonly allow_failure?: boolean;
    readonly interruptible?: boolean;
    readonly artifacts?: { readonly paths?: string[]; readonly reports?: { readonly dotenv?: string } };
}
const job = (name: string) => resolveJob(ci, name) as unknown as Job;

const mergeRequest = (fork = false): Env => ({
    CI_PIPELINE_SOURCE: "merge_request_event",
    CI_MERGE_REQUEST_PROJECT_ID: "12",
    CI_MERGE_REQUEST_SOURCE_PROJECT_ID: fork ? "99" : "12",
    CI_MERGE_REQUEST_IID: "34",
});
const push: Env = { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "feature/x" };

describe("tools/review/review.gitlab-ci.yml", () => {
    it("defines the review job and its stop job, and no stages of its own (the including pipeline's deploy stage)", () => {
        expect(
            Object.keys(ci)
                .filter((k) => !k.startsWith("."))
                .sort(),
        ).toEqual(["review", "stop_review"]);
        expect(ci.stages).toBeUndefined();
        for (const name of ["review", "stop_review"]) expect(job(name).stage).toBe("deploy");
    });

    it("deploys to review/$CI_COMMIT_REF_SLUG with the URL the tool printed, a stop job and an auto stop", () => {
        expect(job("review").environment).toEqual({
            name: "review/$CI_COMMIT_REF_SLUG",
            url: "$REVIEW_URL",
            on_stop: "stop_review",
            auto_stop_in: "1 week",
            deployment_tier: "development",
        });
        expect(job("review").artifacts?.reports?.dotenv).toBe("review.env");
        expect(job("stop_review").environment).toEqual({ name: "review/$CI_COMMIT_REF_SLUG", action: "stop" });
        expect(job("stop_review").variables.GIT_STRATEGY).toBe("none");
        expect(job("review").resource_group).toBe("review/$CI_COMMIT_REF_SLUG");
        expect(job("review").interruptible).toBe(false);
    });

    it("runs npm run review with the MR's IID and image, quoted, and down with the same app and MR", () => {
        expect(job("review").script[0]).toBe(
            'npm run --silent review -- up --app "$NEXORA_REVIEW_APP" --mr "$CI_MERGE_REQUEST_IID" --image "$NEXORA_REVIEW_IMAGE" --host-stack "$NEXORA_REVIEW_HOST_STACK" --json > "$CI_PROJECT_DIR/review.json"',
        );
        expect(job("stop_review").script).toEqual([
            'npm run --silent review -- down --app "$NEXORA_REVIEW_APP" --mr "$CI_MERGE_REQUEST_IID" --host-stack "$NEXORA_REVIEW_HOST_STACK"',
        ]);
        // Every variable in a command is inside double quotes: a value is one word, never shell syntax.
        for (const line of [...job("review").script, ...job("stop_review").script, ...job("review").before_script]) {
            const unquoted = line.replace(/"[^"]*"/g, "").replace(/'[^']*'/g, "");
            expect(unquoted, line).not.toMatch(/\$[A-Za-z_{]/);
        }
        expect(job("review").variables).toMatchObject({ NEXORA_REVIEW_IMAGE: "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA", NEXORA_REVIEW_HOST_STACK: "dev" });
    });

    it("refuses to start without the app and the backend's variables", () => {
        const before = job("review").before_script.join("\n");
        for (const name of ["NEXORA_REVIEW_APP", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"]) expect(before).toContain(`test -n "\${${name}:-}" ||`);
    });

    it("runs the review for merge requests, lets the stop job be started by hand, and never runs for forks or pushes", () => {
        expect(applyRules(job("review").rules, mergeRequest())).toEqual({ when: "on_success" });
        expect(applyRules(job("stop_review").rules, mergeRequest())).toMatchObject({ when: "manual" });
        expect(job("stop_review").allow_failure).toBe(true);
        for (const name of ["review", "stop_review"]) {
            expect(applyRules(job(name).rules, mergeRequest(true))?.when ?? "never").toBe("never");
            expect(applyRules(job(name).rules, push)).toBeUndefined();
        }
    });

    it("documents every variable the jobs read", () => {
        const used = new Set([...text.matchAll(/\$\{?(NEXORA_[A-Z_]+|PULUMI_[A-Z_]+|DOCKER_HOST_[A-Z_]+)/g)].map((m) => m[1]!));
        const header = text.slice(0, text.indexOf("\n.nexora-review:"));
        for (const name of used) expect(header, name).toMatch(new RegExp(`^#\\s+${name}\\s`, "m"));
    });

    it("turns the tool's --json into the REVIEW_URL dotenv line GitLab reads", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "review-ci-"));
        writeFileSync(path.join(dir, "review.json"), JSON.stringify({ stack: "review-ledger-mr34", url: "https://dev-mr34-ledger.nexora.restry.cn" }));
        const line = job("review").script[1]!;
        execFileSync("sh", ["-c", line], { env: { ...process.env, CI_PROJECT_DIR: dir } });
        expect(readFileSync(path.join(dir, "review.env"), "utf8")).toBe("REVIEW_URL=https://dev-mr34-ledger.nexora.restry.cn\n");
    });
});
