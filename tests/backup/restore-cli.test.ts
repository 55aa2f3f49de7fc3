/**
 * `npm run restore` in-process, against a stand-in `docker` that runs the backup script on this
 * machine (local runtime) exactly as `docker exec <backup container> nexora-backup …` would, with
 * real restic. The e2e drives the same main() against its real daemon.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BACKUP_SCRIPT_IN_CONTAINER, BACKUP_SCRIPT_PATH } from "../../components/backup/backup";
import { shellQuote } from "../../components/docker/exec";
import { main } from "../../tools/restore/cli";
import { ROOT } from "../support/stacks";
import { BackupSandbox, createSandbox, requireRestic, treeDigest } from "./script-harness";

const E2E_CONFIG = path.join(ROOT, "tests/e2e/stack.yaml");
let root: string;
let box: BackupSandbox;
let fakeDocker: string;
let dockerCalls: string;
let dockerMode: string;

async function restore(argv: string[], env: Record<string, string> = {}, answer = false) {
    let stdout = "";
    let stderr = "";
    const questions: string[] = [];
    const code = await main(
        argv,
        { PATH: process.env.PATH, HOME: root, NEXORA_DOCKER_CLI: fakeDocker, ...env },
        {
            stdout: (t) => (stdout += t),
            stderr: (t) => (stderr += t),
            confirm: async (q) => {
                questions.push(q);
                return answer;
            },
        },
    );
    return { code, stdout, stderr, questions };
}

beforeAll(() => {
    requireRestic();
    root = mkdtempSync(path.join(tmpdir(), "nexora-restore-cli-"));
    // The e2e stack backs up postgres, mysql and caddy; this test restores its caddy volume.
    box = createSandbox(root, undefined, undefined, {
        stack: "dev-e2e",
        stores: [{ key: "caddy", kind: "volume", volume: "nexora-dev-e2e-caddy-data", container: "nexora-dev-e2e-caddy", pauseDuringBackup: false }],
    });
    const certs = path.join(box.data, "caddy", "caddy", "certificates", "local");
    mkdirSync(certs, { recursive: true });
    writeFileSync(path.join(certs, "e2e-www.crt"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    writeFileSync(path.join(certs, "e2e-www.key"), "key bytes\n");
    const cycle = box.run(["cycle"]);
    if (cycle.status !== 0) throw new Error(cycle.stderr);

    // docker exec -i -e RESTIC_PASSWORD <container> /usr/local/bin/nexora-backup ARGS → the script, here.
    dockerCalls = path.join(root, "docker-calls");
    dockerMode = path.join(root, "docker-mode");
    fakeDocker = path.join(root, "docker");
    const sandboxEnv = Object.entries(box.env()).filter(([k]) => k !== "RESTIC_PASSWORD" && k !== "PATH");
    writeFileSync(
        fakeDocker,
        [
            "#!/bin/sh",
            `printf '%s\\n' "DOCKER_HOST=$DOCKER_HOST $*" >>${shellQuote(dockerCalls)}`,
            // The daemon's state for the preflight check, set by a test: hang, refuse, stopped (default: up).
            `mode=$(cat ${shellQuote(dockerMode)} 2>/dev/null || true)`,
            `[ "$mode" = hang ] && exec sleep 600`,
            `[ "$mode" = refuse ] && { echo "Cannot connect to the Docker daemon at $DOCKER_HOST. Is the docker daemon running?" >&2; exit 1; }`,
            `if [ "$1 $2 $3 $4" = "container inspect --format {{.State.Running}}" ]; then`,
            `    [ "$5" = nexora-dev-e2e-backup ] || { echo "Error: No such object: $5" >&2; exit 1; }`,
            `    if [ "$mode" = stopped ]; then echo false; else echo true; fi; exit 0`,
            `fi`,
            `[ "$1 $2 $3 $4" = "exec -i -e RESTIC_PASSWORD" ] || { echo "fake docker: unexpected $*" >&2; exit 64; }`,
            `[ "$5" = nexora-dev-e2e-backup ] || { echo "Error: No such container: $5" >&2; exit 1; }`,
            `[ "$6" = ${shellQuote(BACKUP_SCRIPT_IN_CONTAINER)} ] || exit 64`,
            "shift 6",
            ...sandboxEnv.map(([k, v]) => `export ${k}=${shellQuote(v)}`),
            `exec sh ${shellQuote(BACKUP_SCRIPT_PATH)} "$@"`,
            "",
        ].join("\n"),
    );
    chmodSync(fakeDocker, 0o755);
});

afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
});

describe("npm run restore", () => {
    it("prints the plan, asks, and changes nothing when not confirmed", async () => {
        const vol = path.join(box.data, "caddy");
        writeFileSync(path.join(vol, "caddy", "certificates", "local", "e2e-www.key"), "damaged");
        const before = treeDigest(vol);
        const r = await restore(["dev-e2e", "caddy", "--config", E2E_CONFIG], { NEXORA_RESTIC_PASSWORD: box.password });
        expect(r.code).toBe(3);
        expect(r.stdout).toMatch(/would stop: +nexora-dev-e2e-caddy/);
        expect(r.stdout).toMatch(/would restore: volume nexora-dev-e2e-caddy-data/);
        expect(r.stdout).toMatch(/would restart: +nexora-dev-e2e-caddy/);
        expect(r.questions).toHaveLength(1);
        expect(r.stderr).toContain("Nothing was changed.");
        expect(treeDigest(vol)).toEqual(before);
        expect(box.takeOps()).toEqual([]);
    });

    it("restores with --yes into the running stack, on the stack's Docker host, without the password on any command line", async () => {
        const vol = path.join(box.data, "caddy");
        const r = await restore(["dev-e2e", "caddy", "--config", E2E_CONFIG, "--yes"], { NEXORA_RESTIC_PASSWORD: box.password });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain("restored caddy from snapshot");
        expect(readFileSync(path.join(vol, "caddy", "certificates", "local", "e2e-www.key"), "utf8")).toBe("key bytes\n");
        expect(box.takeOps()).toEqual(["stop nexora-dev-e2e-caddy", "start nexora-dev-e2e-caddy"]);
        const calls = readFileSync(dockerCalls, "utf8");
        // tests/e2e/stack.yaml's dockerHost; the password never appears in an argument list.
        expect(calls).toContain("DOCKER_HOST=unix:///run/nexora-e2e/docker.sock exec -i -e RESTIC_PASSWORD nexora-dev-e2e-backup");
        expect(calls).not.toContain(box.password);
    });

    it("--dry-run prints the plan, asks nothing, changes nothing and exits 0", async () => {
        const vol = path.join(box.data, "caddy");
        const before = treeDigest(vol);
        const r = await restore(["dev-e2e", "caddy", "--config", E2E_CONFIG, "--dry-run"], { NEXORA_RESTIC_PASSWORD: box.password }, true);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^restore plan for stack dev-e2e:/m);
        expect(r.stdout).toMatch(/would restore: volume nexora-dev-e2e-caddy-data/);
        expect(r.questions).toEqual([]);
        expect(r.stderr).toContain("dry run only. Nothing was changed.");
        expect(treeDigest(vol)).toEqual(before);
        expect(box.takeOps()).toEqual([]);
    });

    describe("a Docker host that cannot be reached", () => {
        afterEach(() => rmSync(dockerMode, { force: true }));

        it("gives up after the connect timeout with a line naming the host and what to check", async () => {
            writeFileSync(dockerMode, "hang");
            const started = Date.now();
            const r = await restore(["dev-e2e", "caddy", "--config", E2E_CONFIG, "--yes"], {
                NEXORA_RESTIC_PASSWORD: box.password,
                NEXORA_RESTORE_CONNECT_TIMEOUT: "2",
            });
            expect(r.code).toBe(1);
            expect(r.stderr).toContain("restore: the Docker daemon at unix:///run/nexora-e2e/docker.sock did not answer within 2 s. Check that the host is up");
            expect(r.stderr).toContain("nexora:dockerHost (or --docker-host). Nothing was changed.");
            // Bounded by the timeout (the stand-in daemon never answers).
            expect(Date.now() - started).toBeLessThan(30_000);
            expect(box.takeOps()).toEqual([]);
        });

        it("says so at once when the daemon refuses, or the backup container is missing or stopped", async () => {
            writeFileSync(dockerMode, "refuse");
            const refused = await restore(["dev-e2e", "caddy", "--config", E2E_CONFIG, "--yes", "--docker-host", "tcp://10.0.0.9:2376"], {
                NEXORA_RESTIC_PASSWORD: box.password,
            });
            expect(refused.code).toBe(1);
            expect(refused.stderr).toContain("cannot reach the Docker daemon at tcp://10.0.0.9:2376: Cannot connect to the Docker daemon");
            writeFileSync(dockerMode, "stopped");
            const stopped = await restore(["dev-e2e", "caddy", "--config", E2E_CONFIG, "--yes"], { NEXORA_RESTIC_PASSWORD: box.password });
            expect(stopped.code).toBe(1);
            expect(stopped.stderr).toContain("nexora-dev-e2e-backup is not running on unix:///run/nexora-e2e/docker.sock: start it");
            expect(box.takeOps()).toEqual([]);
        });
    });

    it("reads the password from the stack output when no variable gives it", async () => {
        const pulumi = path.join(root, "pulumi");
        writeFileSync(pulumi, `#!/bin/sh\necho "$*" >${shellQuote(path.join(root, "pulumi-args"))}\necho ${shellQuote(box.password)}\n`);
        chmodSync(pulumi, 0o755);
        const r = await restore(["dev-e2e", "caddy", "--config", E2E_CONFIG, "--yes"], { NEXORA_PULUMI_CLI: pulumi });
        expect(r.code, r.stderr).toBe(0);
        expect(readFileSync(path.join(root, "pulumi-args"), "utf8").trim()).toBe(
            "stack output backupRepositoryPassword --show-secrets --stack dev-e2e --non-interactive",
        );
        box.takeOps();
    });

    it("fails clearly on a wrong password, before asking anything", async () => {
        const r = await restore(["dev-e2e", "caddy", "--config", E2E_CONFIG, "--yes"], { NEXORA_RESTIC_PASSWORD: "wrong-password-0123456789" });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("the repository password is wrong");
        expect(r.stderr).toContain("Nothing was changed.");
        expect(box.takeOps()).toEqual([]);
    });

    it.each([
        [["dev-e2e"], "expected exactly two arguments"],
        [["dev-e2e", "caddy", "--config", E2E_CONFIG, "--dry-run", "--yes"], "--dry-run and --yes exclude each other"],
        [["dev-e2e", "gitlab", "--config", E2E_CONFIG], "<store>: one of postgres, mysql, caddy"],
        [["dev", "postgres"], "stack dev has no backups"],
        [["dev-e2e", "caddy", "--config", E2E_CONFIG, "--snapshot", "latest; rm -rf /"], "--snapshot expects"],
        [["dev-e2e", "caddy", "--config", E2E_CONFIG, "--target", "offsite"], "has no off-host repository"],
    ])("exits 2 for %j", async (argv, message) => {
        const r = await restore(argv);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(message);
    });
});
