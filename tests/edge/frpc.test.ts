import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { frpcProxies, renderFrpcToml, type FrpcOptions } from "../../components/edge/frpc";
import type { RouteTable } from "../../components/edge/types";
import { devTable, prodTable, stagingTable } from "./fixtures";

const options: FrpcOptions = {
    serverAddr: "40.162.94.187",
    serverPort: 7000,
    authToken: 'tok"en\\with = "quotes"\n[[proxies]]',
    user: "nexora-prod",
    caddyHost: "nexora-prod-caddy",
};

interface ParsedProxy {
    name: string;
    type: string;
    localIP: string;
    localPort: number;
    customDomains?: string[];
    remotePort?: number;
}

function parseFrpc(text: string): { proxies: ParsedProxy[] } & Record<string, unknown> {
    return parse(text) as unknown as { proxies: ParsedProxy[] } & Record<string, unknown>;
}

describe("renderFrpcToml", () => {
    it("parses back as TOML with the client settings frp ≥ 0.52 reads", () => {
        const config = parseFrpc(renderFrpcToml(prodTable, options));
        expect(config).toMatchObject({
            serverAddr: "40.162.94.187",
            serverPort: 7000,
            user: "nexora-prod",
            loginFailExit: false,
            auth: { method: "token", token: options.authToken },
        });
        // Only keys frp knows: under frpc --strict_config (frp ≥ 0.53) an unknown key fails the start.
        expect(Object.keys(config).sort()).toEqual(["auth", "loginFailExit", "proxies", "serverAddr", "serverPort", "user"]);
    });

    it("routes every HTTP hostname to Caddy through one http and one https vhost proxy", () => {
        const { proxies } = parseFrpc(renderFrpcToml(prodTable, options));
        for (const route of prodTable.http) {
            const forHost = proxies.filter((p) => p.customDomains?.includes(route.hostname));
            expect(forHost).toEqual([
                { name: `${route.hostname}-http`, type: "http", localIP: "nexora-prod-caddy", localPort: 80, customDomains: [route.hostname] },
                { name: `${route.hostname}-https`, type: "https", localIP: "nexora-prod-caddy", localPort: 443, customDomains: [route.hostname] },
            ]);
        }
    });

    it("routes every TCP route straight to its upstream on its remote port", () => {
        const { proxies } = parseFrpc(renderFrpcToml(prodTable, options));
        expect(proxies.filter((p) => p.type === "tcp")).toEqual([
            { name: "ssh.nexora.restry.cn-tcp", type: "tcp", localIP: "nexora-prod-gitlab", localPort: 22, remotePort: 2222 },
        ]);
        expect(proxies).toHaveLength(prodTable.http.length * 2 + prodTable.tcp.length);
    });

    it("sends to the ports Caddy listens on, from the route table", () => {
        const { proxies } = parseFrpc(renderFrpcToml({ ...prodTable, httpPort: 8080, httpsPort: 8443 }, options));
        expect(new Set(proxies.filter((p) => p.type === "http").map((p) => p.localPort))).toEqual(new Set([8080]));
        expect(new Set(proxies.filter((p) => p.type === "https").map((p) => p.localPort))).toEqual(new Set([8443]));
    });

    it("gives every proxy a unique name, and no two stacks a common one once frps prefixes the user", () => {
        const qualified = [
            { table: devTable, user: "nexora-dev" },
            { table: stagingTable, user: "nexora-staging" },
            { table: prodTable, user: "nexora-prod" },
        ].flatMap(({ table, user }) => frpcProxies(table, { ...options, user }).map((p) => `${user}.${p.name}`));
        expect(new Set(qualified).size).toBe(qualified.length);
    });

    it("is byte-stable and independent of route order", () => {
        const reversed: RouteTable = { ...prodTable, http: [...prodTable.http].reverse() };
        expect(renderFrpcToml(reversed, options)).toBe(renderFrpcToml(prodTable, options));
        const text = renderFrpcToml(prodTable, options);
        expect(text.startsWith("# frpc.toml of stack prod")).toBe(true);
        expect(text.endsWith("remotePort = 2222\n")).toBe(true);
    });

    it("renders a table without routes", () => {
        const config = parseFrpc(renderFrpcToml({ stack: "dev", httpPort: 80, httpsPort: 443, http: [], tcp: [] }, options));
        expect(config.proxies ?? []).toEqual([]);
    });

    it("refuses an invalid route table, naming the entry", () => {
        const bad: RouteTable = { ...prodTable, tcp: [{ ...prodTable.tcp[0]!, remotePort: 0 }] };
        expect(() => renderFrpcToml(bad, options)).toThrow(/tcp route #0 \(route "gitlab-ssh".*remotePort/);
    });

    it.each([
        ["serverAddr", { serverAddr: "" }, /serverAddr ""/],
        ["serverAddr with a space", { serverAddr: "relay host" }, /serverAddr "relay host"/],
        ["serverPort", { serverPort: 0 }, /serverPort .* got 0/],
        ["empty token", { authToken: "" }, /authToken is empty/],
        ["user with a dot", { user: "nexora.prod" }, /user "nexora.prod"/],
        ["caddyHost", { caddyHost: "" }, /caddyHost ""/],
        ["adminPort", { adminPort: 65536 }, /adminPort .* got 65536/],
    ] as [string, Partial<FrpcOptions>, RegExp][])("rejects a bad %s", (_case, change, message) => {
        expect(() => renderFrpcToml(prodTable, { ...options, ...change })).toThrow(message);
    });

    it("never puts the token in an error message", () => {
        const secret = "s3cr3t-token-value";
        let message = "";
        try {
            renderFrpcToml(prodTable, { ...options, authToken: secret, serverPort: -1, user: "" });
        } catch (error) {
            message = (error as Error).message;
        }
        expect(message).toMatch(/serverPort/);
        expect(message).not.toContain(secret);
    });
});
