import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { frpcApplyScript } from "../../components/edge/tunnel";

/**
 * Runs the frpc apply script with a real POSIX sh against stand-in `frpc` and `pgrep`
 * commands that log their calls, to prove which config changes reload and which restart.
 */
let dir: string;
let config: string;
let log: string;

function fake(name: string, body: string): void {
    const file = path.join(dir, "bin", name);
    writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> ${log}\n${body}\n`);
    chmodSync(file, 0o755);
}

function apply(toml: string, frpcRunning = true): { status: number | null; calls: string[] } {
    fake("pgrep", frpcRunning ? "exit 0" : "exit 1");
    writeFileSync(log, "");
    const r = spawnSync("sh", ["-c", frpcApplyScript(config, `echo "restart" >> ${log}`)], {
        input: toml,
        env: { PATH: `${path.join(dir, "bin")}:/usr/bin:/bin` },
        encoding: "utf8",
    });
    return { status: r.status, calls: readFileSync(log, "utf8").trim().split("\n").filter(Boolean) };
}

const common = 'serverAddr = "40.162.94.187"\nuser = "nexora-prod"\n\n[auth]\ntoken = "t1"\n';
const proxy = (host: string) => `\n[[proxies]]\nname = "${host}-https"\ntype = "https"\ncustomDomains = [ "${host}" ]\n`;

beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "nexora-frpc-"));
    spawnSync("mkdir", ["-p", path.join(dir, "bin")]);
    config = path.join(dir, "frpc.toml");
    log = path.join(dir, "calls.log");
    fake("frpc", 'case "$1" in verify) grep -q serverAddr "$3" ;; esac');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("frpc apply script", () => {
    it("installs the first config without restarting or reloading (the container is waiting for it)", () => {
        const r = apply(common + proxy("a.example"), false);
        expect(r.status).toBe(0);
        expect(r.calls).toEqual([`frpc verify -c ${config}.next`]);
        expect(readFileSync(config, "utf8")).toContain("a.example");
    });

    it("hot-reloads when only proxies change", () => {
        apply(common + proxy("a.example"), false);
        const r = apply(common + proxy("a.example") + proxy("b.example"));
        expect(r.status).toBe(0);
        expect(r.calls).toEqual([`frpc verify -c ${config}.next`, "pgrep -x frpc", `frpc reload -c ${config}`]);
        expect(readFileSync(config, "utf8")).toContain("b.example");
    });

    it("restarts frpc when the connection settings change", () => {
        apply(common + proxy("a.example"), false);
        const r = apply(common.replace("t1", "t2") + proxy("a.example"));
        expect(r.calls).toContain("restart");
        expect(r.calls.some((c) => c.startsWith("frpc reload"))).toBe(false);
        expect(readFileSync(config, "utf8")).toContain('token = "t2"');
    });

    it("keeps the running config when the new one fails verification", () => {
        apply(common + proxy("a.example"), false);
        const r = apply(proxy("broken.example"));
        expect(r.status).not.toBe(0);
        expect(readFileSync(config, "utf8")).toContain("a.example");
        expect(r.calls).not.toContain("restart");
    });
});
