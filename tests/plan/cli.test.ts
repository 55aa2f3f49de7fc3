import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { main } from "../../tools/plan/cli";
import { ROOT, stackFileConfig } from "../support/stacks";

const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const CLI = path.join(ROOT, "tools", "plan", "cli.ts");
const work = mkdtempSync(path.join(tmpdir(), "nexora-plan-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Runs the CLI in this process, as `npm run plan -- ...args` would, and collects what it writes.
 * Sequential (no describe.concurrent): the Pulumi runtime the plan evaluates under is process-global.
 */
async function plan(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
}

/** Runs the real entry point the way a user does (the script is `tsx tools/plan/cli.ts`): its exit code and streams. */
function planProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(TSX, [CLI, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
        });
    });
}

function configFile(name: string, config: Record<string, unknown>): string {
    const file = path.join(work, name);
    writeFileSync(file, toYaml({ config }));
    return file;
}

describe("npm run plan", () => {
    it("prints the prod inventory grouped by component, secrets masked, and writes the artifacts", async () => {
        const out = path.join(work, "out");
        const r = await plan("prod", "--out", out);
        expect(r.stderr).not.toMatch(/Error|at /);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^Stack prod: \d+ resources in \d+ components/);
        expect(r.stdout).toMatch(/^nexora:gitlab:Gitlab {2}gitlab$/m);
        expect(r.stdout).toMatch(/docker:index\/volume:Volume {2}gitlab-data {2}\[protected,retained\]/);
        expect(r.stdout).toContain("secret: envs");
        expect(r.stdout).toMatch(/Policy pack: 0 mandatory/);
        expect(readFileSync(path.join(out, "gitlab.rb"), "utf8")).toContain("external_url 'https://gitlab.nexora.restry.cn'");
        expect(readFileSync(path.join(out, "Caddyfile"), "utf8")).toContain("gitlab.nexora.restry.cn {");
        expect(readFileSync(path.join(out, "frpc.toml"), "utf8")).toContain('serverAddr = "40.162.94.187"');
    });

    it("ends with the stack's outputs: URLs, GitLab over SSH, monitors, where the backups go, secret outputs by name only", async () => {
        const r = await plan("prod");
        expect(r.code).toBe(0);
        const outputs = r.stdout.slice(r.stdout.indexOf("\nOutputs ("));
        expect(outputs).toMatch(/^ {4}gitlab +https:\/\/gitlab\.nexora\.restry\.cn$/m);
        expect(outputs).toMatch(/^ {4}pyerp +https:\/\/pyerp\.nexora\.restry\.cn$/m);
        expect(outputs).toContain("gitlabSsh    git clone ssh://git@git.nexora.restry.cn:2222/<group>/<project>.git");
        expect(outputs).toMatch(
            /^ {2}monitors \(\d+, for Uptime Kuma\):\n {4}prod\/gitlab {2}https:\/\/gitlab\.nexora\.restry\.cn\/ {2}every 60 s, expects 200-399$/m,
        );
        expect(outputs).toMatch(/^ {2}backups: postgres, .* on schedule "30 \*\/6 \* \* \*" \(UTC\), to:\n {4}local {2}Docker volume nexora-prod-backup-repo/m);
        expect(outputs).toContain("secret (not shown): adminCredentials, mattermostOAuth, backupRepositoryPassword");
        // The secret outputs' values (mock values under the plan) are never printed.
        const { evaluateStack } = await import("../../tools/plan/evaluate");
        const evaluated = await evaluateStack({ stack: "prod" });
        const password = evaluated.outputs.backupRepositoryPassword as string;
        expect(password.length).toBeGreaterThan(8);
        expect(r.stdout).not.toContain(password);
        for (const value of Object.values(evaluated.outputs.adminCredentials as Record<string, string>)) expect(r.stdout).not.toContain(value);
    });

    it("prints one JSON document with urn, type, name, parent, protect and masked inputs", async () => {
        const r = await plan("staging", "--json");
        expect(r.code).toBe(0);
        const doc = JSON.parse(r.stdout) as { stack: string; resources: Record<string, unknown>[]; violations: unknown[] };
        expect(doc.stack).toBe("staging");
        expect(Object.keys(doc.resources[0]!).sort()).toEqual(["inputs", "name", "parent", "protect", "retainOnDelete", "type", "urn"]);
        const gitlab = doc.resources.find((x) => x.type === "docker:index/container:Container" && x.name === "gitlab-container")!;
        expect((gitlab.inputs as { envs: unknown }).envs).toBe("[secret]");
        expect(gitlab.parent).toMatch(/nexora:gitlab:Gitlab::gitlab$/);
        expect(doc.resources.filter((x) => x.type === "docker:index/volume:Volume").every((v) => v.protect === true)).toBe(true);
        expect(r.stdout).not.toMatch(/initial_root_password/);
        expect(Array.isArray(doc.violations)).toBe(true);
    });

    it("exits 2 with every bad key named and no stack trace", async () => {
        const file = configFile("bad.yaml", { ...stackFileConfig("prod"), "nexora:tls": "letsencrypt", "nexora:edgeSubnet": "10.0.0.1" });
        const r = await plan("prod", "--config", file);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("nexora:tls: expected one of acme, internal");
        expect(r.stderr).toContain("nexora:edgeSubnet: expected an IPv4 network in CIDR form");
        expect(r.stderr).not.toMatch(/\n\s+at /);
        expect(r.stdout).toBe("");
    });

    it("exits 2 for a missing stack file and for bad arguments, saying which, as a process", async () => {
        const [missing, badFlag] = await Promise.all([planProcess("qa"), planProcess("prod", "--colour")]);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain("stack config file not found");
        expect(missing.stderr).toContain("Pulumi.qa.yaml");
        expect(badFlag.code).toBe(2);
        expect(badFlag.stderr).toContain("--colour");
        expect(badFlag.stderr).toContain("usage: npm run plan");
    });

    it("exits 2 on a DB_PASSWORD in the env of an app with a database: the platform owns that variable", async () => {
        const config = stackFileConfig("prod");
        const apps = config["nexora:apps"] as Record<string, Record<string, unknown>>;
        const weak = "Passw0rd123";
        expect(apps.xylferp!.database).toBe(true);
        const file = configFile("owned.yaml", { ...config, "nexora:apps": { ...apps, xylferp: { ...apps.xylferp, env: { DB_PASSWORD: weak } } } });
        const r = await plan("prod", "--config", file);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain("nexora:apps.xylferp.env.DB_PASSWORD: expected not to be set: the platform sets DB_PASSWORD");
        expect(r.stderr).not.toMatch(/\n\s+at /);
        expect(r.stderr).not.toContain(weak);
        expect(r.stdout).toBe("");
    });

    it("exits 2 on a plaintext app DB_PASSWORD, naming the key and secretEnv but never the value", async () => {
        const config = stackFileConfig("prod");
        const apps = config["nexora:apps"] as Record<string, Record<string, unknown>>;
        const weak = "Passw0rd123";
        const file = configFile("weak.yaml", {
            ...config,
            "nexora:apps": { ...apps, xylferp: { ...apps.xylferp, database: false, env: { DB_HOST: "legacy-db", DB_PASSWORD: weak } } },
        });
        const r = await plan("prod", "--config", file);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("nexora:apps.xylferp.env.DB_PASSWORD");
        expect(r.stderr).toContain("secretEnv");
        expect(r.stdout).not.toContain(weak);
        expect(r.stderr).not.toContain(weak);
    });
});
