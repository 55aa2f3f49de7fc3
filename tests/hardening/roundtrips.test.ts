// Round trips through the real readers: what the renderers write, the tools that read it get
// back unchanged, and nothing in a value runs. One process per batch of samples.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { parse as parseToml } from "smol-toml";
import { afterAll, describe, expect, it } from "vitest";
import { renderCaddyfile } from "../../components/edge/caddyfile";
import { renderFrpcToml } from "../../components/edge/frpc";
import type { RouteTable } from "../../components/edge/types";
import { rubyString } from "../../components/gitlab/omnibus";
import { cidrsOverlap, isDnsLabel, parseCidr } from "../../components/validators";
import { caddyBinary } from "../support/caddy";

const work = mkdtempSync(path.join(tmpdir(), "nexora-roundtrip-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Values that would run something if a quoting slipped: each touches the canary file. */
const canary = path.join(work, "ran");
const hostile = fc.constantFrom(
    `#{File.write(${JSON.stringify(canary)}, "x")}`,
    `'; File.write(${JSON.stringify(canary)}, "x"); '`,
    `\\'; File.write(${JSON.stringify(canary)}, "x"); #`,
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `"; touch ${canary}; "`,
);
/** Any printable text: rubyString refuses control characters by design (they never belong in gitlab.rb values). */
const printable = fc.oneof(
    fc.string({ unit: "binary", maxLength: 40 }).map((s) => s.replace(/[\u0000-\u001f\u007f]/g, "")),
    hostile,
);

describe("rubyString", () => {
    it("ruby reads any printable string back unchanged and runs nothing in it", () => {
        fc.assert(
            fc.property(fc.array(printable, { minLength: 1, maxLength: 25 }), (values) => {
                const script = `require "json"\nvalues = [${values.map(rubyString).join(",\n")}]\nSTDOUT.write(JSON.generate(values))\n`;
                const r = spawnSync("ruby", ["-e", "eval(STDIN.read)"], { input: script, encoding: "utf8" });
                expect(r.status, r.stderr).toBe(0);
                expect(JSON.parse(r.stdout)).toEqual(values);
                expect(existsSync(canary)).toBe(false);
            }),
            { numRuns: 25 },
        );
    });

    it("refuses every control character instead of quoting it", () => {
        fc.assert(
            fc.property(fc.string(), fc.integer({ min: 0, max: 0x1f }), fc.string(), (a, code, b) => {
                expect(() => rubyString(`${a}${String.fromCharCode(code)}${b}`)).toThrow(/control characters/);
            }),
        );
    });
});

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,12}[a-z0-9])?$/).filter(isDnsLabel);
const hostnames = fc.uniqueArray(
    fc.tuple(label, label).map(([a, b]) => `${a}.${b}.nexora.restry.cn`),
    { minLength: 1, maxLength: 12 },
);

function table(names: readonly string[]): RouteTable {
    return {
        stack: "dev",
        httpPort: 80,
        httpsPort: 443,
        http: names.map((hostname, i) => ({
            name: `svc${i}`,
            hostname,
            upstream: { host: `nexora-dev-svc${i}`, port: 8000 + i },
            securityHeaders: true,
            restricted: false,
            proxied: false,
        })),
        tcp: [],
    };
}

describe("frpc.toml", () => {
    it("frpc's TOML reader gets every token, address and hostname back unchanged", () => {
        fc.assert(
            fc.property(hostnames, fc.string({ unit: "binary", minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 65535 }), (names, token, port) => {
                const toml = renderFrpcToml(table(names), {
                    serverAddr: "203.0.113.7",
                    serverPort: port,
                    authToken: token,
                    user: "nexora-dev",
                    caddyHost: "nexora-dev-caddy",
                });
                const doc = parseToml(toml) as { auth: { token: string }; serverPort: number; proxies: { customDomains?: string[] }[] };
                expect(doc.auth.token).toBe(token);
                expect(doc.serverPort).toBe(port);
                expect(new Set(doc.proxies.flatMap((p) => p.customDomains ?? []))).toEqual(new Set(names));
            }),
            { numRuns: 200 },
        );
    });
});

describe("Caddyfile", () => {
    it("caddy adapt routes exactly the hostnames of the table, each to its own upstream", () => {
        const caddyfile = path.join(work, "Caddyfile");
        fc.assert(
            fc.property(hostnames, (names) => {
                writeFileSync(
                    caddyfile,
                    renderCaddyfile(table(names), {
                        tls: "internal",
                        trustedProxies: [],
                        adminAuth: { username: "edge-admin", passwordHash: `$2a$14$${"N".repeat(53)}` },
                    }),
                );
                const json = execFileSync(caddyBinary(), ["adapt", "--config", caddyfile, "--adapter", "caddyfile"], {
                    encoding: "utf8",
                    stdio: ["ignore", "pipe", "ignore"],
                });
                const routes = (JSON.parse(json) as { apps: { http: { servers: Record<string, { routes: unknown[] }> } } }).apps.http.servers;
                const text = JSON.stringify(routes);
                const hosts = [...text.matchAll(/"host":\[([^\]]*)\]/g)].flatMap((m) => JSON.parse(`[${m[1]}]`) as string[]);
                expect(new Set(hosts)).toEqual(new Set(names));
                names.forEach((_, i) => expect(text).toContain(`nexora-dev-svc${i}:${8000 + i}`));
            }),
            { numRuns: 8 },
        );
    });
});

describe("parseCidr", () => {
    const octet = fc.integer({ min: 0, max: 255 });
    it("reads every aligned network back as its range, and refuses every misaligned one", () => {
        fc.assert(
            fc.property(octet, octet, octet, octet, fc.integer({ min: 8, max: 29 }), (a, b, c, d, prefix) => {
                const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
                const size = 2 ** (32 - prefix);
                const ip = `${a}.${b}.${c}.${d}`;
                const parsed = parseCidr(`${ip}/${prefix}`);
                if (n % size === 0) expect(parsed).toEqual({ start: n, end: n + size - 1, prefix });
                else expect(parsed).toBeUndefined();
            }),
            { numRuns: 1000 },
        );
    });

    it("overlap is symmetric and true exactly when the ranges share an address", () => {
        const cidr = fc.tuple(octet, octet, fc.integer({ min: 8, max: 29 })).map(([a, b, prefix]) => {
            const n = ((a << 24) >>> 0) + (b << 16);
            const size = 2 ** (32 - prefix);
            const start = Math.floor(n / size) * size;
            return `${[start >>> 24, (start >>> 16) & 255, (start >>> 8) & 255, start & 255].join(".")}/${prefix}`;
        });
        fc.assert(
            fc.property(cidr, cidr, (x, y) => {
                const [p, q] = [parseCidr(x)!, parseCidr(y)!];
                expect(cidrsOverlap(x, y)).toBe(cidrsOverlap(y, x));
                expect(cidrsOverlap(x, y)).toBe(p.start <= q.end && q.start <= p.end);
            }),
            { numRuns: 500 },
        );
    });
});
