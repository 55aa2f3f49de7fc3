import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Env, evaluateIf, jobNames, loadCi, pipelineFor, resolveJob } from "./gitlab-rules";

const ci = loadCi();
/** The keys of a resolved job these tests read. */
interface CiJob {
    readonly stage?: string;
    readonly script: string[];
    readonly before_script: unknown[];
    readonly variables: Record<string, string>;
    readonly environment?: Record<string, string>;
    readonly resource_group?: string;
    readonly needs: string[];
    readonly interruptible?: boolean;
    readonly artifacts: { readonly when?: string; readonly access?: string; readonly reports: { readonly terraform?: string } };
}
const job = (name: string) => resolveJob(ci, name) as unknown as CiJob;

const mergeRequest = (source: string, target: string, fork = false): Env => ({
    CI_PIPELINE_SOURCE: "merge_request_event",
    CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: source,
    CI_MERGE_REQUEST_TARGET_BRANCH_NAME: target,
    CI_MERGE_REQUEST_PROJECT_ID: "12",
    CI_MERGE_REQUEST_SOURCE_PROJECT_ID: fork ? "99" : "12",
    CI_MERGE_REQUEST_IID: "34",
});
const push = (branch: string, openMergeRequest = false): Env => ({
    CI_PIPELINE_SOURCE: "push",
    CI_COMMIT_BRANCH: branch,
    CI_OPEN_MERGE_REQUESTS: openMergeRequest ? "nexora/platform!34" : undefined,
});
const tag = (name: string): Env => ({ CI_PIPELINE_SOURCE: "push", CI_COMMIT_TAG: name });

function jobsOf(env: Env): Record<string, string> {
    const pipeline = pipelineFor(ci, env);
    if (!pipeline) throw new Error("no pipeline");
    return Object.fromEntries([...pipeline].map(([name, outcome]) => [name, outcome.when]));
}

const VERIFY = { install: "on_success", lint: "on_success", test: "on_success", policy: "on_success" };

describe("the rules evaluator used by these tests", () => {
    it("reads GitLab's expression forms", () => {
        expect(evaluateIf('$A == "x" && ($B || $C =~ /^v\\d+$/)', { A: "x", C: "v12" })).toBe(true);
        expect(evaluateIf("$A != $B", {})).toBe(false);
        expect(evaluateIf("$A !~ /^feature\\//", { A: "feature/x" })).toBe(false);
    });
});

describe(".gitlab-ci.yml", () => {
    it("parses, and every job runs in a declared stage", () => {
        const stages = ci.stages as string[];
        expect(stages).toEqual(["install", "verify", "preview", "deploy"]);
        for (const name of jobNames(ci)) expect(stages).toContain(job(name).stage ?? "test");
    });

    it("installs, lints, tests and runs the policy pack on every stack in every pipeline", () => {
        expect(job("install").script).toEqual(["npm ci --no-audit --no-fund"]);
        expect(job("lint").script).toEqual(["npm run lint"]);
        expect(job("test").script).toContain("npm test");
        expect(job("policy").script).toEqual(["npm run policy"]);
        for (const env of [mergeRequest("feature/sso", "develop"), push("develop"), push("main"), tag("v1.4.0")]) {
            expect(jobsOf(env)).toMatchObject(VERIFY);
        }
    });

    it("gives the test job the Debian tools the integration tests drive", () => {
        const ciRun = readFileSync(path.join(__dirname, "../../.ci/run"), "utf8");
        const packages = /packages=\(([^)]*)\)/.exec(ciRun)?.[1].trim().split(/\s+/) ?? [];
        expect(packages.length).toBeGreaterThan(0);
        expect((job("test").variables.TEST_APT_PACKAGES as string).split(" ").sort()).toEqual([...packages].sort());
    });
});

describe("merge-request pipelines", () => {
    it("previews staging for a merge request into develop", () => {
        expect(jobsOf(mergeRequest("feature/sso", "develop"))).toEqual({ ...VERIFY, "mr-preview:staging": "on_success", "deploy:dev": "manual" });
    });

    it("previews prod for a merge request into main", () => {
        expect(jobsOf(mergeRequest("develop", "main"))).toEqual({ ...VERIFY, "mr-preview:prod": "on_success" });
    });

    it("runs only the offline diff for a fork: no backend, no deploy", () => {
        expect(jobsOf(mergeRequest("feature/typo", "develop", true))).toEqual({ ...VERIFY, "mr-offline-diff": "on_success" });
    });

    it("runs the preview script for the job's stack with the full history for the offline fallback", () => {
        for (const stack of ["staging", "prod"]) {
            const preview = job(`mr-preview:${stack}`);
            expect(preview.variables).toMatchObject({ STACK: stack, GIT_DEPTH: "0" });
            expect(preview.script).toEqual(['bash tools/mr-preview/ci/preview.sh "$STACK"']);
            expect(preview.environment).toEqual({ name: stack, action: "prepare" });
            // Previews take no lock, so they never wait on a deploy.
            expect(preview.resource_group).toBeUndefined();
        }
        expect(job("mr-offline-diff").script).toEqual(['bash tools/mr-preview/ci/offline-diff.sh "${STACK:-}"']);
        expect(job("mr-offline-diff").variables.GIT_DEPTH).toBe("0");
    });

    it("feeds GitLab's merge-request widget and keeps the event log to project members", () => {
        const artifacts = job("mr-preview:staging").artifacts;
        expect(artifacts.reports.terraform).toBe("mr-preview/terraform-report.json");
        expect(artifacts.when).toBe("always");
        expect(artifacts.access).toBe("developer");
        const script = readFileSync(path.join(__dirname, "../../tools/mr-preview/ci/preview.sh"), "utf8");
        expect(script).toContain('--terraform-report "$out/terraform-report.json"');
    });

    it("feeds the widget from the offline diff too, at the path the scripts write to", () => {
        // The scripts write $MR_PREVIEW_DIR/terraform-report.json (tests/ci/ci-scripts.test.ts).
        const written = `${(ci.variables as Record<string, string>).MR_PREVIEW_DIR}/terraform-report.json`;
        for (const name of ["mr-preview:staging", "mr-preview:prod", "mr-offline-diff"]) {
            expect(job(name).artifacts.reports.terraform, name).toBe(written);
            expect(job(name).artifacts.when, name).toBe("always");
        }
    });

    it("gives the fork job the stack its target branch deploys, whose counts the widget shows", () => {
        const stackOf = (target: string) => pipelineFor(ci, mergeRequest("feature/typo", target, true))?.get("mr-offline-diff");
        expect(stackOf("develop")).toMatchObject({ when: "on_success", variables: { STACK: "staging" } });
        expect(stackOf("main")).toMatchObject({ when: "on_success", variables: { STACK: "prod" } });
        // Into another branch: still the notes, no stack to report.
        expect(stackOf("feature/sso")?.when).toBe("on_success");
        expect(stackOf("feature/sso")?.variables).toBeUndefined();
    });
});

describe("deployments", () => {
    it("deploys staging automatically on develop, also while a develop → main merge request is open", () => {
        for (const env of [push("develop"), push("develop", true)]) {
            expect(jobsOf(env)).toEqual({ ...VERIFY, "deploy:staging": "on_success", "deploy:dev": "manual" });
        }
    });

    it("deploys prod only from a version tag, as a manual job after the tag's preview", () => {
        expect(jobsOf(tag("v1.4.0"))).toEqual({ ...VERIFY, "preview:prod": "on_success", "deploy:prod": "manual" });
        expect(jobsOf(tag("nightly-2026-11-24"))).toEqual(VERIFY);
        expect(jobsOf(push("main"))).toEqual(VERIFY);
        expect(job("deploy:prod").needs).toContain("preview:prod");
    });

    it("refuses a prod deploy from a tag that is not on main", () => {
        const script = job("deploy:prod").script as string[];
        expect(script.findIndex((l) => l.includes("merge-base --is-ancestor"))).toBeLessThan(script.findIndex((l) => l.startsWith("pulumi up")));
        expect(job("deploy:prod").variables.GIT_DEPTH).toBe("0");
    });

    it("offers dev as a manual, optional job on feature branches and develop", () => {
        expect(jobsOf(push("feature/sso"))).toEqual({ ...VERIFY, "deploy:dev": "manual" });
        expect(pipelineFor(ci, push("feature/sso", true))).toBeUndefined();
        expect(pipelineFor(ci, mergeRequest("feature/sso", "develop"))?.get("deploy:dev")).toEqual({ when: "manual", allowFailure: true });
    });

    it.each([
        ["deploy:dev", "dev", "development"],
        ["deploy:staging", "staging", "staging"],
        ["deploy:prod", "prod", "production"],
    ])("%s runs pulumi up on its own environment and resource group", (name, stack, tier) => {
        const deploy = job(name);
        expect(deploy.variables.STACK).toBe(stack);
        expect(deploy.environment).toMatchObject({ name: stack, deployment_tier: tier });
        expect(deploy.resource_group).toBe(stack);
        expect(deploy.interruptible).toBe(false);
        expect(deploy.script).toContain('pulumi up --stack "$STACK" --yes --diff --non-interactive --color never --policy-pack policies');
    });

    it("never lets two stacks share a resource group", () => {
        const groups = jobNames(ci)
            .map((n) => job(n).resource_group)
            .filter(Boolean);
        expect(new Set(groups)).toEqual(new Set(["dev", "staging", "prod"]));
    });

    it("gives deploys ssh and a docker CLI, and fails early without backend credentials", () => {
        const before = (job("deploy:staging").before_script as unknown[]).flat().join("\n");
        expect(before).toMatch(/apt-get install .*openssh-client/);
        expect(before).toContain("download.docker.com/linux/static/stable/$(uname -m)/docker-${DOCKER_CLI_VERSION}.tgz");
        expect(before).toContain('install -m 600 "$NEXORA_DOCKER_SSH_KEY" ~/.ssh/id_ed25519');
        expect(before).toContain('test -n "${PULUMI_BACKEND_URL:-}"');
        expect(before).toContain('test -n "${PULUMI_CONFIG_PASSPHRASE:-}"');
    });
});

describe("pinned images", () => {
    it("runs the Pulumi CLI release that matches the SDK in package.json, on Node 22", () => {
        const variables = ci.variables as Record<string, string>;
        const image = ((ci.default as Record<string, string>).image ?? "").replace("$PULUMI_IMAGE", variables.PULUMI_IMAGE);
        const sdk = (JSON.parse(readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies[
            "@pulumi/pulumi"
        ];
        expect(image).toBe(`pulumi/pulumi-nodejs-22:${sdk}`);
        expect(variables.DOCKER_CLI_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
        expect(readFileSync(path.join(__dirname, "../../.gitlab-ci.yml"), "utf8")).not.toMatch(/:latest\b/);
    });
});
