// The validators and the quoting hold for every string of their class, not only the listed examples.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { appHealthcheck } from "../../components/apps/app";
import { carriesCredential, isCredentialName, maskCredentials } from "../../components/credentials";
import {
    dockerHostProblem,
    dockerSocketPath,
    hostnameProblem,
    isHttpsOrigin,
    isIpv4,
    isPrivateCidr,
    isPublicIpv4,
    isUrlPath,
    isUrlPathWithQuery,
    lastHostAddress,
    parseCidr,
    shellQuote,
    shellWord,
} from "../../components/validators";
import { maskString } from "../../tools/mr-preview/mask";

const RUNS = { numRuns: 300 };
// "~" expands only at the start of a word and "!" only as a pipeline's first word: both are fine inside one.
const SHELL_SYNTAX = /[\s$`'"\\;|&<>(){}*?[\]#]|^~/;

const SH_CANARY = path.join(mkdtempSync(path.join(tmpdir(), "nexora-sh-canary-")), "ran");

describe("shell quoting", () => {
    it("sh reads any string back unchanged from shellQuote and shellWord", () => {
        // One sh per batch: a process per sample would be slow.
        fc.assert(
            fc.property(
                fc.array(
                    fc.oneof(
                        fc.string({ unit: "binary", maxLength: 40 }).map((s) => s.replace(/\0/g, "")),
                        // Canaries: each would create the file if the quoting let it run.
                        fc.constantFrom(
                            `$(touch ${SH_CANARY})`,
                            `\`touch ${SH_CANARY}\``,
                            `'; touch ${SH_CANARY}; '`,
                            `"; touch ${SH_CANARY}; "`,
                            `\n touch ${SH_CANARY}`,
                        ),
                    ),
                    { minLength: 1, maxLength: 20 },
                ),
                (values) => {
                    const script = values.map((v, i) => `printf '%s\\0' ${i % 2 === 0 ? shellQuote(v) : shellWord(v)}`).join("; ");
                    const out = execFileSync("sh", ["-c", script], { encoding: "utf8" });
                    expect(out.split("\0").slice(0, -1)).toEqual(values);
                    expect(existsSync(SH_CANARY)).toBe(false);
                },
            ),
            { numRuns: 40 },
        );
    });

    it("shellWord leaves a word unquoted only when it has no shell syntax", () => {
        fc.assert(
            fc.property(fc.string(), (v) => {
                const word = shellWord(v);
                if (word === v) expect(SHELL_SYNTAX.test(v) || v === "").toBe(false);
            }),
            RUNS,
        );
    });
});

describe("URL paths", () => {
    const pathChar = fc.constantFrom(..."abcXYZ019-._~!:@+,=%/?&$'()*;#` \n\"\\<>|{}[]".split(""));
    it("an accepted health path makes a health check whose URL sh sees as one word", () => {
        fc.assert(
            fc.property(
                fc.array(pathChar, { maxLength: 30 }).map((cs) => `/${cs.join("")}`),
                (path) => {
                    if (!isUrlPathWithQuery(path)) return;
                    expect(SHELL_SYNTAX.test(path.replace(/[?&]/g, ""))).toBe(false);
                    const [, line] = appHealthcheck(8000, path);
                    const out = execFileSync("sh", ["-c", `set -- ${line!.split(" || ")[0]!.replace(/^wget -q --spider /, "")}; printf '%s' "$#:$1"`], {
                        encoding: "utf8",
                    });
                    expect(out).toBe(`1:http://127.0.0.1:8000${path}`);
                },
            ),
            { numRuns: 60 },
        );
    });

    it("a redirect path never has a query, fragment, space or empty segment", () => {
        fc.assert(
            fc.property(
                fc.array(pathChar, { maxLength: 30 }).map((cs) => `/${cs.join("")}`),
                (path) => {
                    if (isUrlPath(path)) expect(/[?#\s]|\/\//.test(path)).toBe(false);
                },
            ),
            RUNS,
        );
    });

    it("any query of unreserved characters after a valid path is accepted", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^[a-z0-9=&]{0,20}$/), (q) => {
                expect(isUrlPathWithQuery(`/health?${q}`)).toBe(true);
            }),
            RUNS,
        );
    });
});

describe("addresses and names", () => {
    const octet = fc.integer({ min: 0, max: 255 });
    it("isIpv4 accepts exactly the canonical dotted quads", () => {
        fc.assert(
            fc.property(octet, octet, octet, octet, (a, b, c, d) => {
                expect(isIpv4(`${a}.${b}.${c}.${d}`)).toBe(true);
            }),
            RUNS,
        );
        fc.assert(
            fc.property(fc.string(), (s) => {
                if (isIpv4(s)) expect(s.split(".").map(Number).join(".")).toBe(s);
            }),
            RUNS,
        );
    });

    it("a public address is never in a private subnet", () => {
        fc.assert(
            fc.property(octet, octet, octet, octet, (a, b, c, d) => {
                const ip = `${a}.${b}.${c}.${d}`;
                if (isPublicIpv4(ip))
                    for (const net of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8"]) {
                        const r = parseCidr(net, 0, 32)!;
                        const n = ((a * 256 + b) * 256 + c) * 256 + d;
                        expect(n >= r.start && n <= r.end).toBe(false);
                    }
            }),
            RUNS,
        );
    });

    it("Caddy's fixed address lies inside every private subnet it is computed from, above the range Docker hands out first", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 16, max: 28 }), (b, prefix) => {
                const size = 2 ** (32 - prefix);
                const start = (10 * 256 + b) * 65536;
                const net = `10.${b}.0.0/${prefix}`;
                if (!parseCidr(net)) return;
                expect(isPrivateCidr(net)).toBe(true);
                const addr = lastHostAddress(net).split(".").map(Number);
                const n = ((addr[0]! * 256 + addr[1]!) * 256 + addr[2]!) * 256 + addr[3]!;
                expect(n).toBe(start + size - 2);
            }),
            RUNS,
        );
    });

    it("a hostname that passes has nothing a Caddyfile, TOML or shell reads as syntax", () => {
        fc.assert(
            fc.property(fc.string(), (s) => {
                if (hostnameProblem(s) === undefined) expect(/^[a-z0-9.-]+$/.test(s)).toBe(true);
            }),
            RUNS,
        );
    });

    it("a dockerHost that passes never hands ssh an option or a shell metacharacter", () => {
        fc.assert(
            fc.property(fc.string(), fc.string(), (user, host) => {
                for (const v of [`ssh://${user}@${host}`, `tcp://${host}:2375`, `unix://${host}`]) {
                    if (dockerHostProblem(v) === undefined) {
                        expect(v).not.toMatch(/[\s$`'";|&<>()\\]/);
                        expect(v).not.toMatch(/\/\/-|@-/);
                    }
                }
            }),
            RUNS,
        );
    });

    it("the socket mounted into Portainer, the runner and the backup is the daemon's own: a unix dockerHost's path, else Docker's default", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^(\/[a-z0-9._-]{1,12}){1,4}$/), (socket) => {
                if (dockerHostProblem(`unix://${socket}`) === undefined) expect(dockerSocketPath(`unix://${socket}`)).toBe(socket);
            }),
            RUNS,
        );
        expect(dockerSocketPath("ssh://deploy@claw-bot")).toBe("/var/run/docker.sock");
        expect(dockerSocketPath("tcp://10.0.0.5:2376")).toBe("/var/run/docker.sock");
    });

    it("an https origin that passes has a port 1-65535 at most and nothing after it", () => {
        fc.assert(
            fc.property(fc.integer({ min: -10, max: 200_000 }), (port) => {
                expect(isHttpsOrigin(`https://mm.cn.restry.cn:${port}`)).toBe(port >= 1 && port <= 65535);
            }),
            RUNS,
        );
    });
});

describe("credentials", () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/).filter((s) => /[0-9]/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s));
    const word = fc.constantFrom("SMTP", "DB", "ADMIN", "LDAP", "MAIL", "OAUTH", "PROVIDER", "APP", "S3");
    const secretWord = fc.constantFrom("PASS", "PW", "PWD", "PASSWD", "PASSWORD", "CREDS", "KEYS", "PIN", "PASSCODE", "SECRET", "TOKEN", "API_KEY");
    const tail = fc.constantFrom("", "_NAME", "_ID", "_VALUE", "_1");

    it("a name with a credential word in any position is a credential name", () => {
        fc.assert(
            fc.property(word, secretWord, tail, (w, s, t) => {
                expect(isCredentialName(`${w}_${s}${t}`)).toBe(true);
            }),
            RUNS,
        );
    });

    it("a secret in any of the usual carriers is found, and masking removes it", () => {
        const carriers = [
            (s: string) => `redis://:${s}@redis:6379`,
            (s: string) => `postgres://erp:${s}@db/erp`,
            (s: string) => `https://h.example/x?password=${s}`,
            (s: string) => `erp:${s}@tcp(db:3306)/erp`,
            (s: string) => `Server=db;Password=${s};`,
            (s: string) => `{"password": "${s}"}`,
            (s: string) => `-Dapp.db.password=${s}`,
            (s: string) => `--db-password ${s}`,
        ];
        fc.assert(
            fc.property(secret, fc.integer({ min: 0, max: carriers.length - 1 }), (s, i) => {
                const text = carriers[i]!(s);
                expect(carriesCredential(text)).toBe(true);
                expect(maskCredentials(text)).not.toContain(s);
                expect(maskString(text)).not.toContain(s);
            }),
            RUNS,
        );
    });

    it("masking is idempotent", () => {
        fc.assert(
            fc.property(fc.string(), (s) => {
                expect(maskCredentials(maskCredentials(s))).toBe(maskCredentials(s));
            }),
            RUNS,
        );
    });
});
