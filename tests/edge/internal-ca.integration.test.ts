/**
 * The dev-SSO trust path on the real caddy: a rendered `tls internal` Caddyfile makes Caddy
 * create its local CA where the read script looks (relative to Caddy's data dir); the script
 * prints exactly that root; and a Node process (Outline's runtime) given the printed file in
 * NODE_EXTRA_CA_CERTS completes a verified HTTPS request to GitLab's public name through Caddy,
 * which it refuses without it.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderCaddyfile } from "../../components/edge/caddyfile";
import { CADDY_LOCAL_ROOT_CERT, READ_INTERNAL_CA_SCRIPT } from "../../components/edge/internal-ca";
import { eventually, freePort, hashPassword, startCaddy, type RunningCaddy } from "../support/caddy";
import { startUpstream, type Upstream } from "./loopback";

const GITLAB = "dev-gitlab.nexora.restry.cn";
let caddy: RunningCaddy | undefined;
let upstream: Upstream | undefined;
const scratch = mkdtempSync(join(tmpdir(), "nexora-internal-ca-"));

afterAll(async () => {
    await caddy?.stop();
    await upstream?.close();
    rmSync(scratch, { recursive: true, force: true });
});

/**
 * A Node child that fetches https://GITLAB:port/ with 127.0.0.1 as the name's address (the edge
 * alias's job). Asynchronous: the upstream answers from this process's event loop.
 */
function nodeFetch(port: number, extraCaFile?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const program = `
const https = require("node:https");
const req = https.get({ host: ${JSON.stringify(GITLAB)}, port: ${port}, path: "/", agent: false, lookup: (h, o, cb) => o && o.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4) }, (res) => {
    let body = ""; res.on("data", (c) => (body += c)); res.on("end", () => { console.log(res.statusCode + " " + body); process.exit(0); });
});
req.on("error", (e) => { console.error(e.code || e.message); process.exit(2); });`;
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    if (extraCaFile !== undefined) env.NODE_EXTRA_CA_CERTS = extraCaFile;
    return new Promise((resolve, reject) => {
        execFile(process.execPath, ["-e", program], { env, encoding: "utf8", timeout: 15_000 }, (error, stdout, stderr) => {
            if (error && typeof error.code !== "number") reject(error);
            else resolve({ status: error ? (error.code as number) : 0, stdout, stderr });
        });
    });
}

describe("Caddy's internal CA, read and trusted", () => {
    it("is read by the script from Caddy's data dir and makes a Node client trust GitLab's public name", async () => {
        upstream = await startUpstream("gitlab");
        const ports = { http: await freePort(), https: await freePort(), admin: await freePort() };
        const caddyfile = renderCaddyfile(
            {
                stack: "dev",
                httpPort: ports.http,
                httpsPort: ports.https,
                http: [
                    {
                        name: "gitlab",
                        hostname: GITLAB,
                        upstream: { host: "127.0.0.1", port: upstream.port },
                        securityHeaders: true,
                        restricted: false,
                        proxied: false,
                    },
                ],
                tcp: [],
            },
            {
                tls: "internal",
                trustedProxies: [],
                adminAuth: { username: "edge-admin", passwordHash: await hashPassword("loopback-admin-password") },
                httpPort: ports.http,
                httpsPort: ports.https,
                admin: `127.0.0.1:${ports.admin}`,
            },
        );
        caddy = await startCaddy(caddyfile);
        const root = await eventually(() => caddy!.rootCertificate());

        // The script as the container runs it, with Caddy's data dir (/data in the image) mapped to this caddy's.
        const dataDir = join(caddy.workspace.dataDir);
        expect(CADDY_LOCAL_ROOT_CERT.startsWith("/data/caddy/")).toBe(true);
        const script = READ_INTERNAL_CA_SCRIPT.replace(CADDY_LOCAL_ROOT_CERT, join(dataDir, CADDY_LOCAL_ROOT_CERT.slice("/data/".length)));
        const read = spawnSync("sh", ["-c", script], { encoding: "utf8", timeout: 10_000 });
        expect(read.status, read.stderr).toBe(0);
        expect(read.stdout).toBe(root);
        expect(read.stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n?$/);

        const caFile = join(scratch, "caddy-internal-root.crt");
        writeFileSync(caFile, read.stdout);
        // Certificates are issued in the background after start.
        const trusted = await eventually(async () => {
            const r = await nodeFetch(ports.https, caFile);
            if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
            return r;
        }, 15_000);
        expect(trusted.stdout).toMatch(/^200 /);
        expect(JSON.parse(trusted.stdout.slice(4))).toMatchObject({ upstream: "gitlab", host: `${GITLAB}:${ports.https}` });

        const untrusted = await nodeFetch(ports.https);
        expect(untrusted.status).toBe(2);
        expect(untrusted.stderr).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
    }, 60_000);

    it("fails with a message naming the file when Caddy never creates its CA, within the bounded wait", () => {
        const missing = join(scratch, "no-such-dir", "root.crt");
        // A 2-second version of the wait keeps the test short; the loop is the same.
        const script = READ_INTERNAL_CA_SCRIPT.replace(CADDY_LOCAL_ROOT_CERT, missing).replace(/-ge \d+/, "-ge 2");
        const started = Date.now();
        const r = spawnSync("sh", ["-c", script], { encoding: "utf8", timeout: 10_000 });
        expect(r.status).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(`caddy has no internal root CA at ${missing}`);
        expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    });
});
