// The merge-request job scripts, run by bash with `pulumi` and `npm` replaced by recorders
// on PATH: which commands they run, with which flags, and how they exit.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "../..");
const SCRIPTS = path.join(ROOT, "tools/mr-preview/ci");

let work: string;
let log: string;
let bin: string;

function fake(name: string, body: string): void {
    const file = path.join(bin, name);
    writeFileSync(file, `#!/usr/bin/env bash\necho "${name} $* @ $PWD" >> "$FAKE_LOG"\n${body}\n`);
    chmodSync(file, 0o755);
}

function git(cwd: string, ...args: string[]): string {
    const result = spawnSync("git", ["-c", "user.name=ci", "-c", "user.email=ci@nexora.invalid", ...args], { cwd, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
    return result.stdout.trim();
}

function runScript(script: string, args: string[], env: Record<string, string | undefined>) {
    const result = spawnSync("bash", [path.join(SCRIPTS, script), ...args], {
        cwd: work,
        encoding: "utf8",
        env: {
            PATH: `${bin}:${process.env.PATH}`,
            HOME: work,
            FAKE_LOG: log,
            MR_PREVIEW_DIR: "out",
            TSX: path.join(ROOT, "node_modules/.bin/tsx"),
            MR_PREVIEW_CLI: path.join(ROOT, "tools/mr-preview/cli.ts"),
            ...env,
        },
    });
    const calls = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), "mr-ci-"));
    bin = path.join(work, ".fake-bin");
    log = path.join(work, ".calls.log");
    mkdirSync(bin);
    fake("pulumi", 'exit "${FAKE_PULUMI_STATUS:-0}"');
    // `npm run --silent plan -- STACK --json` prints a plan of STACK: empty on the diff base, with
    // FAKE_HEAD_RESOURCES on the merge request (whose commit adds index.ts; @STACK@ in it becomes
    // STACK, so each stack's plan has its own URNs as the real tool's do); FAKE_BASE_PLAN_FAILS
    // names a stack the base cannot plan. mr-preview writes its --out and --terraform-report files,
    // or with FAKE_REAL_MR_PREVIEW=1 is the real tool.
    fake(
        "npm",
        [
            'if [ "$1" = run ] && [ "$3" = plan ]; then',
            '  if [ -f index.ts ]; then resources=$(printf "%s" "${FAKE_HEAD_RESOURCES:-[]}" | sed "s/@STACK@/$5/g"); else resources="[]"; [ "$5" != "${FAKE_BASE_PLAN_FAILS:-}" ] || exit 2; fi',
            '  printf \'{"stack":"%s","resources":%s,"violations":[]}\\n\' "$5" "$resources"',
            "fi",
            'if [ "$1" = run ] && [ "$3" = mr-preview ]; then',
            '  if [ "${FAKE_REAL_MR_PREVIEW:-}" = 1 ]; then shift 4; exec "$TSX" "$MR_PREVIEW_CLI" "$@"; fi',
            "  while [ $# -gt 0 ]; do",
            '    if [ "$1" = --out ]; then mkdir -p "$(dirname "$2")" && echo "note for $2" > "$2"; fi',
            '    if [ "$1" = --terraform-report ]; then echo \'{"create":0,"update":0,"delete":0}\' > "$2"; fi',
            "    shift",
            "  done",
            "fi",
        ].join("\n"),
    );
});

describe("preview.sh", () => {
    const credentials = {
        PULUMI_BACKEND_URL: "postgres://pulumi:pw@state.nexora.internal:5432/pulumi",
        PULUMI_CONFIG_PASSPHRASE: "x",
        NEXORA_MR_NOTE_TOKEN: "glpat-x",
    };

    it("previews the stack with the policy pack, posts the note, then fails the job if the preview failed", () => {
        const result = runScript("preview.sh", ["staging"], { ...credentials, FAKE_PULUMI_STATUS: "255" });
        expect(result.calls).toEqual([
            `pulumi preview --stack staging --json --non-interactive --policy-pack policies @ ${work}`,
            `npm run --silent mr-preview -- --events out/preview-events-staging.ndjson --stack staging --out out/note-staging.md --terraform-report out/terraform-report.json --post @ ${work}`,
        ]);
        expect(result.status).toBe(255);
    });

    it("passes when the preview passes, and prints the note instead of posting without a token", () => {
        const result = runScript("preview.sh", ["prod"], { ...credentials, NEXORA_MR_NOTE_TOKEN: undefined });
        expect(result.status).toBe(0);
        expect(result.calls[1]).not.toContain("--post");
        expect(result.stdout).toContain("NEXORA_MR_NOTE_TOKEN is not set");
    });
});

describe("offline-diff.sh, also preview.sh's fallback without backend credentials", () => {
    let baseSha: string;
    beforeEach(() => {
        git(work, "init", "-q", "-b", "main");
        writeFileSync(path.join(work, ".gitignore"), ".fake-bin/\n.calls.log\nnode_modules/\nout/\n");
        writeFileSync(path.join(work, "package-lock.json"), '{"lockfileVersion": 3}\n');
        git(work, "add", ".");
        git(work, "commit", "-q", "-m", "base");
        baseSha = git(work, "rev-parse", "HEAD");
        writeFileSync(path.join(work, "index.ts"), "// the merge request's change\n");
        git(work, "add", ".");
        git(work, "commit", "-q", "-m", "merge request");
        mkdirSync(path.join(work, "node_modules"));
    });

    it("plans every stack on the diff base and on the merge request, and posts one offline note per stack", () => {
        const result = runScript("preview.sh", ["staging"], { CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha, NEXORA_MR_NOTE_TOKEN: "glpat-x" });
        const terraformReport = (stack: string) => (stack === "staging" ? " --terraform-report out/terraform-report.json" : "");
        expect(result.status).toBe(0);
        expect(result.stdout).toContain("posting the offline desired-state diff of every stack instead of a preview");
        expect(result.calls.some((c) => c.startsWith("pulumi"))).toBe(false);
        // Same lockfile on both sides: the base shares node_modules instead of a second install.
        expect(result.calls.some((c) => c.startsWith("npm ci"))).toBe(false);
        for (const stack of ["dev", "staging", "prod"]) {
            const plans = result.calls.filter((c) => c.startsWith(`npm run --silent plan -- ${stack} --json @ `));
            expect(plans).toHaveLength(2);
            expect(plans.some((c) => c.endsWith(`@ ${work}`))).toBe(true);
            expect(plans.some((c) => !c.endsWith(`@ ${work}`))).toBe(true);
            expect(result.calls).toContain(
                `npm run --silent mr-preview -- --offline-base out/plan-base-${stack}.json --offline-head out/plan-head-${stack}.json --stack ${stack} --out out/note-${stack}.md${terraformReport(stack)} --post @ ${work}`,
            );
            expect(JSON.parse(readFileSync(path.join(work, `out/plan-base-${stack}.json`), "utf8"))).toEqual({ stack, resources: [], violations: [] });
        }
        // The base checkout is cleaned up.
        expect(git(work, "worktree", "list").split("\n")).toHaveLength(1);
        // The widget's report, for the job's own stack, where the preview would have written it.
        expect(existsSync(path.join(work, "out/terraform-report.json"))).toBe(true);
    });

    it("writes the widget's report with the real tool: the job's stack's added, changed and removed resources", () => {
        const added = {
            urn: "urn:pulumi:@STACK@::nexora::cloudflare:index/dnsRecord:DnsRecord::dns-erp-dev",
            type: "cloudflare:index/dnsRecord:DnsRecord",
            name: "dns-erp-dev",
            parent: null,
            protect: false,
            inputs: {},
        };
        const result = runScript("preview.sh", ["staging"], {
            CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha,
            NEXORA_STACKS: "dev staging",
            FAKE_HEAD_RESOURCES: JSON.stringify([added]),
            FAKE_REAL_MR_PREVIEW: "1",
        });
        expect(result.status, result.stderr).toBe(0);
        expect(JSON.parse(readFileSync(path.join(work, "out/terraform-report.json"), "utf8"))).toEqual({ create: 1, update: 0, delete: 0 });
        expect(result.stdout).toContain("### Offline desired-state diff · stack `staging`");
        expect(result.calls.filter((c) => c.includes("--terraform-report"))).toEqual([
            `npm run --silent mr-preview -- --offline-base out/plan-base-staging.json --offline-head out/plan-head-staging.json --stack staging --out out/note-staging.md --terraform-report out/terraform-report.json @ ${work}`,
        ]);
    });

    it("says so when the job's stack gets no diff, and so no report", () => {
        const result = runScript("offline-diff.sh", ["staging"], {
            CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha,
            NEXORA_STACKS: "dev staging",
            FAKE_BASE_PLAN_FAILS: "staging",
        });
        // The target branch failing to plan is not the merge request's failure.
        expect(result.status).toBe(0);
        expect(result.stdout).toContain("the target branch cannot plan stack staging");
        expect(result.stdout).toContain("no offline diff of stack staging, so no out/terraform-report.json for the merge-request widget");
        expect(existsSync(path.join(work, "out/terraform-report.json"))).toBe(false);
    });

    it("installs the base's own packages when its lockfile differs", () => {
        writeFileSync(path.join(work, "package-lock.json"), '{"lockfileVersion": 3, "changed": true}\n');
        git(work, "commit", "-q", "-am", "bump a dependency");
        const result = runScript("offline-diff.sh", [], { CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha, NEXORA_STACKS: "dev" });
        expect(result.status).toBe(0);
        expect(result.calls.filter((c) => c.startsWith("npm ci"))).toHaveLength(1);
        expect(result.calls.find((c) => c.includes("mr-preview"))).not.toContain("--post");
        // No stack named: nobody's counts go to the widget.
        expect(result.calls.find((c) => c.includes("mr-preview"))).not.toContain("--terraform-report");
        expect(existsSync(path.join(work, "out/terraform-report.json"))).toBe(false);
    });

    it("refuses to run outside a merge-request pipeline, naming the variable", () => {
        const result = runScript("offline-diff.sh", [], {});
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain("CI_MERGE_REQUEST_DIFF_BASE_SHA");
    });
});
