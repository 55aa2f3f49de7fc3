/**
 * The rendered healer script run by a real /bin/sh: `docker` is a recording stand-in on PATH,
 * the webhook a local HTTP server, the backup's lock a real flock held by a real process (the
 * stand-in's `exec` runs the probe here, in the holder's PID namespace as in the backup container).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HealerOptions, renderHealScript } from "../../components/monitoring/healer";

const STACK = "t";
const APP = "nexora-t-ledger";
const PG = "nexora-t-postgres";

let server: Server;
let received: { text: string; [k: string]: unknown }[] = [];
let webhook = "";

beforeAll(async () => {
    server = createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
            received.push(JSON.parse(body) as { text: string });
            res.end("ok");
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-token`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface Sandbox {
    readonly dir: string;
    readonly lock: string;
    setUnhealthy(names: string[]): void;
    restarts(): string[];
    once(): Promise<{ status: number; stderr: string }>;
}

function sandbox(overrides: Partial<HealerOptions> = {}): Sandbox {
    const dir = mkdtempSync(path.join(tmpdir(), "nexora-heal-"));
    const lock = path.join(dir, "spool", ".lock");
    const options: HealerOptions = {
        stack: STACK,
        maxRestarts: 2,
        windowSeconds: 3600,
        intervalSeconds: 5,
        backup: { container: "nexora-t-backup", lock },
        exclude: ["nexora-t-backup"],
        format: "slack",
        ...overrides,
    };
    const script = path.join(dir, "nexora-heal");
    writeFileSync(script, renderHealScript(options));
    chmodSync(script, 0o755);
    // The docker stand-in: `ps` lists what the test marked unhealthy (only with the right filters), `restart` is recorded.
    const fakeDocker = path.join(dir, "docker");
    writeFileSync(
        fakeDocker,
        `#!/bin/sh
case "$1" in
ps) [ "$3" = "label=nexora.stack=${STACK}" ] && [ "$5" = "health=unhealthy" ] || exit 3; cat "${dir}/unhealthy" 2>/dev/null ;;
restart) echo "$2" >>"${dir}/restarts" ;;
inspect) [ "$4" = nexora-t-backup ] && echo true ;;
exec) [ "$2" = nexora-t-backup ] || exit 3; shift 2; exec "$@" ;;
*) exit 3 ;;
esac
`,
    );
    chmodSync(fakeDocker, 0o755);
    writeFileSync(path.join(dir, "unhealthy"), "");
    return {
        dir,
        lock,
        setUnhealthy: (names) => writeFileSync(path.join(dir, "unhealthy"), names.map((n) => `${n}\n`).join("")),
        restarts: () => {
            try {
                return readFileSync(path.join(dir, "restarts"), "utf8").trim().split("\n").filter(Boolean);
            } catch {
                return [];
            }
        },
        once: () =>
            new Promise((resolve) => {
                const child = spawn("/bin/sh", [script, "once"], {
                    env: { PATH: process.env.PATH!, NEXORA_HEAL_DOCKER: fakeDocker, NEXORA_HEAL_STATE: path.join(dir, "state"), NEXORA_HEAL_WEBHOOK: webhook },
                });
                let stderr = "";
                child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
                child.on("close", (status) => resolve({ status: status ?? -1, stderr }));
            }),
    };
}

describe("the healer script", () => {
    it("restarts an unhealthy container at most maxRestarts times, then gives up once and says so", async () => {
        received = [];
        const box = sandbox();
        box.setUnhealthy([APP]);
        for (let i = 0; i < 5; i++) expect((await box.once()).status).toBe(0);
        expect(box.restarts()).toEqual([APP, APP]);
        const texts = received.map((r) => r.text);
        expect(texts).toEqual([
            `Healer (stack t): restarted ${APP} (unhealthy), restart 1 of at most 2 in 60 min`,
            `Healer (stack t): restarted ${APP} (unhealthy), restart 2 of at most 2 in 60 min`,
            expect.stringMatching(new RegExp(`^Healer \\(stack t\\): gave up on ${APP}: still unhealthy after 2 restarts in 60 min`)),
        ]);
        // Healthy again: one recovery line, and a later outage is given up on (and announced) again.
        box.setUnhealthy([]);
        await box.once();
        expect(received.at(-1)!.text).toBe(`Healer (stack t): ${APP} is no longer unhealthy`);
        box.setUnhealthy([APP]);
        await box.once();
        expect(box.restarts()).toHaveLength(2);
        expect(received.at(-1)!.text).toMatch(/gave up on/);
    });

    it("restarts again once old restarts leave the window", async () => {
        received = [];
        const box = sandbox({ maxRestarts: 1, windowSeconds: 1 });
        box.setUnhealthy([APP]);
        await box.once();
        await new Promise((r) => setTimeout(r, 2100));
        await box.once();
        expect(box.restarts()).toEqual([APP, APP]);
    });

    it("only reports when maxRestarts is 0, and never touches excluded or other stacks' containers", async () => {
        received = [];
        const box = sandbox({ maxRestarts: 0 });
        box.setUnhealthy([APP, "nexora-t-backup"]);
        await box.once();
        expect(box.restarts()).toEqual([]);
        expect(received.map((r) => r.text)).toEqual([expect.stringMatching(new RegExp(`gave up on ${APP}: still unhealthy after 0 restarts`))]);
    });

    it("restarts nothing while the backup or a restore holds its lock, and heals after", async () => {
        received = [];
        const box = sandbox();
        const { mkdirSync } = await import("node:fs");
        mkdirSync(path.dirname(box.lock), { recursive: true });
        writeFileSync(box.lock, "");
        // A real exclusive flock held by another process, as nexora-backup's with_lock holds it.
        // Its own process group: the lock lives as long as sleep holds the descriptor, so the group is ended.
        const holder: ChildProcess = spawn("flock", ["-x", box.lock, "sleep", "30"], { detached: true });
        try {
            await new Promise((r) => setTimeout(r, 300));
            box.setUnhealthy([PG, APP]);
            await box.once();
            // Deferred again on the next check, but announced once per container.
            await box.once();
            expect(box.restarts()).toEqual([]);
            expect(received.map((r) => r.text)).toEqual([
                `Healer (stack t): ${PG} is unhealthy; not restarting it while a backup or restore runs`,
                `Healer (stack t): ${APP} is unhealthy; not restarting it while a backup or restore runs`,
            ]);
        } finally {
            process.kill(-holder.pid!, "SIGTERM");
        }
        await new Promise((r) => setTimeout(r, 300));
        await box.once();
        expect(box.restarts()).toEqual([PG, APP]);
    });

    it("counts a backup it cannot ask as running (never restarts blind)", async () => {
        received = [];
        const box = sandbox({ backup: { container: "nexora-t-backup", lock: "/nonexistent/dir/.lock" } });
        // The stand-in's exec of a probe that fails outright (no such shell path): neither "free" nor "held".
        writeFileSync(
            path.join(box.dir, "docker"),
            readFileSync(path.join(box.dir, "docker"), "utf8").replace('exec) [ "$2" = nexora-t-backup ] || exit 3; shift 2; exec "$@" ;;', "exec) exit 1 ;;"),
        );
        box.setUnhealthy([APP]);
        await box.once();
        expect(box.restarts()).toEqual([]);
        expect(received.map((r) => r.text)).toEqual([`Healer (stack t): ${APP} is unhealthy; not restarting it while a backup or restore runs`]);
    });

    it("posts the generic format with the container and action", async () => {
        received = [];
        const box = sandbox({ format: "generic" });
        box.setUnhealthy([APP]);
        await box.once();
        expect(received).toEqual([{ text: expect.stringContaining("restarted"), stack: STACK, container: APP, action: "restarted" }]);
    });

    it("never renders a value that is not a plain name or number", () => {
        expect(() => renderHealScript({ ...base(), stack: "t'; rm -rf /" })).toThrow(/stack/);
        expect(() => renderHealScript({ ...base(), backup: { container: "a b", lock: "/spool/.lock" } })).toThrow(/backup container/);
        expect(() => renderHealScript({ ...base(), exclude: ["$(x)"] })).toThrow(/excluded/);
        expect(() => renderHealScript({ ...base(), maxRestarts: 1.5 })).toThrow(/maxRestarts/);
        expect(() => renderHealScript({ ...base(), backup: { container: "nexora-t-backup", lock: "/x'y" } })).toThrow(/lock/);
    });
});

function base(): HealerOptions {
    return { stack: STACK, maxRestarts: 1, windowSeconds: 60, intervalSeconds: 5, exclude: [], format: "slack" };
}
