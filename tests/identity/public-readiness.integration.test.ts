// The readiness gate's script under a real sh and curl, against HTTPS servers on 127.0.0.1 with a
// certificate of a throw-away CA (openssl): verified TLS, GitLab's answer told apart from the edge's.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicReadinessScript } from "../../components/identity/public-readiness";

let dir: string;
let caFile: string;
let key: Buffer;
let cert: Buffer;

beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "nexora-ready-"));
    const run = (args: string[]) => {
        const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
        if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
    };
    run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=nexora test root"]);
    run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=127.0.0.1"]);
    writeFileSync(path.join(dir, "ext"), "subjectAltName=IP:127.0.0.1\n");
    run(["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "ext"]);
    caFile = path.join(dir, "ca.pem");
    key = readFileSync(path.join(dir, "leaf.key"));
    cert = readFileSync(path.join(dir, "leaf.pem"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An HTTPS server on loopback answering each request with the next of `answers` (the last one repeats). */
async function serve(answers: { status: number; body: string }[]): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
    let hits = 0;
    const server = https.createServer({ key, cert }, (_req, res) => {
        const a = answers[Math.min(hits, answers.length - 1)]!;
        hits++;
        res.writeHead(a.status, { "content-type": a.body.startsWith("{") ? "application/json" : "text/plain" });
        res.end(a.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `https://127.0.0.1:${port}/api/v4/version`, hits: () => hits, close: () => new Promise((r) => server.close(() => r())) };
}

/** Runs the script with sh without blocking the event loop (the servers live in this process). */
function runScript(script: string): Promise<{ status: number | null; stderr: string; seconds: number }> {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn("sh", ["-c", script], { stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += String(d)));
        child.on("close", (status) => resolve({ status, stderr, seconds: (Date.now() - started) / 1000 }));
    });
}

const GITLAB_401 = { status: 401, body: '{"message":"401 Unauthorized"}' };
const fast = { intervalSeconds: 1, requestTimeoutSeconds: 2 };

describe("publicReadinessScript under sh and curl", () => {
    it("returns once GitLab answers, trusting only the CA it was given", async () => {
        const server = await serve([GITLAB_401]);
        try {
            const r = await runScript(publicReadinessScript({ url: server.url, timeoutSeconds: 10, caCommand: `cat '${caFile}'`, ...fast }));
            expect(r.stderr).toContain("answers");
            expect(r.status).toBe(0);
        } finally {
            await server.close();
        }
    });

    it("never skips verification: a certificate from an untrusted CA times out", async () => {
        const server = await serve([GITLAB_401]);
        try {
            const r = await runScript(publicReadinessScript({ url: server.url, timeoutSeconds: 3, ...fast }));
            expect(r.status).toBe(1);
            expect(r.stderr).toMatch(/not served by GitLab within 3s \(last: HTTP 000/);
            expect(server.hits()).toBe(0); // the TLS handshake failed before any request
        } finally {
            await server.close();
        }
    });

    it("keeps polling through the edge's 502 until GitLab answers", async () => {
        const server = await serve([{ status: 502, body: "" }, { status: 502, body: "" }, GITLAB_401]);
        try {
            const r = await runScript(publicReadinessScript({ url: server.url, timeoutSeconds: 20, caCommand: `cat '${caFile}'`, ...fast }));
            expect(r.status).toBe(0);
            expect(server.hits()).toBe(3);
        } finally {
            await server.close();
        }
    });

    it("does not take a 401 without GitLab's JSON (a basic-auth prompt) for GitLab, and gives up in time", async () => {
        const server = await serve([{ status: 401, body: "Unauthorized" }]);
        try {
            const r = await runScript(publicReadinessScript({ url: server.url, timeoutSeconds: 3, caCommand: `cat '${caFile}'`, ...fast }));
            expect(r.status).toBe(1);
            expect(r.stderr).toContain("last: HTTP 401");
            expect(r.seconds).toBeLessThan(10);
        } finally {
            await server.close();
        }
    });

    it("accepts a 200 (a request that carried a token)", async () => {
        const server = await serve([{ status: 200, body: '{"version":"18.11.0"}' }]);
        try {
            expect((await runScript(publicReadinessScript({ url: server.url, timeoutSeconds: 5, caCommand: `cat '${caFile}'`, ...fast }))).status).toBe(0);
        } finally {
            await server.close();
        }
    });

    it("waits for the CA to appear (Caddy writes its root on first use), bounded", async () => {
        const late = path.join(dir, "late-ca.pem");
        const server = await serve([GITLAB_401]);
        try {
            setTimeout(() => writeFileSync(late, readFileSync(caFile)), 1500);
            const r = await runScript(publicReadinessScript({ url: server.url, timeoutSeconds: 15, caCommand: `cat '${late}'`, ...fast }));
            expect(r.status).toBe(0);
            const never = await runScript(publicReadinessScript({ url: server.url, timeoutSeconds: 2, caCommand: "cat /nonexistent/ca.pem", ...fast }));
            expect(never.status).toBe(1);
            expect(never.stderr).toContain("no CA certificate to trust within 2s");
        } finally {
            await server.close();
        }
    });

    it("fails in bounded time when nothing listens", async () => {
        const server = await serve([GITLAB_401]);
        const url = server.url;
        await server.close();
        const r = await runScript(publicReadinessScript({ url, timeoutSeconds: 2, caCommand: `cat '${caFile}'`, ...fast }));
        expect(r.status).toBe(1);
        expect(r.seconds).toBeLessThan(8);
    });

    it("keeps a hostile URL one word: the shell runs nothing from it", async () => {
        const marker = path.join(dir, "pwned");
        const url = `https://127.0.0.1:1/x';touch '${marker}';'`;
        const r = await runScript(publicReadinessScript({ url, timeoutSeconds: 1, ...fast }));
        expect(r.status).toBe(1);
        expect(() => readFileSync(marker)).toThrow();
    });
});

describe("publicReadinessScript arguments", () => {
    it("refuses plain http and unbounded waits", () => {
        expect(() => publicReadinessScript({ url: "http://gitlab.example.com/api/v4/version", timeoutSeconds: 60 })).toThrow(/https/);
        expect(() => publicReadinessScript({ url: "https://gitlab.example.com/api/v4/version", timeoutSeconds: 0 })).toThrow(/timeoutSeconds/);
        expect(() => publicReadinessScript({ url: "https://gitlab.example.com/api/v4/version", timeoutSeconds: 1.5 })).toThrow(/timeoutSeconds/);
    });
});
