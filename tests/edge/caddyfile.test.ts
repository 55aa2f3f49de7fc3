import { describe, expect, it } from "vitest";
import { renderCaddyfile, type CaddyfileOptions } from "../../components/edge/caddyfile";
import type { HttpRoute, RouteTable } from "../../components/edge/types";
import { devTable, prodTable, UNIT_BCRYPT_HASH } from "./fixtures";

const acme: CaddyfileOptions = {
    tls: "acme",
    acmeEmail: "ops@nexora.restry.cn",
    trustedProxies: ["172.30.0.0/24"],
    adminAuth: { username: "admin", passwordHash: UNIT_BCRYPT_HASH },
};
const internal: CaddyfileOptions = { ...acme, tls: "internal", acmeEmail: undefined };

/** The site block of `hostname`, from its address line to its closing brace. */
function siteBlock(caddyfile: string, hostname: string): string {
    const match = new RegExp(`^${hostname.replace(/\./g, "\\.")} \\{\\n[\\s\\S]*?\\n\\}$`, "m").exec(caddyfile);
    if (match === null) throw new Error(`no site block for ${hostname} in:\n${caddyfile}`);
    return match[0];
}

const route = (name: string, change: Partial<HttpRoute> = {}): HttpRoute => ({
    name,
    hostname: `${name}.nexora.restry.cn`,
    upstream: { host: `nexora-prod-${name}`, port: 8080 },
    securityHeaders: false,
    restricted: false,
    proxied: true,
    ...change,
});

describe("renderCaddyfile", () => {
    it("renders the exact text for a small table (global block, sorted site blocks, every option)", () => {
        const table: RouteTable = {
            stack: "prod",
            httpPort: 80,
            httpsPort: 443,
            http: [
                route("portainer", { upstream: { host: "nexora-prod-portainer", port: 9000 }, securityHeaders: true, restricted: true }),
                route("gitlab", { upstream: { host: "nexora-prod-gitlab", port: 80 }, maxRequestBodyMiB: 1024 }),
            ],
            tcp: [],
        };
        expect(renderCaddyfile(table, acme)).toBe(
            [
                "# Caddyfile of stack prod, rendered from its route table: change the table, not this file.",
                "{",
                "\tadmin localhost:2019",
                "\thttp_port 80",
                "\thttps_port 443",
                "\temail ops@nexora.restry.cn",
                "}",
                "",
                "gitlab.nexora.restry.cn {",
                "\trequest_body {",
                "\t\tmax_size 1024MiB",
                "\t}",
                "\treverse_proxy nexora-prod-gitlab:80 {",
                "\t\ttrusted_proxies 172.30.0.0/24",
                "\t}",
                "}",
                "",
                "portainer.nexora.restry.cn {",
                "\theader {",
                "\t\t?Strict-Transport-Security max-age=31536000",
                "\t\t?X-Content-Type-Options nosniff",
                "\t\t?X-Frame-Options SAMEORIGIN",
                "\t\t?Referrer-Policy strict-origin-when-cross-origin",
                "\t\t-Server",
                "\t}",
                "\tbasicauth {",
                `\t\tadmin ${UNIT_BCRYPT_HASH}`,
                "\t}",
                "\treverse_proxy nexora-prod-portainer:9000 {",
                "\t\ttrusted_proxies 172.30.0.0/24",
                "\t}",
                "}",
                "",
            ].join("\n"),
        );
    });

    it("renders one site block per HTTP route, sorted by hostname, and none for TCP routes", () => {
        const text = renderCaddyfile(prodTable, acme);
        const addresses = [...text.matchAll(/^(\S+) \{$/gm)].map((m) => m[1]);
        expect(addresses).toEqual(prodTable.http.map((r) => r.hostname).sort());
        expect(text).not.toContain(prodTable.tcp[0]!.hostname);
        for (const r of prodTable.http) {
            expect(siteBlock(text, r.hostname)).toContain(`reverse_proxy ${r.upstream.host}:${r.upstream.port} {`);
        }
    });

    it("is byte-stable and independent of route order", () => {
        const shuffled: RouteTable = { ...prodTable, http: [...prodTable.http].reverse() };
        expect(renderCaddyfile(shuffled, acme)).toBe(renderCaddyfile(prodTable, acme));
    });

    it("changes when one route changes, so the reload trigger fires", () => {
        const changed: RouteTable = {
            ...prodTable,
            http: [{ ...prodTable.http[0]!, upstream: { host: "nexora-prod-gitlab", port: 8080 } }, ...prodTable.http.slice(1)],
        };
        expect(renderCaddyfile(changed, acme)).not.toBe(renderCaddyfile(prodTable, acme));
    });

    it("acme mode: sets the account email and leaves site certificates to ACME", () => {
        const text = renderCaddyfile(prodTable, acme);
        expect(text).toMatch(/^\temail ops@nexora\.restry\.cn$/m);
        expect(text).not.toContain("tls internal");
        expect(text).not.toContain("skip_install_trust");
    });

    it("internal mode: tls internal in every site block, no trust-store install, no email", () => {
        const text = renderCaddyfile(devTable, internal);
        for (const r of devTable.http) expect(siteBlock(text, r.hostname)).toMatch(/^\ttls internal$/m);
        expect(text).toMatch(/^\tskip_install_trust$/m);
        expect(text).not.toContain("email");
    });

    it("limits the request body in MiB only where the route sets a limit", () => {
        const text = renderCaddyfile(prodTable, acme);
        expect(siteBlock(text, "gitlab.nexora.restry.cn")).toContain("request_body {\n\t\tmax_size 1024MiB\n\t}");
        expect(siteBlock(text, "uptime.nexora.restry.cn")).not.toContain("request_body");
    });

    it("adds security headers only where the route asks for them", () => {
        const text = renderCaddyfile(prodTable, acme);
        const gitlab = siteBlock(text, "gitlab.nexora.restry.cn");
        for (const header of ["Strict-Transport-Security", "X-Content-Type-Options nosniff", "X-Frame-Options SAMEORIGIN", "Referrer-Policy", "-Server"]) {
            expect(gitlab).toContain(header);
        }
        expect(siteBlock(text, "www.nexora.restry.cn")).not.toContain("header");
    });

    it("puts basic auth on restricted routes only", () => {
        const text = renderCaddyfile(prodTable, acme);
        expect(siteBlock(text, "portainer.nexora.restry.cn")).toContain(`basicauth {\n\t\tadmin ${UNIT_BCRYPT_HASH}\n\t}`);
        expect(text.match(/basicauth/g)).toHaveLength(1);
    });

    it("trusts the edge network on every proxy, and nobody when given no ranges", () => {
        const trusting = renderCaddyfile(prodTable, { ...acme, trustedProxies: ["172.30.0.0/24", "fd00:30::/64", "10.1.2.3"] });
        expect(trusting.match(/trusted_proxies 172\.30\.0\.0\/24 fd00:30::\/64 10\.1\.2\.3$/gm)).toHaveLength(prodTable.http.length);
        const trustingNobody = renderCaddyfile(prodTable, { ...acme, trustedProxies: [] });
        expect(trustingNobody).not.toContain("trusted_proxies");
        expect(trustingNobody).toContain("\treverse_proxy nexora-prod-gitlab:80\n");
    });

    it("renders the given ports and admin address", () => {
        const text = renderCaddyfile(prodTable, { ...acme, httpPort: 18080, httpsPort: 18443, admin: "127.0.0.1:12019" });
        expect(text).toContain("{\n\tadmin 127.0.0.1:12019\n\thttp_port 18080\n\thttps_port 18443\n");
    });

    it("renders only the global block for a table without HTTP routes", () => {
        expect(renderCaddyfile({ stack: "dev", httpPort: 80, httpsPort: 443, http: [], tcp: [] }, internal)).toBe(
            "# Caddyfile of stack dev, rendered from its route table: change the table, not this file.\n" +
                "{\n\tadmin localhost:2019\n\thttp_port 80\n\thttps_port 443\n\tskip_install_trust\n}\n",
        );
    });

    it("refuses an invalid route table, naming the entry", () => {
        const bad: RouteTable = { ...prodTable, http: [{ ...prodTable.http[0]!, hostname: "gitlab.nexora.restry.cn {\n}" }] };
        expect(() => renderCaddyfile(bad, acme)).toThrow(/http route #0 \(route "gitlab"/);
    });

    it.each([
        ["acme without email", { acmeEmail: undefined }, /acmeEmail is required/],
        ["email with a brace", { acmeEmail: "ops{$HOME}@nexora.restry.cn" }, /acmeEmail "ops\{\$HOME\}@nexora.restry.cn" is not an email/],
        ["email with a space", { acmeEmail: "ops @nexora.restry.cn" }, /acmeEmail/],
        ["trusted proxy that is not a range", { trustedProxies: ["edge-network"] }, /trustedProxies entry "edge-network"/],
        ["trusted proxy prefix too long", { trustedProxies: ["172.30.0.0/33"] }, /trustedProxies entry "172.30.0.0\/33"/],
        ["trusted proxy with a newline", { trustedProxies: ["172.30.0.0/24\n}"] }, /trustedProxies entry/],
        ["username with a space", { adminAuth: { username: "ad min", passwordHash: UNIT_BCRYPT_HASH } }, /adminAuth.username "ad min"/],
        ["plaintext password", { adminAuth: { username: "admin", passwordHash: "hunter2" } }, /adminAuth.passwordHash is not a bcrypt hash/],
        ["http port 0", { httpPort: 0 }, /httpPort .* got 0/],
        ["https port 70000", { httpsPort: 70000 }, /httpsPort .* got 70000/],
        ["one port for both", { httpPort: 443 }, /httpPort and httpsPort are both 443/],
        ["admin without port", { admin: "localhost" }, /admin "localhost"/],
        ["admin with a block", { admin: "localhost:2019 {" }, /admin "localhost:2019 \{"/],
    ] as [string, Partial<CaddyfileOptions>, RegExp][])("rejects %s", (_case, change, message) => {
        expect(() => renderCaddyfile(prodTable, { ...acme, ...change })).toThrow(message);
    });

    it("requires adminAuth when a route is restricted, naming the routes", () => {
        expect(() => renderCaddyfile(prodTable, { ...acme, adminAuth: undefined })).toThrow(
            /adminAuth is required for the restricted routes portainer\.nexora\.restry\.cn/,
        );
        const unrestricted: RouteTable = { ...prodTable, http: prodTable.http.filter((r) => !r.restricted) };
        expect(renderCaddyfile(unrestricted, { ...acme, adminAuth: undefined })).not.toContain("basicauth");
    });

    it("keeps the password hash out of error messages", () => {
        const hashLike = "$2a$10$not-quite-a-valid-bcrypt-hash-but-secret-looking-value";
        let message = "";
        try {
            renderCaddyfile(prodTable, { ...acme, adminAuth: { username: "admin", passwordHash: hashLike } });
        } catch (error) {
            message = (error as Error).message;
        }
        expect(message).toMatch(/passwordHash is not a bcrypt hash/);
        expect(message).not.toContain(hashLike);
    });

    it("accepts admin off and IPv6 admin addresses", () => {
        expect(renderCaddyfile(prodTable, { ...acme, admin: "off" })).toContain("\tadmin off\n");
        expect(renderCaddyfile(prodTable, { ...acme, admin: "[::1]:2019" })).toContain("\tadmin [::1]:2019\n");
    });
});

describe("renderCaddyfile: released routes", () => {
    const table = (released: boolean): RouteTable => ({ stack: "prod", httpPort: 80, httpsPort: 443, http: [route("shop", { released })], tcp: [] });
    const noProxies: CaddyfileOptions = { ...acme, trustedProxies: [] };

    it("imports a released route's upstream from the file its release switches, instead of a fixed reverse_proxy", () => {
        const block = siteBlock(renderCaddyfile(table(true), noProxies), "shop.nexora.restry.cn");
        expect(block).toContain("\timport /etc/caddy/upstreams/shop/*.caddy\n");
        expect(block).not.toContain("reverse_proxy");
        expect(siteBlock(renderCaddyfile(table(false), noProxies), "shop.nexora.restry.cn")).toContain("\treverse_proxy nexora-prod-shop:8080\n");
    });

    it("refuses trusted proxies with released routes: the upstream file carries no options", () => {
        expect(() => renderCaddyfile(table(true), acme)).toThrow(/trustedProxies cannot apply to released routes \(shop\)/);
    });
});
