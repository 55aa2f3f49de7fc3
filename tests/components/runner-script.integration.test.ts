import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runnerRegisterScript } from "../../components/runner/runner";

let dir: string;
beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "nexora-runner-"));
    mkdirSync(path.join(dir, "bin"));
    // Stand-in gitlab-runner: logs its arguments and the token it sees in its environment.
    const fake = path.join(dir, "bin", "gitlab-runner");
    writeFileSync(fake, `#!/bin/sh\necho "$1 token=$CI_SERVER_TOKEN args=$*" >> ${dir}/calls.log\n`);
    chmodSync(fake, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function register(stdin: string, jobImage = "alpine:3.22") {
    const r = spawnSync("sh", ["-c", runnerRegisterScript("nexora-staging-docker-runner", "https://staging-gitlab.nexora.restry.cn", jobImage)], {
        input: stdin,
        env: { PATH: `${path.join(dir, "bin")}:/usr/bin:/bin` },
        encoding: "utf8",
    });
    return { status: r.status, calls: readFileSync(path.join(dir, "calls.log"), "utf8").trim().split("\n") };
}

describe("runner registration script (real sh)", () => {
    it("registers with a token that arrives without a trailing newline, passed in the environment only", () => {
        const { status, calls } = register("glrt-abc123");
        expect(status).toBe(0);
        expect(calls[0]).toMatch(/^unregister /);
        expect(calls[1]).toMatch(
            /^register token=glrt-abc123 args=register --non-interactive --name nexora-staging-docker-runner --url https:\/\/staging-gitlab\.nexora\.restry\.cn --executor docker --docker-image alpine:3\.22$/,
        );
        expect(calls[1]!.split("args=")[1]).not.toContain("glrt-");
    });

    it("keeps a quote in a value inside its argument", () => {
        const { status, calls } = register("glrt-x\n", "reg.example/it's:1");
        expect(status).toBe(0);
        expect(calls[1]).toContain("--docker-image reg.example/it's:1");
    });

    it("stops without registering when no token arrives", () => {
        const r = spawnSync("sh", ["-c", runnerRegisterScript("n", "https://g.example", "alpine:3.22")], {
            input: "",
            env: { PATH: `${path.join(dir, "bin")}:/usr/bin:/bin` },
        });
        expect(r.status).not.toBe(0);
    });
});
