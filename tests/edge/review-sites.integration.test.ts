/**
 * A review host's Caddyfile imports the review sites directory; the real caddy takes it with no
 * file there, and with a review's snippet it serves that site too. Review proxies for frpc have
 * the host's own proxy shape and parse back as TOML.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { renderCaddyfile, renderSiteSnippet, REVIEW_SITES_GLOB } from "../../components/edge/caddyfile";
import { frpcProxies, renderFrpcProxiesFile, renderFrpcToml, REVIEW_PROXIES_GLOB } from "../../components/edge/frpc";
import type { RouteTable } from "../../components/edge/types";
import { reviewRouteTable } from "../../components/review/review";
import { RELEASE_UPSTREAM_DIR, renderReleaseUpstream } from "../../components/edge/upstreams";
import { adaptAndValidate } from "../support/caddy";
import { devTable } from "./fixtures";

const host = { ...devTable, http: devTable.http.map((r) => ({ ...r, restricted: false })) };
const review: RouteTable = reviewRouteTable({
    id: { hostStack: "dev", app: "pyerp", mr: 12 },
    host: {
        stack: "dev",
        dockerHost: "unix:///var/run/docker.sock",
        tls: "internal",
        httpPort: host.httpPort,
        httpsPort: host.httpsPort,
        tunnel: true,
        mysql: true,
    },
    app: {
        key: "pyerp",
        subdomain: "pyerp",
        image: "a/b:1",
        port: 8000,
        healthPath: "/",
        env: {},
        secretEnv: {},
        generatedSecrets: [],
        database: true,
        releaseTimeoutSeconds: 180,
    },
    hostname: "dev-mr12-pyerp.nexora.restry.cn",
});

/** Dials of every reverse_proxy in an adapted config. */
function dials(json: unknown): string[] {
    const out: string[] = [];
    const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v !== null && typeof v === "object") {
            const o = v as Record<string, unknown>;
            if (o.handler === "reverse_proxy") out.push(...(o.upstreams as { dial: string }[]).map((u) => u.dial));
            Object.values(o).forEach(walk);
        }
    };
    walk(json);
    return out.sort();
}

describe("the review host's Caddyfile", () => {
    it("ends with the import of the review sites and refuses an import path with Caddyfile syntax", () => {
        const text = renderCaddyfile(host, { tls: "internal", trustedProxies: [], importGlob: REVIEW_SITES_GLOB });
        expect(text.trimEnd().split("\n").pop()).toBe("import /etc/caddy/reviews/*.caddy");
        for (const bad of ["reviews/*.caddy", "/etc/caddy/reviews/*.caddy {", "/etc/caddy/re views/*", "/etc/*/x/*.caddy"]) {
            expect(() => renderCaddyfile(host, { tls: "internal", trustedProxies: [], importGlob: bad }), bad).toThrow(/importGlob/);
        }
    });

    it("is valid for the real caddy with no review, and serves a review's snippet next to the host's sites", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "review-sites-"));
        try {
            const glob = path.join(dir, "reviews", "*.caddy");
            const caddyfile = renderCaddyfile(host, { tls: "internal", trustedProxies: [], importGlob: glob });
            const empty = await adaptAndValidate(caddyfile);
            expect(empty.exitCode, empty.stderr).toBe(0);
            expect(dials(empty.json)).toEqual(host.http.map((r) => `${r.upstream.host}:${r.upstream.port}`).sort());
            mkdirSync(path.join(dir, "reviews"));
            // The review's route is released: it imports the upstream its release switches (here in the temp dir).
            const snippet = renderSiteSnippet(review, { tls: "internal", trustedProxies: [] });
            expect(snippet).toContain(`import ${RELEASE_UPSTREAM_DIR}/review-pyerp-mr12/*.caddy`);
            writeFileSync(path.join(dir, "reviews", "review-pyerp-mr12.caddy"), snippet.split(RELEASE_UPSTREAM_DIR).join(path.join(dir, "upstreams")));
            mkdirSync(path.join(dir, "upstreams", "review-pyerp-mr12"), { recursive: true });
            writeFileSync(path.join(dir, "upstreams", "review-pyerp-mr12", "upstream.caddy"), renderReleaseUpstream("nexora-dev-mr12-pyerp-0a1b2c3d", 8000));
            const withReview = await adaptAndValidate(caddyfile);
            expect(withReview.exitCode, withReview.stderr).toBe(0);
            expect(dials(withReview.json)).toEqual([...dials(empty.json), "nexora-dev-mr12-pyerp-0a1b2c3d:8000"].sort());
            expect(JSON.stringify(withReview.json)).toContain("dev-mr12-pyerp.nexora.restry.cn");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("takes no restricted route into a snippet (it has no admin credential)", () => {
        expect(() => renderSiteSnippet({ ...review, http: [{ ...review.http[0]!, restricted: true }] }, { tls: "internal", trustedProxies: [] })).toThrow(
            /restricted/,
        );
    });
});

describe("the review host's frpc", () => {
    const options = { serverAddr: "10.203.0.2", serverPort: 7000, authToken: "t0ken-value-for-the-test", user: "nexora-dev", caddyHost: "nexora-dev-caddy" };

    it("includes the review proxies directory", () => {
        const toml = parse(renderFrpcToml(host, { ...options, includes: [REVIEW_PROXIES_GLOB] })) as { includes: string[] };
        expect(toml.includes).toEqual(["/etc/frp/reviews/*.toml"]);
        expect(() => renderFrpcToml(host, { ...options, includes: ["../x/*.toml"] })).toThrow(/includes entry/);
    });

    it("gives a review the host's own proxy shape: http and https to the host's Caddy for its hostname only", () => {
        const file = parse(renderFrpcProxiesFile(review, { caddyHost: "nexora-dev-caddy" })) as { proxies: unknown[] };
        expect(file.proxies).toEqual(frpcProxies(review, options));
        expect(file.proxies).toEqual([
            {
                name: "dev-mr12-pyerp.nexora.restry.cn-http",
                type: "http",
                localIP: "nexora-dev-caddy",
                localPort: host.httpPort,
                customDomains: ["dev-mr12-pyerp.nexora.restry.cn"],
            },
            {
                name: "dev-mr12-pyerp.nexora.restry.cn-https",
                type: "https",
                localIP: "nexora-dev-caddy",
                localPort: host.httpsPort,
                customDomains: ["dev-mr12-pyerp.nexora.restry.cn"],
            },
        ]);
        expect(Object.keys(parse(renderFrpcProxiesFile(review, { caddyHost: "nexora-dev-caddy" })))).toEqual(["proxies"]);
    });
});
