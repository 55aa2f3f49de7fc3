import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { type AdoptReport, main, PORTAINER_OLD_LOGIN_SCRIPT, type Run, type Runner } from "../../tools/adopt/cli";
import { FILES_FINGERPRINT_SCRIPT, type Fingerprint } from "../../tools/adopt/checks";
import { GITLAB_USER_DATA_PATHS } from "../../tools/adopt/targets";
import { clawBot, OUTLINE_CLIENT_SECRET, WEAK } from "./fixtures";
import { stackFileConfig } from "../support/stacks";

const work = mkdtempSync(path.join(tmpdir(), "nexora-adopt-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Call {
    readonly command: string;
    readonly args: readonly string[];
    readonly env: Record<string, string>;
    readonly stdin?: string;
}

/** A docker CLI and pulumi CLI answering from the claw-bot fixture; every call is logged. */
function fakeHost(
    opts: {
        daemonUp?: boolean;
        preview?: unknown;
        fingerprint?: string;
        /** The files fingerprint of a volume (`files <count> <sum>`), by its Docker name; other volumes answer `fingerprint`. */
        volumeFingerprints?: Record<string, string>;
        fingerprintFails?: boolean;
        outlineEnv?: string[];
        upFails?: boolean;
        portainerOldLogin?: number;
    } = {},
) {
    const base = clawBot();
    const d = {
        ...base,
        containers: base.containers.map((c) =>
            opts.outlineEnv !== undefined && c.Name === "/claw_outline_1" ? { ...c, Config: { ...c.Config, Env: opts.outlineEnv } } : c,
        ),
    };
    const calls: Call[] = [];
    const ok = (stdout: string): Run => ({ code: 0, stdout, stderr: "" });
    const runner: Runner = async (command, args, o = {}) => {
        calls.push({ command, args, env: o.env ?? {}, stdin: o.stdin });
        if (command === "pulumi" && args[0] === "config") return ok("");
        if (command === "pulumi" && args[0] === "up" && opts.upFails) return { code: 255, stdout: "", stderr: "error: update failed\n" };
        if (command === "pulumi") return ok(JSON.stringify(opts.preview ?? { steps: [] }));
        const [verb, sub] = args;
        if (verb === "version")
            return opts.daemonUp === false
                ? { code: 1, stdout: "", stderr: "Cannot connect to the Docker daemon at unix:///nope.sock. Is the docker daemon running?\n" }
                : ok("27.5.1\n");
        // The stack's own containers of a service (none here: the stack is not up).
        if (verb === "ps" && args.some((a) => a.startsWith("label=nexora.service="))) return ok("");
        if (verb === "ps") return ok(d.containers.map((c) => c.Id).join("\n"));
        if (verb === "container" && sub === "inspect") return ok(JSON.stringify(d.containers));
        if (verb === "volume" && sub === "ls") return ok(d.volumes.map((v) => v.Name).join("\n"));
        if (verb === "volume" && sub === "inspect") return ok(JSON.stringify(d.volumes));
        if (verb === "network" && sub === "ls") return ok(d.networks.map((n) => n.Id).join("\n"));
        if (verb === "network" && sub === "inspect") return ok(JSON.stringify(d.networks));
        if (verb === "inspect") return ok(args.some((a) => a.includes("RestartPolicy")) ? "unless-stopped\n" : "true\n");
        if (verb === "exec") {
            const sql = args[args.length - 1] ?? "";
            if (sql.includes("pg_database")) return ok(d.databases.postgres!.databases.join("\n"));
            if (sql.includes("pg_roles")) return ok(d.databases.postgres!.roles.join("\n"));
            if (sql.includes("schemata")) return ok(d.databases.mysql!.databases.join("\n"));
            if (sql.includes("mysql.user")) return ok(d.databases.mysql!.users.join("\n"));
            if (opts.fingerprintFails) return { code: 1, stdout: "", stderr: "psql: error: connection refused\n" };
            return ok(opts.fingerprint ?? "");
        }
        if (verb === "run" && args.includes(PORTAINER_OLD_LOGIN_SCRIPT)) return { code: opts.portainerOldLogin ?? 0, stdout: "", stderr: "" };
        if (verb === "run") {
            const mounted = args[args.indexOf("-v") + 1]?.split(":")[0] ?? "";
            return ok(opts.volumeFingerprints?.[mounted] ?? opts.fingerprint ?? "");
        }
        return ok("");
    };
    return { runner, calls };
}

async function adopt(args: string[], runner: Runner, env: Record<string, string | undefined> = { NEXORA_ADOPT_PORTAINER_PASSWORD: WEAK }) {
    let stdout = "";
    let stderr = "";
    const code = await main(args, { PATH: process.env.PATH, ...env }, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, runner);
    return { code, stdout, stderr };
}

const stopped = (calls: readonly Call[]) =>
    calls.filter((c) => c.command === "docker" && ["stop", "start", "volume create", "run"].some((v) => c.args.join(" ").startsWith(v)));

describe("npm run adopt", () => {
    const planFile = path.join(work, "adopt-prod.yaml");

    /** What a cutover of the plan recorded: the Compose containers it stopped, the stack's that took over, the stack's fingerprint after it. */
    function writeCutoverRecord(stopped: string[], takenOverBy: string[], after: Fingerprint): void {
        writeFileSync(
            `${planFile}.state.json`,
            JSON.stringify({ stack: "prod", startedAt: "t0", finishedAt: "t1", stopped, takenOverBy, before: after, after }),
        );
    }

    it("gitlab hands over to the GitLab content's adoption, touching no Docker host", async () => {
        const host = fakeHost();
        const help = await adopt(["gitlab", "--help"], host.runner);
        expect(help.code).toBe(0);
        expect(help.stdout).toContain("npm run adopt-gitlab -- <stack>");
        const bad = await adopt(["gitlab"], host.runner);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(/expected exactly one stack name/);
        expect(host.calls).toEqual([]);
    });

    it("discover writes the plan file with env keys only, and names the entries on stdout", async () => {
        const host = fakeHost();
        const r = await adopt(["discover", "prod", "--plan", planFile], host.runner);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/11 containers \(1 left alone\), 14 volumes \(11 to copy\), 1 networks/);
        const text = readFileSync(planFile, "utf8");
        expect(text).not.toContain(WEAK);
        expect(text).toContain("# claw_gitlab_config: copied into nexora-prod-gitlab-config");
        // The MySQL root password reached docker in its environment, never on its command line.
        const mysql = host.calls.find((c) => c.args.includes("claw_mysql_1"))!;
        expect(mysql.args.join(" ")).not.toContain(WEAK);
        expect(mysql.env.MYSQL_PWD).toBe(WEAK);
        expect(host.calls.every((c) => c.env.DOCKER_HOST === "ssh://deploy@192.168.31.141")).toBe(true);
    });

    it("refuses bad arguments with exit 2 and the usage", async () => {
        for (const args of [["adopt"], ["migrate", "prod"], ["adopt", "Prod!"], ["adopt", "prod", "--frobnicate"]]) {
            const r = await adopt(args, fakeHost().runner);
            expect(r.code, args.join(" ")).toBe(2);
            expect(r.stderr).toContain("usage: npm run adopt");
        }
        const r = await adopt(["adopt", "prod", "--plan", path.join(work, "missing.yaml")], fakeHost().runner);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/--plan: .*missing.yaml does not exist/);
    });

    it("says in one line when the daemon cannot be reached, and changes nothing", async () => {
        const host = fakeHost({ daemonUp: false });
        const r = await adopt(["adopt", "prod", "--plan", planFile], host.runner);
        expect(r.code).toBe(1);
        expect(r.stderr.trim().split("\n")).toEqual([
            "adopt: cannot reach the Docker daemon at ssh://deploy@192.168.31.141: Cannot connect to the Docker daemon at unix:///nope.sock. Is the docker daemon running?. Nothing was changed.",
        ]);
        expect(stopped(host.calls)).toEqual([]);
    });

    it("refuses an invalid plan with exit 2 naming each entry, before anything is stopped", async () => {
        const doc = YAML.parseDocument(readFileSync(planFile, "utf8"));
        doc.setIn(["volumes", 1, "adoptAs"], "postgres-data");
        doc.setIn(["volumes", 2, "name"], "claw_gone");
        const bad = path.join(work, "bad.yaml");
        writeFileSync(bad, doc.toString());
        const host = fakeHost();
        const r = await adopt(["adopt", "prod", "--plan", bad], host.runner);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("volumes[1] (claw_mysqldata).adoptAs: postgres-data is already the target of volumes[0] (claw_pgdata)");
        expect(r.stderr).toContain("volumes[2] (claw_gone): volume claw_gone does not exist on the Docker host");
        expect(r.stderr).toContain("volumes (mysql-data): the program's required store mysql-data");
        expect(stopped(host.calls)).toEqual([]);
        expect(host.calls.some((c) => c.command === "pulumi")).toBe(false);
    });

    it("refuses when the preview would replace a volume, naming it, before anything is stopped", async () => {
        const urn = "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:postgres:Postgres$docker:index/volume:Volume::postgres-data";
        const host = fakeHost({
            preview: { steps: [{ op: "replace", urn, newState: { type: "docker:index/volume:Volume", protect: true }, replaceReasons: ["labels"] }] },
        });
        const r = await adopt(["adopt", "prod", "--plan", planFile], host.runner);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`replace ${urn} (labels)`);
        expect(r.stderr).toContain("Nothing was changed.");
        expect(stopped(host.calls)).toEqual([]);
    });

    it("writes the plan's import IDs into the stack config before the preview, the Outline client secret through stdin only", async () => {
        const doc = YAML.parseDocument(readFileSync(planFile, "utf8"));
        const record = `${"0".repeat(32)}/${"f".repeat(32)}`;
        doc.setIn(["imports", "outlineOAuthApplication"], "7");
        doc.setIn(["imports", "dnsRecords"], doc.createNode({ gitlab: record, "gitlab-ssh": record }));
        const withImports = path.join(work, "imports.yaml");
        writeFileSync(withImports, doc.toString());
        // The preview then shows the imported application turned replacement (its redirect URL differs): refused.
        const app =
            "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:identity:Identity$nexora:sso:Application$gitlab:index/application:Application::identity-outline-app";
        const host = fakeHost({
            preview: {
                steps: [
                    { op: "import", urn: app, newState: { type: "gitlab:index/application:Application" } },
                    { op: "replace", urn: app, newState: { type: "gitlab:index/application:Application" }, replaceReasons: ["redirectUrl"] },
                ],
            },
        });
        const r = await adopt(["adopt", "prod", "--plan", withImports], host.runner);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`replace ${app} (redirectUrl)`);
        const pulumi = host.calls.filter((c) => c.command === "pulumi");
        expect(pulumi.map((c) => c.args.slice(0, 3).join(" "))).toEqual(["config set --stack", "config set --secret", "preview --json --stack"]);
        expect(pulumi[0]!.args.slice(-2)).toEqual([
            "nexora:adoptImports",
            JSON.stringify({
                outlineOAuthApplication: "7",
                dnsRecords: { gitlab: record, "gitlab-ssh": record },
                // The plan takes over GitLab and Portainer: the program sets their admins' passwords.
                credentials: ["gitlab-root", "portainer-admin"],
            }),
        ]);
        expect(pulumi[1]!.args[pulumi[1]!.args.length - 1]).toBe("nexora:adoptOutlineClientSecret");
        expect(pulumi[1]!.stdin).toBe(OUTLINE_CLIENT_SECRET);
        for (const c of host.calls) expect(c.args.join(" ")).not.toContain(OUTLINE_CLIENT_SECRET);
        expect(r.stdout + r.stderr).not.toContain(OUTLINE_CLIENT_SECRET);
        expect(stopped(host.calls)).toEqual([]);
    });

    it("refuses import IDs the stack's config rules refuse, exit 2 naming the key, before any pulumi call", async () => {
        const doc = YAML.parseDocument(readFileSync(planFile, "utf8"));
        doc.setIn(["imports", "dnsRecords"], doc.createNode({ gitlab: `${"0".repeat(32)}/${"f".repeat(32)}` }));
        const withImports = path.join(work, "imports-nodns.yaml");
        writeFileSync(withImports, doc.toString());
        const config = path.join(work, "Pulumi.prod-nodns.yaml");
        writeFileSync(config, YAML.stringify({ config: { ...stackFileConfig("prod"), "nexora:dnsEnabled": false } }));
        const host = fakeHost();
        const r = await adopt(["adopt", "prod", "--plan", withImports, "--config", config], host.runner);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("nexora:adoptImports.dnsRecords.gitlab: expected no DNS import when dnsEnabled is false");
        expect(host.calls.some((c) => c.command === "pulumi")).toBe(false);
        // An imported Outline application needs its client secret from the Compose Outline's env.
        doc.setIn(["imports", "dnsRecords"], doc.createNode({}));
        doc.setIn(["imports", "outlineOAuthApplication"], "7");
        writeFileSync(withImports, doc.toString());
        const noSecret = fakeHost({ outlineEnv: [`SECRET_KEY=${WEAK}`] });
        const noOutline = await adopt(["adopt", "prod", "--plan", withImports], noSecret.runner);
        expect(noOutline.code).toBe(2);
        expect(noOutline.stderr).toContain(
            "imports.outlineOAuthApplication: the Compose Outline the plan takes over (claw_outline_1) has no OIDC_CLIENT_SECRET",
        );
        expect(noSecret.calls.some((c) => c.command === "pulumi")).toBe(false);
    });

    it("needs the Compose Portainer's admin password from the environment before anything is stopped", async () => {
        for (const value of [undefined, "", "two\nlines"]) {
            const host = fakeHost();
            const r = await adopt(["adopt", "prod", "--plan", planFile], host.runner, { NEXORA_ADOPT_PORTAINER_PASSWORD: value });
            expect(r.code).toBe(2);
            expect(r.stderr).toContain("NEXORA_ADOPT_PORTAINER_PASSWORD: the Compose Portainer's current admin password");
            expect(host.calls.some((c) => c.command === "pulumi")).toBe(false);
            expect(stopped(host.calls)).toEqual([]);
        }
    });

    it("records Portainer's old admin password in the stack's copy, through the environment, after the copies are fingerprinted", async () => {
        const host = fakeHost({ upFails: true });
        const r = await adopt(["adopt", "prod", "--plan", planFile], host.runner);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("pulumi up failed (exit 255): error: update failed");
        const runs = host.calls.filter((c) => c.command === "docker" && c.args[0] === "run").map((c) => ({ argv: c.args.join(" "), env: c.env }));
        const write = runs.findIndex((x) => x.argv.includes("nexora-prod-portainer-data:/to") && x.argv.includes("RECORD_VALUE"));
        expect(write).toBeGreaterThan(0);
        expect(runs[write]!.argv).toContain("umask 077 && printf '%s' \"$RECORD_VALUE\" > /to/.nexora-previous-admin-password");
        expect(runs[write]!.env.RECORD_VALUE).toBe(WEAK);
        const copy = runs.findIndex((x) => x.argv.includes("nexora-prod-portainer-data:/to") && x.argv.includes("cp"));
        const copiedFingerprint = runs.findIndex((x, i) => i > copy && x.argv.includes("nexora-prod-portainer-data:/v:ro"));
        expect(copy).toBeGreaterThan(0);
        expect(copiedFingerprint).toBeGreaterThan(copy);
        expect(write).toBeGreaterThan(copiedFingerprint);
        for (const c of host.calls) expect(c.args.join(" ")).not.toContain(WEAK);
    });

    it("checks after the up that Portainer refuses the old admin password, and takes a refusal only from an answer", async () => {
        for (const [code, ok, detail] of [
            [1, true, "refused"],
            [0, false, "STILL ACCEPTED"],
            [2, false, "no answer from Portainer (exit 2)"],
        ] as const) {
            const host = fakeHost({ portainerOldLogin: code });
            const r = await adopt(["adopt", "prod", "--plan", planFile, "--json"], host.runner);
            const report = JSON.parse(r.stdout) as AdoptReport;
            expect(report.checks.find((c) => c.name === "old Portainer admin password refused")).toEqual({
                name: "old Portainer admin password refused",
                ok,
                detail,
            });
            const login = host.calls.find((c) => c.args.includes(PORTAINER_OLD_LOGIN_SCRIPT))!;
            expect(login.args.slice(0, 6)).toEqual(["run", "--rm", "--network", "container:nexora-prod-portainer", "-e", "OLD_ADMIN"]);
            expect(login.env.OLD_ADMIN).toBe(WEAK);
        }
    });

    it("the old-password login script: 0 accepted, 1 refused by an answer, 2 no answer (real shell, fake curl)", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "nexora-portainer-login-"));
        try {
            const bin = (name: string, body: string) => {
                writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`);
                chmodSync(path.join(dir, name), 0o755);
            };
            bin("sleep", "exit 0");
            // Answers with the code in $FAKE_CODE; records its argv and the body it got on stdin.
            bin("curl", `printf '%s\\n' "$*" >> "$FAKE_DIR/argv"; cat > "$FAKE_DIR/body"; [ "$FAKE_CODE" = 000 ] && exit 7; printf '%s' "$FAKE_CODE"`);
            const run = (code: string) =>
                spawnSync("/bin/sh", ["-c", PORTAINER_OLD_LOGIN_SCRIPT], {
                    env: { PATH: `${dir}:${process.env.PATH}`, FAKE_DIR: dir, FAKE_CODE: code, OLD_ADMIN: `old"pass\\word` },
                }).status;
            expect(run("200")).toBe(0);
            expect(JSON.parse(readFileSync(path.join(dir, "body"), "utf8"))).toEqual({ Username: "admin", Password: `old"pass\\word` });
            expect(run("422")).toBe(1);
            expect(run("000")).toBe(2);
            expect(run("503")).toBe(2);
            expect(readFileSync(path.join(dir, "argv"), "utf8")).not.toContain("pass");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("stops the writers before the stores, with the program's grace periods, and records what it stopped when the cutover fails", async () => {
        const host = fakeHost({ fingerprintFails: true });
        const r = await adopt(["adopt", "prod", "--plan", planFile], host.runner);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("docker exec claw_postgres_1 failed: psql: error: connection refused");
        expect(r.stderr).toContain(`npm run adopt -- rollback prod --plan ${planFile} --force starts them again`);
        const stops = host.calls.filter((c) => c.args[0] === "stop").map((c) => c.args.join(" "));
        // The writers only: the stores' fingerprint failed before they were stopped.
        expect(stops).toContain("stop -t 300 claw_gitlab_1");
        expect(stops).toContain("stop -t 10 claw_portal_1");
        expect(stops.some((s) => /claw_(postgres|mysql|redis)_1/.test(s))).toBe(false);
        // Each restart policy was turned off before its stop (the daemon's next start would revive it).
        expect(host.calls.filter((c) => c.args[0] === "update").length).toBe(stops.length);
        const record = JSON.parse(readFileSync(`${planFile}.state.json`, "utf8")) as { stopped: string[]; restartPolicies: Record<string, string> };
        expect(record.stopped).toEqual(stops.map((s) => s.split(" ").pop()));
        expect(Object.values(record.restartPolicies).every((p) => p === "unless-stopped")).toBe(true);
        expect(host.calls.some((c) => c.args[0] === "volume" && c.args[1] === "create")).toBe(false);
    });

    it("rollback refuses when the stack took writes since the cutover, saying what would be lost; --force rolls back", async () => {
        writeCutoverRecord(["claw_portal_1", "claw_postgres_1"], ["nexora-prod-postgres", "nexora-prod-portal"], {
            "postgres/gitlab.public.issues": { count: 10, checksum: "aa" },
        });
        const host = fakeHost({ fingerprint: "gitlab.public.issues 12 bb\n" });
        const r = await adopt(["rollback", "prod", "--plan", planFile], host.runner);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("postgres/gitlab.public.issues: 2 rows/files written since the cutover (10 → 12) — lost by a rollback");
        expect(stopped(host.calls).filter((c) => c.args[0] !== "run")).toEqual([]);
        const forced = fakeHost({ fingerprint: "gitlab.public.issues 12 bb\n" });
        const f = await adopt(["rollback", "prod", "--plan", planFile, "--force", "--json"], forced.runner);
        expect(f.code).toBe(0);
        const order = forced.calls.filter((c) => c.args[0] === "stop" || c.args[0] === "start").map((c) => `${c.args[0]} ${c.args[c.args.length - 1]}`);
        expect(order).toEqual(["stop nexora-prod-portal", "stop nexora-prod-postgres", "start claw_postgres_1", "start claw_portal_1"]);
        expect(forced.calls.find((c) => c.args.includes("nexora-prod-postgres") && c.args[0] === "stop")!.args).toEqual([
            "stop",
            "-t",
            "120",
            "nexora-prod-postgres",
        ]);
        expect(JSON.parse(f.stdout).writesLost).toHaveLength(1);
    });

    it("rollback weighs users' data only: what the services write by themselves is said, not refused on; GitLab's data by its users' paths, its logs not at all", async () => {
        const files = (n: number, sum: string) => ({ count: n, checksum: sum });
        const record = () =>
            writeCutoverRecord(["claw_uptime_1", "claw_postgres_1"], ["nexora-prod-postgres", "nexora-prod-uptime"], {
                "postgres/gitlab.public.issues": { count: 10, checksum: "aa" },
                "volume/gitlab-data/files": files(40, "g1"),
                "volume/uptime-data/files": files(3, "k1"),
                "volume/portainer-data/files": files(5, "p1"),
            });
        record();
        const volumeFingerprints = {
            "nexora-prod-gitlab-data": "files 40 g1\n",
            "nexora-prod-uptime-data": "files 9 k2\n",
            "nexora-prod-portainer-data": "files 5 p2\n",
            "nexora-prod-gitlab-logs": "files 999 changing\n",
        };
        const host = fakeHost({ fingerprint: "gitlab.public.issues 10 aa\n", volumeFingerprints });
        const r = await adopt(["rollback", "prod", "--plan", planFile, "--json"], host.runner);
        expect(r.code, r.stderr).toBe(0);
        const report = JSON.parse(r.stdout) as { writesLost: string[]; serviceWritesLost: string[] };
        expect(report.writesLost).toEqual([]);
        expect(report.serviceWritesLost).toEqual([
            "volume/portainer-data/files: changed since the cutover (5 → 5, checksum differs) — the changes are lost by a rollback",
            "volume/uptime-data/files: 6 rows/files written since the cutover (3 → 9) — lost by a rollback",
        ]);
        const runs = host.calls.filter((c) => c.args[0] === "run").map((c) => c.args);
        const gitlabData = runs.find((a) => a.includes("nexora-prod-gitlab-data:/v:ro"))!;
        expect(gitlabData.slice(gitlabData.indexOf(FILES_FINGERPRINT_SCRIPT) + 1)).toEqual(["fingerprint", ...GITLAB_USER_DATA_PATHS]);
        expect(runs.some((a) => a.includes("nexora-prod-gitlab-logs:/v:ro") || a.includes("nexora-prod-caddy-data:/v:ro"))).toBe(false);

        // A push to a repository since the cutover is users' data: refused, the services' own writes said beside it.
        record();
        const pushed = fakeHost({
            fingerprint: "gitlab.public.issues 10 aa\n",
            volumeFingerprints: { ...volumeFingerprints, "nexora-prod-gitlab-data": "files 44 g2\n" },
        });
        const refused = await adopt(["rollback", "prod", "--plan", planFile], pushed.runner);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain("volume/gitlab-data/files: 4 rows/files written since the cutover (40 → 44) — lost by a rollback");
        expect(refused.stderr).toMatch(/Written since by the services themselves[^\n]*:\n {2}volume\/portainer-data/);
        expect(pushed.calls.filter((c) => c.args[0] === "stop" || c.args[0] === "start")).toEqual([]);
    });
});
